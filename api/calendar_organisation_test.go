package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"commonground/api"
	"commonground/store"
)

// TestOrganisationCalendar: each party's calendar, behind its key, shows
// the confirmed sessions it books or hosts with where (LOCATION) and what
// for and with whom (DESCRIPTION); a missing, wrong or replaced key is
// 404; the calendar answers If-None-Match and If-Modified-Since with 304
// until a booking changes it.
func TestOrganisationCalendar(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		b := newBookable(t, s, true)
		status, _, m := s.do(t, "PATCH", "/v1/venues/"+b.space.VenueID, b.ownerToken,
			map[string]any{"address": "1 Mill Road, Cambridge", "postcode": "CB1 2AD"})
		wantStatus(t, "venue address", status, http.StatusOK, m)
		status, _, raw := s.book(t, b.bookerToken, b.space.ID,
			with(mondays("2027-03-01", 2, "18:00", "20:00"), "purpose", "Youth contemporary class"), nil)
		wantStatus(t, "book", status, http.StatusCreated, string(raw))
		booking := bookingOf(t, raw).Booking
		// A request the owner has not approved is not on either calendar.
		pending := newBookable(t, s, false)
		status, _, raw = s.book(t, b.bookerToken, pending.space.ID, mondays("2027-03-01", 1, "10:00", "11:00"), nil)
		wantStatus(t, "request", status, http.StatusCreated, string(raw))

		newKey := func(orgID, token string) api.CalendarKey {
			t.Helper()
			status, h, m := s.do(t, "POST", "/v1/organisations/"+orgID+"/calendar-key", token, nil)
			wantStatus(t, "calendar key", status, http.StatusCreated, m)
			if h.Get("Cache-Control") != "no-store" {
				t.Errorf("calendar key Cache-Control %q, want no-store", h.Get("Cache-Control"))
			}
			return as[api.CalendarKey](t, m)
		}
		get := func(path string, header map[string]string) (int, http.Header, []byte) {
			t.Helper()
			return s.send(t, request{method: "GET", path: path, header: header})
		}
		events := func(raw []byte) []*ics.VEvent {
			t.Helper()
			return parseCalendar(t, raw).Events()
		}
		prop := func(e *ics.VEvent, name ics.ComponentProperty) string {
			if p := e.GetProperty(name); p != nil {
				return p.Value
			}
			return ""
		}

		bookerKey := newKey(b.bookerID, b.bookerToken)
		ownerKey := newKey(b.ownerID, b.ownerToken)
		if !strings.HasPrefix(bookerKey.CalendarURL, "/v1/organisations/"+b.bookerID+"/calendar.ics?key=") {
			t.Errorf("calendar_url %q", bookerKey.CalendarURL)
		}
		for _, tt := range []struct {
			name  string
			url   string
			other string // the other party, named in DESCRIPTION
		}{{"booker", bookerKey.CalendarURL, "Mill Road Hall"}, {"owner", ownerKey.CalendarURL, "Fen Dance"}} {
			status, _, raw := get(tt.url, nil)
			wantStatus(t, tt.name+"'s calendar", status, http.StatusOK, string(raw))
			evs := events(raw)
			if len(evs) != 2 {
				t.Fatalf("%s's calendar: %d events, want the 2 confirmed sessions", tt.name, len(evs))
			}
			for i, e := range evs {
				if got, want := prop(e, ics.ComponentPropertyDtStart), strings.NewReplacer("-", "", ":", "").Replace(booking.Occurrences[i].Start); got != want {
					t.Errorf("%s event %d DTSTART %q, want %q", tt.name, i, got, want)
				}
				loc := prop(e, ics.ComponentPropertyLocation)
				for _, want := range []string{"Studio One", "Mill Road Hall", "1 Mill Road", "Cambridge", "CB1 2AD"} {
					if !strings.Contains(loc, want) {
						t.Errorf("%s event %d LOCATION %q, want %q in it", tt.name, i, loc, want)
					}
				}
				desc := prop(e, ics.ComponentPropertyDescription)
				if !strings.Contains(desc, "Youth contemporary class") || !strings.Contains(desc, tt.other) {
					t.Errorf("%s event %d DESCRIPTION %q, want the purpose and %q", tt.name, i, desc, tt.other)
				}
			}
		}

		path := "/v1/organisations/" + b.bookerID + "/calendar.ics"
		for _, bad := range []string{path, path + "?key=", path + "?key=cgcal_nope", path + "?key=" + url.QueryEscape(ownerKey.Key),
			"/v1/organisations/" + b.ownerID + "/calendar.ics?key=" + url.QueryEscape(bookerKey.Key)} {
			status, _, raw := get(bad, nil)
			wantStatus(t, "GET "+bad, status, http.StatusNotFound, string(raw))
		}
		status, _, raw = get(bookerKey.CalendarURL+"&when=now", nil)
		wantStatus(t, "unknown parameter", status, http.StatusBadRequest, string(raw))

		// Conditional requests.
		status, h, body := get(bookerKey.CalendarURL, nil)
		wantStatus(t, "calendar", status, http.StatusOK, string(body))
		etag, lastMod := h.Get("ETag"), h.Get("Last-Modified")
		modified, err := http.ParseTime(lastMod)
		if etag == "" || err != nil {
			t.Fatalf("ETag %q, Last-Modified %q (%v): want both", etag, lastMod, err)
		}
		for _, tt := range []struct {
			name   string
			header map[string]string
			want   int
		}{
			{"If-None-Match", map[string]string{"If-None-Match": etag}, http.StatusNotModified},
			{"If-Modified-Since Last-Modified", map[string]string{"If-Modified-Since": lastMod}, http.StatusNotModified},
			{"If-Modified-Since later", map[string]string{"If-Modified-Since": modified.Add(time.Hour).Format(http.TimeFormat)}, http.StatusNotModified},
			{"If-Modified-Since earlier", map[string]string{"If-Modified-Since": modified.Add(-time.Second).Format(http.TimeFormat)}, http.StatusOK},
			{"If-None-Match wins", map[string]string{"If-None-Match": `"other"`, "If-Modified-Since": lastMod}, http.StatusOK},
			{"garbled If-Modified-Since", map[string]string{"If-Modified-Since": "yesterday"}, http.StatusOK},
		} {
			status, h, body := get(bookerKey.CalendarURL, tt.header)
			if status != tt.want {
				t.Errorf("%s: got %d, want %d", tt.name, status, tt.want)
			}
			if status == http.StatusNotModified && (len(body) != 0 || h.Get("ETag") != etag) {
				t.Errorf("%s: 304 with %d bytes and ETag %q, want none and %q", tt.name, len(body), h.Get("ETag"), etag)
			}
		}
		status, _, m = s.do(t, "POST", "/v1/bookings/"+booking.ID+"/occurrences/1/cancel", b.bookerToken, nil)
		wantStatus(t, "cancel a session", status, http.StatusOK, m)
		status, h, body = get(bookerKey.CalendarURL, map[string]string{"If-None-Match": etag})
		wantStatus(t, "after a cancellation", status, http.StatusOK, string(body))
		if len(events(body)) != 1 || h.Get("ETag") == etag {
			t.Errorf("after a cancellation: %d events, ETag %q; want 1 and a new ETag", len(events(body)), h.Get("ETag"))
		}
		if m, err := http.ParseTime(h.Get("Last-Modified")); err != nil || m.Before(modified) {
			t.Errorf("after a cancellation: Last-Modified %q, want no earlier than %q", h.Get("Last-Modified"), lastMod)
		}

		// A new key voids the old; only an admin may make one.
		renewed := newKey(b.bookerID, b.bookerToken)
		status, _, raw = get(bookerKey.CalendarURL, nil)
		wantStatus(t, "the voided key", status, http.StatusNotFound, string(raw))
		status, _, raw = get(renewed.CalendarURL, nil)
		wantStatus(t, "the new key", status, http.StatusOK, string(raw))
		status, _, m = s.do(t, "POST", "/v1/organisations/"+b.bookerID+"/calendar-key", b.ownerToken, nil)
		wantStatus(t, "another organisation's key", status, http.StatusForbidden, m)
		status, _, m = s.do(t, "POST", "/v1/organisations/"+b.bookerID+"/calendar-key", "", nil)
		wantStatus(t, "no token", status, http.StatusUnauthorized, m)
	})
}

