package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"commonground/matching"
	"commonground/seed"
)

// demoLead signs in as a demo arts organisation (not one a test
// registered) and returns its browser and id.
func demoLead(t *testing.T, s *site) (*browser, string) {
	t.Helper()
	all, err := s.app.DB.ListOrganisations(context.Background(), matching.OrganisationFilter{Type: "arts", Page: matching.Page{Limit: 200}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range all {
		if email := s.demoOwnerEmail(t, o.ID); !strings.HasSuffix(email, "@web-test.example.org") {
			return s.signIn(t, email, seed.DemoPassword), o.ID
		}
	}
	t.Fatal("no demo arts organisation")
	return nil, ""
}

// formedConsortium searches for a team covering youth work and
// safeguarding and forms the first one found, by form posts; it returns
// the lead's browser, the consortium's id and its members' ids.
func formedConsortium(t *testing.T, s *site) (lead *browser, leadID, id string, members []string) {
	t.Helper()
	lead, leadID = demoLead(t, s)
	q := url.Values{"requirements": {"skill.youth-work", "skill.safeguarding"}, "radius_km": {"50"}, "max_members": {"3"}}
	found := lead.get("/dashboard/partners/consortium?" + q.Encode())
	if found.status != http.StatusOK || !strings.Contains(found.body, "Form this consortium</button>") {
		t.Fatalf("the search offers no team to form: %d\n%.4000s", found.status, found.body)
	}
	form := hiddenFields(t, found.body, "/dashboard/consortia")
	members = form["member_ids"]
	if len(members) == 0 || form.Get("team") != "0" || len(form["requirements"]) != 2 {
		t.Fatalf("the first team's form carries %v", form)
	}
	for _, m := range members {
		if m == leadID {
			t.Fatalf("the lead is among the members invited: %v", members)
		}
	}

	// Missing details are refused beside their fields, the search shown
	// again with what was typed.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("name", "")
	bad.Set("purpose", "Youth dance across the district")
	bad.Set("bid.title", "Youth dance programme")
	bad.Set("bid.commissioner", "District council")
	bad.Set("bid.deadline", "2001-01-01")
	p := lead.post("/dashboard/consortia", bad)
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, `<p class="error" id="k0-name-error">Is required.</p>`) ||
		!strings.Contains(p.body, `id="k0-bid.deadline-error">Must not be before the consortium is formed`) ||
		!strings.Contains(p.body, `value="Youth dance programme"`) {
		t.Fatalf("a consortium without a name: got %d, want 400 with the errors beside the fields\n%.8000s", p.status, p.body)
	}

	good := url.Values{}
	for k, v := range form {
		good[k] = v
	}
	good.Set("name", "Fenland Youth Dance Consortium")
	good.Set("purpose", "Youth dance across the district")
	good.Set("bid.title", "Youth dance programme 2027")
	good.Set("bid.commissioner", "District council")
	good.Set("bid.deadline", time.Now().AddDate(0, 2, 0).Format("2006-01-02"))
	p = lead.post("/dashboard/consortia", good)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/dashboard/consortia/") {
		t.Fatalf("form the consortium: got %d to %q\n%.3000s", p.status, p.header.Get("Location"), p.body)
	}
	return lead, leadID, strings.TrimPrefix(p.header.Get("Location"), "/dashboard/consortia/"), members
}

