package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"commonground/matching"
	"commonground/seed"
	"commonground/store"
)

// TestPartnerFlowWithoutJavaScript: a suggestion → propose → the partner
// accepts → a health check, by form posts; the page offers only the
// actions the partnership rules allow.
func TestPartnerFlowWithoutJavaScript(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		orgs, err := s.app.DB.ListOrganisations(ctx, matching.OrganisationFilter{Type: "youth_service", Page: matching.Page{Limit: 50}})
		if err != nil || len(orgs) == 0 {
			t.Fatalf("youth services: %v %v", len(orgs), err)
		}
		var me *browser
		var partnerID string
		for _, o := range orgs {
			b := s.signIn(t, s.demoOwnerEmail(t, o.ID), seed.DemoPassword)
			p := b.get("/dashboard/partners")
			if m := findAll(p.body, `name="partner_id" value="([0-9a-f-]+)"`); len(m) > 0 {
				me, partnerID = b, m[0]
				break
			}
		}
		if me == nil {
			t.Fatal("no youth service has a partner suggestion")
		}
		p := me.post("/dashboard/partners", url.Values{"partner_id": {partnerID}, "purpose": {"Dance workshops for young people"},
			"outcomes": {"Ten workshops\nA sharing at the end"}, "review_on": {nextWeek()}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("propose: got %d\n%.2000s", p.status, p.body)
		}
		mine := me.get("/dashboard/partners")
		if !strings.Contains(mine.body, "proposed by you, waiting for their answer") {
			t.Fatalf("the proposal is not listed as waiting:\n%.3000s", mine.body)
		}
		partner := s.signIn(t, s.demoOwnerEmail(t, partnerID), seed.DemoPassword)
		theirs := partner.get("/dashboard/partners")
		id := find(t, theirs.body, `action="/dashboard/partnerships/([0-9a-f-]+)/accept"`, "accept button")
		if strings.Contains(mine.body, "/dashboard/partnerships/"+id+"/accept") {
			t.Error("the proposer is offered to accept their own proposal")
		}
		if p := partner.post("/dashboard/partnerships/"+id+"/accept", url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("accept: got %d\n%.2000s", p.status, p.body)
		}
		scores := url.Values{"comment": {"A good start"}}
		for _, c := range matching.HealthCriteria {
			scores.Set(c, "4")
		}
		scores.Set("communication", "2")
		if p := me.post("/dashboard/partnerships/"+id+"/health", scores); p.status != http.StatusSeeOther {
			t.Fatalf("health check: got %d\n%.2000s", p.status, p.body)
		}
		after := me.get("/dashboard/partnerships/" + id)
		if !strings.Contains(after.body, "scored low on: communication") || !strings.Contains(after.body, "<td>2</td>") {
			t.Errorf("the low score is not shown:\n%.3000s", after.body)
		}
		if p := partner.post("/dashboard/partnerships/"+id+"/messages", url.Values{"body": {"Shall we meet on Monday?"}}); p.status != http.StatusSeeOther {
			t.Errorf("message: got %d", p.status)
		}
		if page := me.get("/dashboard/partnerships/" + id); !strings.Contains(page.body, "Shall we meet on Monday?") {
			t.Errorf("the proposer does not see the partner's message")
		}
		stored, err := s.app.DB.GetPartnership(ctx, id)
		if err != nil || stored.Status != matching.PartnershipAccepted || stored.Health.Checks != 1 {
			t.Errorf("stored partnership: %+v %v, want accepted with one check", stored, err)
		}
		// A stranger cannot act on it.
		stranger, _ := s.register(t, "Outsiders")
		if p := stranger.post("/dashboard/partnerships/"+id+"/end", url.Values{}); p.status != http.StatusNotFound {
			t.Errorf("a stranger ends the partnership: got %d, want 404", p.status)
		}
		if p := stranger.get("/dashboard/partnerships/" + id); p.status != http.StatusNotFound || strings.Contains(p.body, "Monday") {
			t.Errorf("a stranger reads the partnership: got %d, want 404", p.status)
		}
	})
}

