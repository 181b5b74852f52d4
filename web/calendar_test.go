package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"commonground/store"
)

// TestCalendarLink: an admin makes the organisation's calendar link on
// its settings page and is shown the address to copy, which serves the
// calendar; a new link stops the old one; a member is offered no button
// and refused.
func TestCalendarLink(t *testing.T) {
	s := demoSite(t, store.SQLite)
	b, _ := s.register(t, "Calendar Arts Trust")
	settings := b.get("/dashboard/organisation")
	if !strings.Contains(settings.body, `action="/dashboard/organisation/calendar-key"`) ||
		!strings.Contains(settings.body, "stops any link made before from working") {
		t.Fatalf("the admin's settings lack the calendar link button:\n%.4000s", settings.body)
	}
	made := b.post("/dashboard/organisation/calendar-key", url.Values{})
	if made.status != http.StatusOK {
		t.Fatalf("make a calendar link: got %d\n%.3000s", made.status, made.body)
	}
	first := html.UnescapeString(find(t, made.body, `<label for="calendar-url">Calendar link</label> <input id="calendar-url" type="text" readonly value="([^"]+)"`, "calendar link"))
	if !strings.HasPrefix(first, s.srv.URL+"/v1/organisations/") || !strings.Contains(first, "/calendar.ics?key=") {
		t.Fatalf("the calendar link %q is not a full address of the calendar", first)
	}
	cal := s.browser(t).get(strings.TrimPrefix(first, s.srv.URL))
	if cal.status != http.StatusOK || !strings.Contains(cal.body, "BEGIN:VCALENDAR") {
		t.Fatalf("the calendar at the link: got %d\n%.500s", cal.status, cal.body)
	}
	again := b.post("/dashboard/organisation/calendar-key", url.Values{})
	second := html.UnescapeString(find(t, again.body, `id="calendar-url" type="text" readonly value="([^"]+)"`, "calendar link"))
	if second == first {
		t.Fatalf("a new link is the same as the old: %s", second)
	}
	if p := s.browser(t).get(strings.TrimPrefix(first, s.srv.URL)); p.status != http.StatusNotFound {
		t.Errorf("the old link after a new one: got %d, want 404", p.status)
	}
	if p := s.browser(t).get(strings.TrimPrefix(second, s.srv.URL)); p.status != http.StatusOK {
		t.Errorf("the new link: got %d, want 200", p.status)
	}
	if p := b.post("/dashboard/organisation/calendar-key", url.Values{"csrf_token": {""}}); p.status != http.StatusForbidden {
		t.Errorf("without a CSRF token: got %d, want 403", p.status)
	}

	inv := b.post("/dashboard/organisation/invitations", url.Values{"email": {"cal-member@web-test.example.org"}, "role": {"member"}})
	link := find(t, inv.body, `<a href="https?://[^/]+(/invitations/[^"]+)"`, "invitation link")
	member := s.browser(t)
	if p := member.post(link, url.Values{"name": {"Mo Member"}, "password": {"members password ok"}}); p.status != http.StatusSeeOther {
		t.Fatalf("accept: %d", p.status)
	}
	if p := member.get("/dashboard/organisation"); strings.Contains(p.body, "calendar-key") {
		t.Errorf("a member is offered the calendar link button")
	}
	if p := member.post("/dashboard/organisation/calendar-key", url.Values{}); p.status != http.StatusForbidden {
		t.Errorf("a member making a calendar link: got %d, want 403", p.status)
	}
}
