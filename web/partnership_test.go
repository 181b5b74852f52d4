package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"commonground/api"
	"commonground/matching"
	"commonground/seed"
	"commonground/store"
)

// acceptedPartnership proposes a partnership from a demo youth service
// to a suggested partner, which accepts it, by form posts; it returns
// both sides' browsers and the partnership's id.
func acceptedPartnership(t *testing.T, s *site) (me, partner *browser, id string) {
	t.Helper()
	ctx := context.Background()
	orgs, err := s.app.DB.ListOrganisations(ctx, matching.OrganisationFilter{Type: "youth_service", Page: matching.Page{Limit: 50}})
	if err != nil || len(orgs) == 0 {
		t.Fatalf("youth services: %v %v", len(orgs), err)
	}
	var partnerID string
	for _, o := range orgs {
		b := s.signIn(t, s.demoOwnerEmail(t, o.ID), seed.DemoPassword)
		if m := findAll(b.get("/dashboard/partners").body, `name="partner_id" value="([0-9a-f-]+)"`); len(m) > 0 {
			me, partnerID = b, m[0]
			break
		}
	}
	if me == nil {
		t.Fatal("no youth service has a partner suggestion")
	}
	if p := me.post("/dashboard/partners", url.Values{"partner_id": {partnerID}, "purpose": {"Dance workshops for young people"},
		"outcomes": {"Ten workshops"}, "review_on": {nextWeek()}}); p.status != http.StatusSeeOther {
		t.Fatalf("propose: got %d\n%.2000s", p.status, p.body)
	}
	partner = s.signIn(t, s.demoOwnerEmail(t, partnerID), seed.DemoPassword)
	id = find(t, partner.get("/dashboard/partners").body, `action="/dashboard/partnerships/([0-9a-f-]+)/accept"`, "accept button")
	if p := partner.post("/dashboard/partnerships/"+id+"/accept", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("accept: got %d\n%.2000s", p.status, p.body)
	}
	return me, partner, id
}

// TestHealthCheckFormShowsPrompts: the partnership's page carries the
// health-check form, each criterion under its label with the questions
// behind it (the API's taxonomy), and the form records a check.
func TestHealthCheckFormShowsPrompts(t *testing.T) {
	s := demoSite(t, store.SQLite)
	me, _, id := acceptedPartnership(t, s)
	var tax api.Taxonomy
	if st := s.api(t, "GET", "/v1/taxonomy", "", nil, &tax); st != http.StatusOK || len(tax.HealthCriteria) != matching.NumHealthCriteria {
		t.Fatalf("taxonomy: %d, %d criteria", st, len(tax.HealthCriteria))
	}
	page := me.get("/dashboard/partnerships/" + id)
	if page.status != http.StatusOK || !strings.Contains(page.body, `action="/dashboard/partnerships/`+id+`/health"`) {
		t.Fatalf("the partnership's page has no health-check form: %d\n%.3000s", page.status, page.body)
	}
	scores := url.Values{"comment": {"Going well"}}
	for i, c := range tax.HealthCriteria {
		if !strings.Contains(page.body, "<legend>"+html.EscapeString(c.Label)+"</legend>") ||
			!strings.Contains(page.body, `<label for="hc-`+c.Slug+`">Score for `+html.EscapeString(c.Label)+`</label>`) {
			t.Errorf("the form does not show %q with a labelled score", c.Label)
		}
		if len(c.Prompts) == 0 {
			t.Errorf("criterion %s has no prompts in the taxonomy", c.Slug)
		}
		for _, q := range c.Prompts {
			if !strings.Contains(page.body, "<li>"+html.EscapeString(q)+"</li>") {
				t.Errorf("the form does not ask %q under %s", q, c.Label)
			}
		}
		scores.Set(c.Slug, itoa(1+i%5))
	}
	if p := me.post("/dashboard/partnerships/"+id+"/health", scores); p.status != http.StatusSeeOther {
		t.Fatalf("record the check: got %d\n%.2000s", p.status, p.body)
	}
	stored, err := s.app.DB.GetPartnership(t.Context(), id)
	if err != nil || stored.Health.Checks != 1 {
		t.Fatalf("after the check: %+v %v", stored, err)
	}
	if p := me.post("/dashboard/partnerships/"+id+"/health", url.Values{"csrf_token": {""}, "commitment": {"5"}}); p.status != http.StatusForbidden {
		t.Errorf("a check without a CSRF token: got %d, want 403", p.status)
	}
}