// TestSpaceCalendarLastModified: the space's calendar also answers
// If-Modified-Since.
func TestSpaceCalendarLastModified(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		b := newBookable(t, s, true)
		status, _, raw := s.book(t, b.bookerToken, b.space.ID, mondays("2027-03-01", 1, "18:00", "20:00"), nil)
		wantStatus(t, "book", status, http.StatusCreated, string(raw))
		path := "/v1/spaces/" + b.space.ID + "/calendar.ics"
		status, h, raw := s.send(t, request{method: "GET", path: path})
		wantStatus(t, "calendar", status, http.StatusOK, string(raw))
		lastMod := h.Get("Last-Modified")
		modified, err := http.ParseTime(lastMod)
		if err != nil {
			t.Fatalf("Last-Modified %q: %v", lastMod, err)
		}
		for _, tt := range []struct {
			since time.Time
			want  int
		}{{modified, http.StatusNotModified}, {modified.Add(-time.Second), http.StatusOK}} {
			for _, method := range []string{"GET", "HEAD"} {
				status, _, _ := s.send(t, request{method: method, path: path,
					header: map[string]string{"If-Modified-Since": tt.since.Format(http.TimeFormat)}})
				if status != tt.want {
					t.Errorf("%s If-Modified-Since %s: got %d, want %d", method, tt.since, status, tt.want)
				}
			}
		}
	})
}

