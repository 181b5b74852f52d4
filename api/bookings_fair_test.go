package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"commonground/api"
	"commonground/store"
)

// thursdaySpace is a studio open on Thursdays 09:00–22:00 (besides
// spaceBody's Mondays and Saturdays), priced community 1500 and standard
// 2500 an hour, with the fields given.
func thursdaySpace(t *testing.T, s *server, b bookable, kv ...any) api.Space {
	t.Helper()
	venue := s.venue(t, b.ownerToken, "Thursday Rooms", cLat, cLon)
	body := with(spaceBody("Thursday studio"), "prohibited_activities", []string{}, "opening_hours", []any{
		map[string]any{"day": "thu", "opens": "09:00", "closes": "22:00"},
	})
	return s.space(t, b.ownerToken, venue, with(body, kv...))
}

// weeksAhead is the first date with weekday day at least n days after the
// database's today: the store decides horizons and caps by its own clock,
// the real one in these tests.
func weeksAhead(n int, day time.Weekday) string {
	d := time.Now().UTC().AddDate(0, 0, n)
	for d.Weekday() != day {
		d = d.AddDate(0, 0, 1)
	}
	return d.Format("2006-01-02")
}

func thursdays(from string, count int, start, end string) map[string]any {
	return map[string]any{"weekly": map[string]any{"day": "thu", "start": start, "end": end, "from": from, "count": count}}
}

// TestQuoteIsWhatBookingCharges quotes ten Thursday sessions, checks the
// quote recorded nothing, books the same body and finds the same charge,
// session by session; a cancelled session then stops being charged.
func TestQuoteIsWhatBookingCharges(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		b := newBookable(t, s, true)
		sp := thursdaySpace(t, s, b)
		body := with(thursdays(weeksAhead(14, time.Thursday), 10, "18:00", "20:00"), "tier", "community", "purpose", "Ten-week course")

		before := recordCounts(t, db)
		status, h, raw := s.send(t, request{method: "POST", path: "/v1/spaces/" + sp.ID + "/quote", token: b.bookerToken, body: body})
		wantStatus(t, "quote", status, http.StatusOK, string(raw))
		if after := recordCounts(t, db); after != before {
			t.Errorf("the quote recorded something: %v → %v", before, after)
		}
		if h.Get("Location") != "" || h.Get("Cache-Control") != "no-store" {
			t.Errorf("quote headers Location %q, Cache-Control %q; want none and no-store", h.Get("Location"), h.Get("Cache-Control"))
		}
		quote := bookingOf(t, raw).Booking
		// Ten sessions of two hours at £15 an hour.
		if quote.Status != "quote" || quote.ID != "" || quote.Tier != "community" || quote.PencePerHour != 1500 ||
			quote.TotalPence != 10*2*1500 || len(quote.Occurrences) != 10 {
			t.Fatalf("quote %+v, want status quote, no id, community at 1500, 30000 in all for 10 sessions", quote)
		}

		status, _, raw = s.book(t, b.bookerToken, sp.ID, body, nil)
		wantStatus(t, "book", status, http.StatusCreated, string(raw))
		booked := bookingOf(t, raw).Booking
		if booked.Status != "confirmed" || booked.Tier != quote.Tier || booked.PencePerHour != quote.PencePerHour ||
			booked.TotalPence != quote.TotalPence {
			t.Errorf("booking charges %s %d/h, %d in all; the quote said %s %d/h, %d", booked.Tier, booked.PencePerHour,
				booked.TotalPence, quote.Tier, quote.PencePerHour, quote.TotalPence)
		}
		for i, o := range booked.Occurrences {
			if q := quote.Occurrences[i]; o.Start != q.Start || o.Pence != q.Pence || o.Pence != 3000 || o.Status != q.Status {
				t.Errorf("session %d: booked %+v, quoted %+v, want 3000 pence each", i, o, q)
			}
		}
		got := bookingOf(t, mustGet(t, s, "/v1/bookings/"+booked.ID, b.bookerToken)).Booking
		if got.TotalPence != booked.TotalPence || got.Tier != "community" || got.PencePerHour != 1500 {
			t.Errorf("GET booking: %s %d/h %d in all, want what was booked", got.Tier, got.PencePerHour, got.TotalPence)
		}

		// A quote now finds every session booked: as booking would, 409.
		status, _, raw = s.send(t, request{method: "POST", path: "/v1/spaces/" + sp.ID + "/quote", token: b.bookerToken, body: body})
		wantStatus(t, "quote of booked sessions", status, http.StatusConflict, string(raw))

		status, _, m := s.do(t, "POST", "/v1/bookings/"+booked.ID+"/occurrences/3/cancel", b.bookerToken, nil)
		wantStatus(t, "cancel a session", status, http.StatusOK, m)
		after := as[api.BookingEnvelope](t, m).Booking
		if after.TotalPence != 9*3000 || after.Occurrences[3].Pence != 3000 {
			t.Errorf("after cancelling a session: total %d, its pence %d; want 27000 and its price still shown", after.TotalPence,
				after.Occurrences[3].Pence)
		}

		// Without a tier: standard.
		status, _, raw = s.send(t, request{method: "POST", path: "/v1/spaces/" + sp.ID + "/quote", token: b.bookerToken,
			body: thursdays(weeksAhead(30*7, time.Thursday), 1, "10:00", "11:30")})
		wantStatus(t, "quote at the default tier", status, http.StatusOK, string(raw))
		if q := bookingOf(t, raw).Booking; q.Tier != "standard" || q.PencePerHour != 2500 || q.TotalPence != 3750 {
			t.Errorf("default tier quote %s %d/h %d, want standard 2500/h 3750", q.Tier, q.PencePerHour, q.TotalPence)
		}
	})
}

