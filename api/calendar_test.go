package api_test

import (
	"bytes"
	"mime"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"commonground/store"
)

// parseCalendar checks raw is an RFC 5545 calendar at the level of lines
// (CRLF endings, no physical line over 75 octets) and parses it with an
// independent iCalendar parser.
func parseCalendar(t *testing.T, raw []byte) *ics.Calendar {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Errorf("calendar does not end in CRLF")
	}
	for i, line := range bytes.Split(bytes.TrimSuffix(raw, []byte("\r\n")), []byte("\r\n")) {
		if len(line) > 75 {
			t.Errorf("line %d has %d octets, more than 75: %q", i, len(line), line)
		}
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i, line)
		}
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse calendar: %v\n%s", err, raw)
	}
	return cal
}

func calendarProp(cal *ics.Calendar, name ics.Property) string {
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == string(name) {
			return p.Value
		}
	}
	return ""
}

func TestSpaceCalendar(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		b := newBookable(t, s, true)
		// A name that needs escaping and folding.
		name := "Studio One; the big room, with the sprung floor – upstairs, past the café and the lifts"
		status, _, m := s.do(t, "PATCH", "/v1/spaces/"+b.space.ID, b.ownerToken, map[string]any{"name": name})
		wantStatus(t, "rename", status, http.StatusOK, m)

		// Two Mondays across the clock change, and a cancelled session.
		status, _, raw := s.book(t, b.bookerToken, b.space.ID, mondays("2027-03-22", 2, "18:00", "20:00"), nil)
		wantStatus(t, "book", status, http.StatusCreated, string(raw))
		booking := bookingOf(t, raw).Booking
		status, _, raw = s.book(t, b.bookerToken, b.space.ID, one("2027-04-12T09:00:00Z", "2027-04-12T10:00:00Z"), nil)
		wantStatus(t, "book", status, http.StatusCreated, string(raw))
		status, _, m = s.do(t, "DELETE", "/v1/bookings/"+bookingOf(t, raw).Booking.ID, b.bookerToken, nil)
		wantStatus(t, "cancel", status, http.StatusOK, m)

		for _, tt := range []struct {
			who, token string
			named      bool
		}{{"anyone", "", false}, {"the booker", b.bookerToken, false}, {"the owner", b.ownerToken, true}} {
			t.Run(tt.who, func(t *testing.T) {
				status, h, raw := s.send(t, request{method: "GET", path: "/v1/spaces/" + b.space.ID + "/calendar.ics", token: tt.token})
				wantStatus(t, "calendar", status, http.StatusOK, string(raw))
				if mt, _, _ := mime.ParseMediaType(h.Get("Content-Type")); mt != "text/calendar" {
					t.Errorf("Content-Type %q, want text/calendar", h.Get("Content-Type"))
				}
				cal := parseCalendar(t, raw)
				if v := calendarProp(cal, ics.PropertyVersion); v != "2.0" {
					t.Errorf("VERSION %q, want 2.0", v)
				}
				if calendarProp(cal, ics.PropertyProductId) == "" {
					t.Error("no PRODID")
				}
				if got := ics.FromText(calendarProp(cal, ics.PropertyXWRCalName)); got != name {
					t.Errorf("X-WR-CALNAME %q, want %q", got, name)
				}
				events := cal.Events()
				if len(events) != 2 {
					t.Fatalf("got %d events, want the 2 confirmed sessions:\n%s", len(events), raw)
				}
				var uids []string
				for i, ev := range events {
					occ := booking.Occurrences[i]
					start, err1 := ev.GetStartAt()
					end, err2 := ev.GetEndAt()
					stamp, err3 := ev.GetDtStampTime()
					if err1 != nil || err2 != nil || err3 != nil {
						t.Fatalf("event %d times: %v %v %v", i, err1, err2, err3)
					}
					if start.UTC().Format(time.RFC3339) != occ.Start || end.UTC().Format(time.RFC3339) != occ.End {
						t.Errorf("event %d runs %s–%s, want %s–%s", i, start.UTC(), end.UTC(), occ.Start, occ.End)
					}
					if stamp.IsZero() {
						t.Errorf("event %d has no DTSTAMP", i)
					}
					uids = append(uids, ev.Id())
					summary := ics.FromText(ev.GetProperty(ics.ComponentPropertySummary).Value)
					if strings.Contains(summary, "Fen Dance") != tt.named || !strings.Contains(summary, name) {
						t.Errorf("event %d summary %q: want the space's name, and the booker named only for the owner (%v)", i, summary, tt.named)
					}
				}
				if uids[0] == "" || uids[0] == uids[1] {
					t.Errorf("UIDs %v, want two distinct", uids)
				}
				// The second fetch names the same events the same way.
				_, _, again := s.send(t, request{method: "GET", path: "/v1/spaces/" + b.space.ID + "/calendar.ics", token: tt.token})
				var uids2 []string
				for _, ev := range parseCalendar(t, again).Events() {
					uids2 = append(uids2, ev.Id())
				}
				if !slices.Equal(uids, uids2) {
					t.Errorf("UIDs changed between fetches: %v then %v", uids, uids2)
				}
			})
		}
		status, _, m = s.do(t, "GET", "/v1/spaces/0190a0a0-0000-7000-8000-000000000000/calendar.ics", "", nil)
		wantStatus(t, "calendar of a missing space", status, http.StatusNotFound, m)
	})
}