// TestConsortiumWithoutJavaScript: consortium search → form the first
// team → each member accepts from the consortium's page (linked from
// their dashboard) → the lead starts the work → a health check, all by
// form posts; the page says where things stand in words.
func TestConsortiumWithoutJavaScript(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		lead, leadID, id, members := formedConsortium(t, s)
		page := lead.get("/dashboard/consortia/" + id)
		if page.status != http.StatusOK || !strings.Contains(page.body, "<h1>Consortium: Fenland Youth Dance Consortium</h1>") ||
			!strings.Contains(page.body, "Forming: waiting for "+plural(len(members), "member", "members")+" to accept") ||
			!strings.Contains(page.body, "<dd>Youth dance programme 2027</dd>") || strings.Count(page.body, ": has not answered yet</li>") != len(members) {
			t.Fatalf("the new consortium's page: %d\n%.5000s", page.status, page.body)
		}
		if strings.Contains(page.body, "/accept\"") || strings.Contains(page.body, "/activate\"") || strings.Contains(page.body, "/health\"") {
			t.Errorf("while forming, the lead is offered to answer, start or check it")
		}
		if list := lead.get("/dashboard/partners"); !strings.Contains(list.body, `<a href="/dashboard/consortia/`+id+`">Fenland Youth Dance Consortium</a>`) {
			t.Errorf("the partners page does not list the consortium")
		}
		for i, m := range members {
			b := s.signIn(t, s.demoOwnerEmail(t, m), seed.DemoPassword)
			if d := b.get("/dashboard"); !strings.Contains(d.body, `<a href="/dashboard/consortia/`+id+`">`) {
				t.Errorf("member %d's dashboard does not link the invitation:\n%.4000s", i, d.body)
			}
			if l := b.get("/dashboard/partners"); !strings.Contains(l.body, "waiting for your answer") {
				t.Errorf("member %d's partners page does not say the consortium waits for them", i)
			}
			mine := b.get("/dashboard/consortia/" + id)
			if !strings.Contains(mine.body, `action="/dashboard/consortia/`+id+`/accept"`) || strings.Contains(mine.body, "/activate\"") {
				t.Fatalf("member %d is not offered to accept (only):\n%.4000s", i, mine.body)
			}
			if p := b.post("/dashboard/consortia/"+id+"/accept", url.Values{"csrf_token": {""}}); p.status != http.StatusForbidden {
				t.Errorf("accept without a CSRF token: got %d, want 403", p.status)
			}
			if p := b.post("/dashboard/consortia/"+id+"/accept", url.Values{}); p.status != http.StatusSeeOther {
				t.Fatalf("member %d accepts: got %d\n%.3000s", i, p.status, p.body)
			}
			if p := b.post("/dashboard/consortia/"+id+"/accept", url.Values{}); p.status != http.StatusConflict {
				t.Errorf("member %d accepts twice: got %d, want 409", i, p.status)
			}
		}
		page = lead.get("/dashboard/consortia/" + id)
		if !strings.Contains(page.body, "Every member has accepted") || strings.Count(page.body, ": has accepted</li>") != len(members) ||
			!strings.Contains(page.body, `action="/dashboard/consortia/`+id+`/activate"`) {
			t.Fatalf("after every member accepted, the lead's page:\n%.5000s", page.body)
		}
		if p := lead.post("/dashboard/consortia/"+id+"/activate", url.Values{"csrf_token": {""}}); p.status != http.StatusForbidden {
			t.Errorf("activate without a CSRF token: got %d, want 403", p.status)
		}
		if p := lead.post("/dashboard/consortia/"+id+"/activate", url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("activate: got %d\n%.3000s", p.status, p.body)
		}
		page = lead.get("/dashboard/consortia/" + id)
		if !strings.Contains(page.body, "Active: the work has started") || !strings.Contains(page.body, `<label for="hc-trust">Score for Trust</label>`) ||
			!strings.Contains(page.body, `action="/dashboard/consortia/`+id+`/complete"`) {
			t.Fatalf("the active consortium's page:\n%.5000s", page.body)
		}
		scores := url.Values{"comment": {"Off to a good start"}}
		for _, c := range matching.HealthCriteria {
			scores.Set(c, "4")
		}
		scores.Set("trust", "2")
		if p := lead.post("/dashboard/consortia/"+id+"/health", scores); p.status != http.StatusSeeOther {
			t.Fatalf("health check: got %d\n%.3000s", p.status, p.body)
		}
		if p := lead.post("/dashboard/consortia/"+id+"/health", url.Values{"csrf_token": {""}, "trust": {"4"}}); p.status != http.StatusForbidden {
			t.Errorf("a health check without a CSRF token: got %d, want 403", p.status)
		}
		stored, err := s.app.DB.GetConsortium(t.Context(), id)
		if err != nil || stored.Status != matching.PartnershipActive || stored.Health.Checks != 1 || stored.LeadID != leadID {
			t.Fatalf("stored consortium: %+v %v, want active with one check", stored, err)
		}
		if page := lead.get("/dashboard/consortia/" + id); !strings.Contains(page.body, "scored low on: trust") || !strings.Contains(page.body, "<td>2</td>") {
			t.Errorf("the check is not shown:\n%.5000s", page.body)
		}

		// Another organisation: the page and its forms do not exist.
		stranger, _ := s.register(t, "Consortium Outsiders")
		if p := stranger.get("/dashboard/consortia/" + id); p.status != http.StatusNotFound || strings.Contains(p.body, "Fenland") {
			t.Errorf("a stranger reads the consortium: got %d, want 404", p.status)
		}
		if p := stranger.post("/dashboard/consortia/"+id+"/end", url.Values{}); p.status != http.StatusNotFound {
			t.Errorf("a stranger ends the consortium: got %d, want 404", p.status)
		}
		if p := stranger.get("/dashboard/consortia/not-a-consortium"); p.status != http.StatusNotFound {
			t.Errorf("an unknown consortium: got %d, want 404", p.status)
		}
		if p := lead.post("/dashboard/consortia", url.Values{"csrf_token": {""}, "name": {"x"}}); p.status != http.StatusForbidden {
			t.Errorf("forming a consortium without a CSRF token: got %d, want 403", p.status)
		}

		// A member declines: the consortium does not go ahead.
		lead, _, id, members = formedConsortium(t, s)
		b := s.signIn(t, s.demoOwnerEmail(t, members[0]), seed.DemoPassword)
		if p := b.post("/dashboard/consortia/"+id+"/decline", url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("decline: got %d\n%.3000s", p.status, p.body)
		}
		page = lead.get("/dashboard/consortia/" + id)
		if !strings.Contains(page.body, "Declined by a member.") || !strings.Contains(page.body, ": has declined</li>") ||
			strings.Contains(page.body, "/activate\"") || strings.Contains(page.body, "/health\"") {
			t.Errorf("the declined consortium's page:\n%.5000s", page.body)
		}
	})
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return itoa(n) + " " + many
}