// FuzzOrganisationCalendarQuery sends arbitrary query strings to an
// organisation's calendar: never a 5xx; the calendar only for the one
// current key, sent once and alone; otherwise a 404 (any key but the
// current one) or a 400 (another parameter), as a problem body.
func FuzzOrganisationCalendarQuery(f *testing.F) {
	s, _ := fuzzServer(f)
	orgID, token := s.registerAt(f, "Fuzz company", cLat, cLon)
	rec := s.serve("POST", "/v1/organisations/"+orgID+"/calendar-key", token, nil)
	if rec.Code != http.StatusCreated {
		f.Fatalf("calendar key: %d %s", rec.Code, rec.Body.Bytes())
	}
	var key api.CalendarKey
	if err := json.Unmarshal(rec.Body.Bytes(), &key); err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{"key=" + url.QueryEscape(key.Key), "", "key=", "key=x", "key=" + key.Key + "&key=" + key.Key,
		"key=" + key.Key + "&x=1", "%zz", "key=%00", "key=" + strings.Repeat("a", 300), "&&&=", "key=" + key.Key + "%20"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		target := "/v1/organisations/" + orgID + "/calendar.ics?" + query
		if _, err := url.ParseRequestURI(target); err != nil || strings.ContainsAny(query, " #\x7f") || strings.ContainsFunc(query, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
			return // not a request target a client can send
		}
		rec := s.serve("GET", target, "", nil)
		if rec.Code >= 500 {
			t.Fatalf("%s: got %d: %s", target, rec.Code, rec.Body.Bytes())
		}
		q, _ := url.ParseQuery(query)
		good := len(q) == 1 && len(q["key"]) == 1 && q.Get("key") == key.Key
		switch {
		case good && rec.Code != http.StatusOK:
			t.Fatalf("%s: the current key got %d: %s", target, rec.Code, rec.Body.Bytes())
		case !good && rec.Code == http.StatusOK:
			t.Fatalf("%s: got the calendar without the one current key", target)
		case !good && rec.Code != http.StatusNotFound && rec.Code != http.StatusBadRequest:
			t.Fatalf("%s: got %d, want 404 or 400", target, rec.Code)
		case rec.Code != http.StatusOK && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json"):
			t.Fatalf("%s: %d with Content-Type %q, want a problem", target, rec.Code, rec.Header().Get("Content-Type"))
		}
	})
}
