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

// TestAmendmentsWithoutJavaScript: once a partnership is accepted,
// changing its agreement proposes an amendment; the page shows it with
// its changes, and only the other side may accept or decline it.
func TestAmendmentsWithoutJavaScript(t *testing.T) {
	s := demoSite(t, store.SQLite)
	me, partner, id := acceptedPartnership(t, s)
	before, err := s.app.DB.GetPartnership(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	page := me.get("/dashboard/partnerships/" + id)
	if !strings.Contains(page.body, `action="/dashboard/partnerships/`+id+`/agreement"`) || !strings.Contains(page.body, "Propose the change</button>") {
		t.Fatalf("no form to propose a change to the agreement:\n%.4000s", page.body)
	}
	change := url.Values{"purpose": {"Dance & film workshops <for> young people"}, "outcomes": {"Ten workshops\nA short film"},
		"review_on": {before.ReviewOn.Format("2006-01-02")}}
	if p := me.post("/dashboard/partnerships/"+id+"/agreement", change); p.status != http.StatusSeeOther {
		t.Fatalf("propose a change: got %d\n%.3000s", p.status, p.body)
	}
	if got, _ := s.app.DB.GetPartnership(t.Context(), id); got.Purpose != before.Purpose {
		t.Fatalf("the change applied before the partner accepted it: %q", got.Purpose)
	}
	mine := me.get("/dashboard/partnerships/" + id)
	if !strings.Contains(mine.body, "proposed by you and waiting for") || strings.Contains(mine.body, "/amendments/1/accept") {
		t.Errorf("the proposer's page: want the change waiting, with no accept button\n%.4000s", mine.body)
	}
	theirs := partner.get("/dashboard/partnerships/" + id)
	for _, want := range []string{"<dd>Dance &amp; film workshops &lt;for&gt; young people</dd>", "<li>A short film</li>",
		`action="/dashboard/partnerships/` + id + `/amendments/1/accept"`, `action="/dashboard/partnerships/` + id + `/amendments/1/decline"`} {
		if !strings.Contains(theirs.body, want) {
			t.Errorf("the partner's page lacks %s", want)
		}
	}
	if strings.Contains(theirs.body, "<dt>Review on</dt>") {
		t.Errorf("the review date did not change, yet is shown as a change")
	}
	// A second change waits for the first.
	if p := partner.post("/dashboard/partnerships/"+id+"/agreement", url.Values{"purpose": {"Something else"},
		"outcomes": {"Ten workshops"}}); p.status != http.StatusConflict || !strings.Contains(p.body, "amendment") {
		t.Errorf("a change while one waits: got %d, want 409 saying an amendment waits\n%.3000s", p.status, p.body)
	}
	// The proposer may not accept their own change.
	if p := me.post("/dashboard/partnerships/"+id+"/amendments/1/accept", url.Values{}); p.status != http.StatusForbidden {
		t.Errorf("the proposer accepting: got %d, want 403", p.status)
	}
	if p := partner.post("/dashboard/partnerships/"+id+"/amendments/1/accept", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("accept: got %d\n%.3000s", p.status, p.body)
	}
	after, err := s.app.DB.GetPartnership(t.Context(), id)
	if err != nil || after.Purpose != "Dance & film workshops <for> young people" || len(after.Outcomes) != 2 {
		t.Fatalf("after accepting: %+v %v", after, err)
	}
	// The partner proposes; the proposer declines; nothing changes.
	if p := partner.post("/dashboard/partnerships/"+id+"/agreement", url.Values{"purpose": {"A smaller project"},
		"outcomes": {"Ten workshops\nA short film"}}); p.status != http.StatusSeeOther {
		t.Fatalf("the partner proposes: got %d\n%.3000s", p.status, p.body)
	}
	if p := me.post("/dashboard/partnerships/"+id+"/amendments/2/decline", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("decline: got %d\n%.3000s", p.status, p.body)
	}
	if got, _ := s.app.DB.GetPartnership(t.Context(), id); got.Purpose != after.Purpose {
		t.Errorf("a declined change applied: %q", got.Purpose)
	}
	if p := me.post("/dashboard/partnerships/"+id+"/agreement", url.Values{"csrf_token": {""}, "purpose": {"x"}}); p.status != http.StatusForbidden {
		t.Errorf("without a CSRF token: got %d, want 403", p.status)
	}
}

// TestPartnersPageCheckFormShowsPrompts: the health-check form on the
// partners page is the partnership page's: each criterion under its
// label, with its prompts.
func TestPartnersPageCheckFormShowsPrompts(t *testing.T) {
	s := demoSite(t, store.SQLite)
	me, _, id := acceptedPartnership(t, s)
	var tax api.Taxonomy
	s.api(t, "GET", "/v1/taxonomy", "", nil, &tax)
	page := me.get("/dashboard/partners")
	if !strings.Contains(page.body, `action="/dashboard/partnerships/`+id+`/health"`) {
		t.Fatalf("no health-check form for the partnership on /dashboard/partners:\n%.4000s", page.body)
	}
	for _, c := range tax.HealthCriteria {
		if !strings.Contains(page.body, "<legend>"+html.EscapeString(c.Label)+"</legend>") ||
			!strings.Contains(page.body, `<label for="hc-`+id+`-`+c.Slug+`">Score for `+html.EscapeString(c.Label)+`</label>`) {
			t.Errorf("the form does not show %q with a labelled score", c.Label)
		}
		for _, q := range c.Prompts {
			if !strings.Contains(page.body, "<li>"+html.EscapeString(q)+"</li>") {
				t.Errorf("the form does not ask %q under %s", q, c.Label)
			}
		}
	}
}