func mustGet(t *testing.T, s *server, path, token string) []byte {
	t.Helper()
	status, _, raw := s.send(t, request{method: "GET", path: path, token: token})
	wantStatus(t, "GET "+path, status, http.StatusOK, string(raw))
	return raw
}

// TestBookingRefusedByTierOrHorizon: an unknown tier is bad input (400);
// a tier the space does not price and a session past its horizon are the
// space's refusal (422), for a booking and a quote alike, each naming the
// field, and nothing is booked.
func TestBookingRefusedByTierOrHorizon(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		b := newBookable(t, s, true)
		sp := thursdaySpace(t, s, b, "booking_horizon_days", 60)
		if sp.BookingHorizonDays != 60 {
			t.Fatalf("booking_horizon_days %d, want 60", sp.BookingHorizonDays)
		}
		soon := weeksAhead(14, time.Thursday)
		tests := []struct {
			name   string
			body   map[string]any
			status int
			field  string
			names  string
		}{
			{"unknown tier", with(thursdays(soon, 1, "10:00", "11:00"), "tier", "gold"), http.StatusBadRequest, "tier", "gold"},
			{"unpriced tier", with(thursdays(soon, 1, "10:00", "11:00"), "tier", "commercial"), http.StatusUnprocessableEntity, "tier", "commercial"},
			// The last of three weekly sessions from day 50 to 56 is past day
			// 60, and perhaps the second: each is named.
			{"past the horizon", thursdays(weeksAhead(50, time.Thursday), 3, "10:00", "11:00"), http.StatusUnprocessableEntity,
				"sessions[2].start", "60 days"},
		}
		before := recordCounts(t, db)
		for _, tt := range tests {
			for _, path := range []string{"/bookings", "/quote"} {
				status, h, raw := s.send(t, request{method: "POST", path: "/v1/spaces/" + sp.ID + path, token: b.bookerToken, body: tt.body})
				p := checkProblem(t, tt.name, status, h, raw)
				if status != tt.status {
					t.Errorf("%s %s: got %d, want %d: %s", tt.name, path, status, tt.status, raw)
					continue
				}
				if msg, ok := fieldMessage(p, tt.field); !ok || !strings.Contains(msg, tt.names) {
					t.Errorf("%s %s: errors %+v, want %s naming %q", tt.name, path, p.Errors, tt.field, tt.names)
				}
				for _, fe := range p.Errors {
					if _, ok := fieldMessage(p, "sessions[0].start"); ok || fe.Field != tt.field && !strings.HasPrefix(fe.Field, "sessions[1]") {
						t.Errorf("%s %s: error %+v, want only sessions past the horizon named", tt.name, path, fe)
					}
				}
			}
		}
		if after := recordCounts(t, db); after != before {
			t.Errorf("refused requests recorded something: %v → %v", before, after)
		}
		// The horizon is the space's: PATCH it and the same sessions book.
		status, _, m := s.do(t, "PATCH", "/v1/spaces/"+sp.ID, b.ownerToken, map[string]any{"booking_horizon_days": 400})
		wantStatus(t, "patch horizon", status, http.StatusOK, m)
		status, _, raw := s.book(t, b.bookerToken, sp.ID, tests[2].body, nil)
		wantStatus(t, "book within the longer horizon", status, http.StatusCreated, string(raw))
		for _, bad := range []struct {
			field string
			value any
		}{
			{"booking_horizon_days", 0}, {"booking_horizon_days", -1}, {"booking_horizon_days", 5000}, {"booking_horizon_days", "x"},
			{"turnaround_minutes", -1}, {"turnaround_minutes", 1441}, {"turnaround_minutes", 1.5},
			{"max_hours_per_organisation", -1}, {"max_hours_per_organisation", 100001},
		} {
			status, _, m := s.do(t, "PATCH", "/v1/spaces/"+sp.ID, b.ownerToken, map[string]any{bad.field: bad.value})
			wantStatus(t, fmt.Sprintf("patch %s to %v", bad.field, bad.value), status, http.StatusBadRequest, m)
			if _, ok := fieldMessage(problem(t, m), bad.field); !ok && bad.value != "x" && bad.value != 1.5 {
				t.Errorf("patch %s to %v: errors %v, want it named", bad.field, bad.value, problem(t, m).Errors)
			}
		}
		got := as[api.Space](t, s.get(t, "/v1/spaces/"+sp.ID, ""))
		if got.BookingHorizonDays != 400 || got.TurnaroundMinutes != 0 || got.MaxHoursPerOrganisation != 0 {
			t.Errorf("after refused PATCHes: %d days, %d min, %d h; want 400, 0, 0", got.BookingHorizonDays, got.TurnaroundMinutes,
				got.MaxHoursPerOrganisation)
		}
	})
}

