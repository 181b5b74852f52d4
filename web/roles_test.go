package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestRolesAmendmentWithoutJavaScript: on an active partnership the
// agreement's form edits who does what; the change is proposed to the
// other side, applies only once they accept, and an emptied role is
// dropped.
func TestRolesAmendmentWithoutJavaScript(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		me, partner, id := acceptedPartnership(t, s)
		if p := me.post("/dashboard/partnerships/"+id+"/activate", url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("activate: got %d\n%.2000s", p.status, p.body)
		}
		before, err := s.app.DB.GetPartnership(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		page := me.get("/dashboard/partnerships/" + id)
		for _, org := range []string{before.ProposerID, before.PartnerID} {
			if !strings.Contains(page.body, `name="roles.`+org+`"`) {
				t.Fatalf("the agreement's form has no role field for %s:\n%.5000s", org, page.body)
			}
		}
		change := url.Values{"purpose": {before.Purpose}, "outcomes": {strings.Join(before.Outcomes, "\n")},
			"review_on":                  {before.ReviewOn.Format("2006-01-02")},
			"roles." + before.ProposerID: {"Runs the workshops"}, "roles." + before.PartnerID: {"Provides the hall & publicity"}}
		if p := me.post("/dashboard/partnerships/"+id+"/agreement", change); p.status != http.StatusSeeOther {
			t.Fatalf("propose new roles: got %d\n%.3000s", p.status, p.body)
		}
		if got, _ := s.app.DB.GetPartnership(t.Context(), id); len(got.Roles) != 0 {
			t.Fatalf("the roles changed before the partner accepted: %v", got.Roles)
		}
		theirs := partner.get("/dashboard/partnerships/" + id)
		if !strings.Contains(theirs.body, "<dt>Roles</dt>") || !strings.Contains(theirs.body, ": Provides the hall &amp; publicity</li>") ||
			!strings.Contains(theirs.body, "/amendments/1/accept") || strings.Contains(theirs.body, "<dt>Purpose</dt>") {
			t.Fatalf("the partner's page does not show the roles change alone, to accept:\n%.5000s", theirs.body)
		}
		if p := partner.post("/dashboard/partnerships/"+id+"/amendments/1/accept", url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("accept: got %d\n%.3000s", p.status, p.body)
		}
		after, err := s.app.DB.GetPartnership(t.Context(), id)
		if err != nil || after.Roles[before.ProposerID] != "Runs the workshops" || after.Roles[before.PartnerID] != "Provides the hall & publicity" ||
			after.Purpose != before.Purpose {
			t.Fatalf("after accepting: %+v %v", after, err)
		}
		if page := me.get("/dashboard/partnerships/" + id); !strings.Contains(page.body, ">Runs the workshops</textarea>") ||
			!strings.Contains(page.body, "<h3>Who does what</h3>") {
			t.Errorf("the page does not show the roles in force:\n%.5000s", page.body)
		}
		// The partner clears their own role: proposed, accepted, gone.
		change.Set("roles."+before.PartnerID, "")
		change.Del("csrf_token") // the proposer's, set by their post
		if p := partner.post("/dashboard/partnerships/"+id+"/agreement", change); p.status != http.StatusSeeOther {
			t.Fatalf("clear a role: got %d\n%.3000s", p.status, p.body)
		}
		if p := me.post("/dashboard/partnerships/"+id+"/amendments/2/accept", url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("accept the second: got %d\n%.3000s", p.status, p.body)
		}
		if got, _ := s.app.DB.GetPartnership(t.Context(), id); len(got.Roles) != 1 || got.Roles[before.ProposerID] != "Runs the workshops" {
			t.Errorf("after clearing the partner's role: %v", got.Roles)
		}
		// A role too long is the API's to refuse, in words.
		change.Set("roles."+before.ProposerID, strings.Repeat("x", 501))
		change.Del("csrf_token")
		if p := me.post("/dashboard/partnerships/"+id+"/agreement", change); p.status != http.StatusBadRequest || !strings.Contains(p.body, "500") {
			t.Errorf("a role of 501 characters: got %d, want 400 naming the limit\n%.3000s", p.status, p.body)
		}
	})
}
