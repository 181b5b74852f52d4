package api_test

import (
	"net/http"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"commonground/store"
)

// TestSpaceCalendarLocationAndETag checks each session carries the venue
// as its LOCATION, the owner alone sees what it was booked for, and a
// client holding the calendar's ETag is told 304 until a booking changes
// it.
func TestSpaceCalendarLocationAndETag(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		b := newBookable(t, s, true)
		status, _, raw := s.book(t, b.bookerToken, b.space.ID,
			with(mondays("2027-03-01", 1, "18:00", "20:00"), "purpose", "Youth contemporary class"), nil)
		wantStatus(t, "book", status, http.StatusCreated, string(raw))
		path := "/v1/spaces/" + b.space.ID + "/calendar.ics"

		get := func(token, ifNoneMatch string) (int, http.Header, []byte) {
			t.Helper()
			var header map[string]string
			if ifNoneMatch != "" {
				header = map[string]string{"If-None-Match": ifNoneMatch}
			}
			return s.send(t, request{method: "GET", path: path, token: token, header: header})
		}
		prop := func(raw []byte, name ics.ComponentProperty) string {
			t.Helper()
			events := parseCalendar(t, raw).Events()
			if len(events) != 1 {
				t.Fatalf("got %d events, want 1", len(events))
			}
			if p := events[0].GetProperty(name); p != nil {
				return p.Value
			}
			return ""
		}

		status, h, public := get("", "")
		wantStatus(t, "public calendar", status, http.StatusOK, string(public))
		if loc := prop(public, ics.ComponentPropertyLocation); !strings.Contains(loc, "Mill Road Hall") {
			t.Errorf("LOCATION %q, want the venue's name", loc)
		}
		if desc := prop(public, ics.ComponentPropertyDescription); desc != "" {
			t.Errorf("the public calendar shows DESCRIPTION %q, want none: the purpose is the parties' business", desc)
		}
		status, _, owned := get(b.ownerToken, "")
		wantStatus(t, "owner's calendar", status, http.StatusOK, string(owned))
		if desc := prop(owned, ics.ComponentPropertyDescription); !strings.Contains(desc, "Youth contemporary class") || !strings.Contains(desc, "Fen Dance") {
			t.Errorf("owner's DESCRIPTION %q, want the purpose and who booked", desc)
		}

		etag := h.Get("ETag")
		if etag == "" {
			t.Fatal("the calendar carries no ETag")
		}
		status, h2, body := get("", etag)
		if status != http.StatusNotModified || len(body) != 0 || h2.Get("ETag") != etag {
			t.Errorf("If-None-Match with the ETag: got %d, %d bytes, ETag %q; want 304, none, %q", status, len(body), h2.Get("ETag"), etag)
		}
		status, _, raw = s.book(t, b.bookerToken, b.space.ID, mondays("2027-03-08", 1, "18:00", "20:00"), nil)
		wantStatus(t, "book again", status, http.StatusCreated, string(raw))
		status, h3, _ := get("", etag)
		if status != http.StatusOK || h3.Get("ETag") == etag {
			t.Errorf("after a new booking: got %d with ETag %q, want 200 and a new ETag", status, h3.Get("ETag"))
		}
	})
}