// TestTurnaroundAndCap: a space that keeps 30 minutes clear refuses a
// session that comes closer to another organisation's booking, and the
// organisation past its cap waits for the owner; matching agrees with the
// store about the turnaround.
func TestTurnaroundAndCap(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		b := newBookable(t, s, true)
		sp := thursdaySpace(t, s, b, "turnaround_minutes", 30, "max_hours_per_organisation", 4)
		day := weeksAhead(14, time.Thursday)
		status, _, raw := s.book(t, b.bookerToken, sp.ID, thursdays(day, 1, "18:00", "19:00"), nil)
		wantStatus(t, "first booking", status, http.StatusCreated, string(raw))

		_, other := s.registerAt(t, "Second Company", cLat, cLon)
		status, _, raw = s.book(t, other, sp.ID, thursdays(day, 1, "19:15", "20:00"), nil)
		wantStatus(t, "within the turnaround", status, http.StatusConflict, string(raw))
		status, _, raw = s.book(t, other, sp.ID, thursdays(day, 1, "16:00", "17:45"), nil)
		wantStatus(t, "ending within the turnaround", status, http.StatusConflict, string(raw))

		// Venue matching sees the same gap: 19:15 is not free, 19:30 is.
		for _, tt := range []struct {
			start string
			free  bool
		}{{"19:15", false}, {"19:30", true}} {
			s.catchUp(t)
			status, _, m := s.do(t, "POST", "/v1/match/venues", other, map[string]any{
				"near": map[string]any{"lat": cLat, "lon": cLon}, "radius_km": 5, "group_size": 10, "activity": "contemporary",
				"sessions": []any{map[string]any{"start": localOn(t, day, tt.start), "end": localOn(t, day, "21:00")}},
			})
			wantStatus(t, "match", status, http.StatusOK, m)
			found := false
			for _, x := range m["matches"].([]any) {
				found = found || x.(map[string]any)["space_id"] == sp.ID
			}
			if found != tt.free {
				t.Errorf("match at %s: space matched %v, want %v", tt.start, found, tt.free)
			}
		}
		status, _, raw = s.book(t, other, sp.ID, thursdays(day, 1, "19:30", "21:00"), nil)
		wantStatus(t, "after the turnaround", status, http.StatusCreated, string(raw))

		// The first organisation holds 1 hour; 3 more reach the cap of 4.
		next := weeksAhead(21, time.Thursday)
		status, _, raw = s.book(t, b.bookerToken, sp.ID, thursdays(next, 1, "10:00", "13:00"), nil)
		wantStatus(t, "up to the cap", status, http.StatusCreated, string(raw))
		if got := bookingOf(t, raw).Booking.Status; got != "confirmed" {
			t.Errorf("up to the cap: %s, want confirmed", got)
		}
		status, _, raw = s.book(t, b.bookerToken, sp.ID, thursdays(next, 1, "14:00", "14:30"), nil)
		wantStatus(t, "past the cap", status, http.StatusCreated, string(raw))
		if got := bookingOf(t, raw).Booking; got.Status != "requested" || got.Occurrences[0].Status != "requested" {
			t.Errorf("past the cap: %s %v, want requested for the owner", got.Status, statuses(got))
		}
		// Another organisation is not held back by the first one's hours.
		status, _, raw = s.book(t, other, sp.ID, thursdays(next, 1, "16:00", "17:00"), nil)
		wantStatus(t, "another organisation", status, http.StatusCreated, string(raw))
		if got := bookingOf(t, raw).Booking.Status; got != "confirmed" {
			t.Errorf("another organisation: %s, want confirmed", got)
		}
	})
}

// localOn is date at hh:mm London time, as RFC 3339.
func localOn(t *testing.T, date, hhmm string) string {
	t.Helper()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at, err := time.ParseInLocation("2006-01-02 15:04", date+" "+hhmm, london)
	if err != nil {
		t.Fatal(err)
	}
	return at.Format(time.RFC3339)
}
