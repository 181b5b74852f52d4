package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"commonground/api"
	"commonground/store"
)

// TestOrganisationSettings: an admin changes the profile and values, adds
// and removes offers and needs, and makes and revokes an API key; a
// member only reads.
func TestOrganisationSettings(t *testing.T) {
	s := demoSite(t, store.SQLite)
	b, _ := s.register(t, "Settings Dance")
	p := b.post("/dashboard/organisation", url.Values{"name": {"Settings Dance Company"}, "type": {"arts"},
		"description": {"Contemporary dance for all ages"}, "values": {"inclusion"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("save the profile: got %d\n%.2000s", p.status, p.body)
	}
	if p := b.post("/dashboard/organisation/needs", url.Values{"category": {"space.dance-studio"}, "description": {"Tuesday evenings"},
		"hours_per_month": {"8"}}); p.status != http.StatusSeeOther {
		t.Fatalf("add a need: got %d\n%.2000s", p.status, p.body)
	}
	if p := b.post("/dashboard/organisation/offers", url.Values{"category": {"skill.dance-teaching"}}); p.status != http.StatusSeeOther {
		t.Fatalf("add an offer: got %d\n%.2000s", p.status, p.body)
	}
	settings := b.get("/dashboard/organisation")
	orgID := find(t, settings.body, `href="/organisations/([0-9a-f-]+)"`, "public page link")
	var org api.Organisation
	s.api(t, "GET", "/v1/organisations/"+orgID, "", nil, &org)
	if org.Name != "Settings Dance Company" || len(org.Values) != 1 || len(org.Needs) != 1 || len(org.Offers) != 1 {
		t.Fatalf("stored organisation: %+v", org)
	}
	public := b.get("/organisations/" + orgID)
	if !strings.Contains(public.body, "Tuesday evenings") || !strings.Contains(public.body, "Settings Dance Company") {
		t.Errorf("the public page lacks the new profile or need:\n%.3000s", public.body)
	}
	if p := b.post("/dashboard/organisation/needs/"+org.Needs[0].ID+"/delete", url.Values{}); p.status != http.StatusSeeOther {
		t.Errorf("remove the need: got %d", p.status)
	}
	s.api(t, "GET", "/v1/organisations/"+orgID, "", nil, &org)
	if len(org.Needs) != 0 {
		t.Errorf("the need is still there: %+v", org.Needs)
	}

	made := b.post("/dashboard/organisation/api-keys", url.Values{"name": {"Booking system"}})
	token := find(t, made.body, `<code>([^<]+)</code>`, "the new key's token")
	if st := s.api(t, "GET", "/v1/bookings", token, nil, nil); st != http.StatusOK {
		t.Errorf("the new key: got %d, want 200", st)
	}
	keyID := find(t, made.body, `action="/dashboard/organisation/api-keys/([0-9a-f-]+)/revoke"`, "revoke button")
	if p := b.post("/dashboard/organisation/api-keys/"+keyID+"/revoke", url.Values{}); p.status != http.StatusSeeOther {
		t.Errorf("revoke: got %d", p.status)
	}
	if keys, err := s.app.DB.ListAPIKeys(t.Context(), orgID); err != nil || len(keys) != 1 || keys[0].ID == keyID {
		t.Errorf("keys after revoking: %+v %v, want only the first key", keys, err)
	}
	if again := b.get("/dashboard/organisation"); strings.Contains(again.body, token) {
		t.Error("the token is shown again")
	}
	if bad := b.post("/dashboard/organisation/webhooks", url.Values{"url": {"https://127.0.0.1/cg"}, "events": {"booking.requested"}}); bad.status != http.StatusBadRequest || !strings.Contains(bad.body, "public addresses only") {
		t.Errorf("a webhook to this machine: got %d, want 400 saying why", bad.status)
	}
	hook := b.post("/dashboard/organisation/webhooks", url.Values{"url": {"https://1.1.1.1/cg"},
		"events": {"booking.requested", "booking.confirmed"}})
	if !strings.Contains(hook.body, "whsec_") {
		t.Fatalf("the new webhook's secret is not shown: %d\n%.2000s", hook.status, hook.body)
	}
	hookID := find(t, hook.body, `action="/dashboard/organisation/webhooks/([0-9a-f-]+)/delete"`, "delete button")
	if p := b.post("/dashboard/organisation/webhooks/"+hookID+"/delete", url.Values{}); p.status != http.StatusSeeOther {
		t.Errorf("delete the webhook: got %d", p.status)
	}
	if again := b.get("/dashboard/organisation"); strings.Contains(again.body, "https://1.1.1.1/cg") {
		t.Error("the deleted webhook is still listed")
	}

	// A member may change the profile (as the API lets members), but not
	// see or make keys.
	inv := b.post("/dashboard/organisation/invitations", url.Values{"email": {"member@web-test.example.org"}, "role": {"member"}})
	link := find(t, inv.body, `<a href="https?://[^/]+(/invitations/[^"]+)"`, "invitation link")
	member := s.browser(t)
	if p := member.post(link, url.Values{"name": {"Mo Member"}, "password": {"members password ok"}}); p.status != http.StatusSeeOther {
		t.Fatalf("accept: %d", p.status)
	}
	if p := member.get("/dashboard/organisation"); strings.Contains(p.body, `action="/dashboard/organisation/api-keys"`) || p.status != http.StatusOK {
		t.Errorf("a member's settings: got %d, with the key form: %v", p.status, strings.Contains(p.body, "api-keys"))
	}
	if p := member.post("/dashboard/organisation/api-keys", url.Values{"name": {"Sneaky"}}); p.status != http.StatusForbidden {
		t.Errorf("a member making a key: got %d, want 403", p.status)
	}
}

// TestActForAnotherOrganisation: someone who joins a second organisation
// (accepting its invitation while signed in) chooses which one they act
// for; they cannot choose one they do not belong to.
func TestActForAnotherOrganisation(t *testing.T) {
	s := demoSite(t, store.SQLite)
	first, email := s.register(t, "First Company")
	second, _ := s.register(t, "Second Company")
	inv := second.post("/dashboard/organisation/invitations", url.Values{"email": {email}, "role": {"member"}})
	link := find(t, inv.body, `<a href="https?://[^/]+(/invitations/[^"]+)"`, "invitation link")
	if p := first.post(link, url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("accept while signed in: got %d\n%.2000s", p.status, p.body)
	}
	d := first.get("/dashboard")
	if !strings.Contains(d.body, "for First Company") || !strings.Contains(d.body, "Second Company</option>") {
		t.Fatalf("the dashboard does not offer the second organisation:\n%.3000s", d.body)
	}
	secondID := find(t, d.body, `<option value="([0-9a-f-]+)">Second Company</option>`, "second organisation")
	if p := first.post("/dashboard/act-for", url.Values{"organisation_id": {secondID}}); p.status != http.StatusSeeOther {
		t.Fatalf("act for the second: got %d", p.status)
	}
	if d := first.get("/dashboard"); !strings.Contains(d.body, "for Second Company") {
		t.Errorf("after choosing, the dashboard is not the second organisation's")
	}
	stranger, _ := s.register(t, "Third Company")
	thirdID := find(t, stranger.get("/dashboard/organisation").body, `href="/organisations/([0-9a-f-]+)"`, "third id")
	if p := first.post("/dashboard/act-for", url.Values{"organisation_id": {thirdID}}); p.status != http.StatusForbidden {
		t.Errorf("act for an organisation they do not belong to: got %d, want 403", p.status)
	}
	// A forged cookie naming it changes nothing either.
	first.setCookie("cg_org", thirdID)
	if d := first.get("/dashboard"); strings.Contains(d.body, "Third Company") {
		t.Errorf("a forged cg_org cookie acts for an organisation they do not belong to")
	}
}