// TestInvitationFlow: an admin invites a colleague, who opens the link,
// chooses a password and lands on the organisation's dashboard.
func TestInvitationFlow(t *testing.T) {
	s := demoSite(t, store.SQLite)
	admin, _ := s.register(t, "Inviting Arts")
	p := admin.post("/dashboard/organisation/invitations", url.Values{"email": {"colleague@web-test.example.org"}, "role": {"member"}})
	if p.status != http.StatusOK {
		t.Fatalf("invite: got %d\n%.2000s", p.status, p.body)
	}
	link := find(t, p.body, `<a href="(http[^"]+/invitations/[^"]+)"`, "invitation link")
	u, _ := url.Parse(link)
	colleague := s.browser(t)
	if got := colleague.get(u.Path); got.status != http.StatusOK || !strings.Contains(got.body, "Join your organisation") {
		t.Fatalf("GET the invitation: %d", got.status)
	}
	p = colleague.post(u.Path, url.Values{"name": {"Cleo Colleague"}, "password": {"another good passphrase"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/dashboard" {
		t.Fatalf("accept: got %d to %q\n%.2000s", p.status, p.header.Get("Location"), p.body)
	}
	if d := colleague.get("/dashboard"); d.status != http.StatusOK || !strings.Contains(d.body, "Inviting Arts") {
		t.Errorf("the colleague's dashboard: %d", d.status)
	}
	if again := s.browser(t).post(u.Path, url.Values{"name": {"Late"}, "password": {"another good passphrase"}}); again.status < 400 {
		t.Errorf("the link used twice: got %d, want a refusal", again.status)
	}
}

func findAll(s, re string) []string {
	var out []string
	for _, m := range regexpAll(re, s) {
		out = append(out, m[1])
	}
	return out
}

// TestConsortiumSearch: the team search answers in words, every team led
// by the searcher, as the API finds them.
func TestConsortiumSearch(t *testing.T) {
	s := demoSite(t, store.SQLite)
	// A demo arts organisation (other tests register arts organisations
	// of their own, whose people have other passwords).
	all, err := s.app.DB.ListOrganisations(context.Background(), matching.OrganisationFilter{Type: "arts", Page: matching.Page{Limit: 200}})
	if err != nil {
		t.Fatal(err)
	}
	var orgs []matching.Organisation
	for _, o := range all {
		if !strings.HasSuffix(s.demoOwnerEmail(t, o.ID), "@web-test.example.org") {
			orgs = append(orgs, o)
			break
		}
	}
	if len(orgs) == 0 {
		t.Fatal("no demo arts organisation")
	}
	b := s.signIn(t, s.demoOwnerEmail(t, orgs[0].ID), seed.DemoPassword)
	if p := b.get("/dashboard/partners/consortium"); p.status != http.StatusOK || !strings.Contains(p.body, `name="requirements"`) {
		t.Fatalf("the search form: %d", p.status)
	}
	q := url.Values{"requirements": {"skill.youth-work", "skill.safeguarding"}, "radius_km": {"50"}, "max_members": {"4"}}
	p := b.get("/dashboard/partners/consortium?" + q.Encode())
	if p.status != http.StatusOK {
		t.Fatalf("search: got %d\n%.2000s", p.status, p.body)
	}
	var res struct {
		Consortia []struct{} `json:"consortia"`
	}
	s.api(t, "POST", "/v1/match/consortium", "", map[string]any{"requirements": q["requirements"],
		"near": map[string]float64{"lat": orgs[0].Location[1], "lon": orgs[0].Location[0]}, "radius_km": 50,
		"lead_organisation_id": orgs[0].ID, "max_members": 4, "limit": 5}, &res)
	if len(res.Consortia) == 0 {
		t.Fatal("the API finds no team to compare with")
	}
	if got := strings.Count(p.body, "(you, the lead)"); got != len(res.Consortia) {
		t.Errorf("the page shows %d teams led by the searcher, the API %d", got, len(res.Consortia))
	}
	if p := b.get("/dashboard/partners/consortium?requirements=no.such.thing"); p.status != http.StatusBadRequest {
		t.Errorf("an unknown capability: got %d, want 400", p.status)
	}
}
