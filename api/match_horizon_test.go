package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"commonground/api"
	"commonground/store"
	"commonground/store/storetest"
)

// TestMatchAgreesWithBookingHorizon: a room that takes bookings up to 60
// days ahead, asked for twelve weekly sessions starting two days from now.
// Sessions start on days 2, 9, …, 79 (give or take a clock change), so
// the first nine (the last on day 58) lie within the horizon and the last
// three (from day 65) beyond it. The match says 9 of 12 free and names
// the other three beyond_horizon; booking the nine free sessions succeeds
// and booking the other three is refused (422), naming each. The API and
// the store run on the same (real) clock, as in service.
func TestMatchAgreesWithBookingHorizon(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newServer(t, db, func(c *api.Config) { c.Now = time.Now })
		b := newBookable(t, s, true)
		venue := s.venue(t, b.ownerToken, "Horizon Rooms", cLat, cLon)
		sp := s.space(t, b.ownerToken, venue, with(spaceBody("Sixty-day studio"), "prohibited_activities", []string{},
			"opening_hours", hours("mon", "tue", "wed", "thu", "fri", "sat", "sun"), "booking_horizon_days", 60))
		s.catchUp(t)

		london, err := time.LoadLocation("Europe/London")
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		first := now.In(london).AddDate(0, 0, 2)
		day := strings.ToLower(first.Weekday().String()[:3])
		weekly := map[string]any{"day": day, "start": "18:00", "end": "20:00", "from": first.Format("2006-01-02"), "count": 12}
		// Which sessions lie within the horizon, worked out here: a
		// session may start until now plus 60 days.
		limit := now.Add(60 * 24 * time.Hour)
		var within, beyond []time.Time
		for k := range 12 {
			d := first.AddDate(0, 0, 7*k)
			start := time.Date(d.Year(), d.Month(), d.Day(), 18, 0, 0, 0, london)
			if start.After(limit) {
				beyond = append(beyond, start)
			} else {
				within = append(within, start)
			}
		}
		if len(within) != 9 || len(beyond) != 3 {
			t.Fatalf("%d sessions within the horizon and %d beyond, want 9 and 3", len(within), len(beyond))
		}

		status, _, m := s.do(t, "POST", "/v1/match/venues", "", map[string]any{
			"near": map[string]any{"lat": cLat, "lon": cLon}, "radius_km": 5, "group_size": 12, "activity": "contemporary",
			"weekly": weekly, "require_all_sessions": false, "explain_space_id": sp.ID,
		})
		wantStatus(t, "match", status, http.StatusOK, m)
		res := as[api.VenueMatchResult](t, m)
		i := slices.IndexFunc(res.Matches, func(x api.VenueMatch) bool { return x.SpaceID == sp.ID })
		if i < 0 {
			t.Fatalf("the 60-day room is not matched: %+v", res.Matches)
		}
		match := res.Matches[i]
		if match.SessionsRequested != 12 || match.SessionsAvailable != 9 {
			t.Errorf("match: %d of %d sessions free, want 9 of 12", match.SessionsAvailable, match.SessionsRequested)
		}
		var conflicted []time.Time
		for _, c := range match.Conflicts {
			if c.Reason != "beyond_horizon" {
				t.Errorf("conflict %+v, want reason beyond_horizon", c)
			}
			conflicted = append(conflicted, mustTime(t, c.Start))
		}
		if !slices.EqualFunc(conflicted, beyond, time.Time.Equal) {
			t.Errorf("conflicts at %v, want %v", conflicted, beyond)
		}
		if ex := res.Explanation; ex == nil || !ex.Matched || len(ex.Conflicts) != 3 {
			t.Errorf("explanation %+v, want matched with 3 conflicts", ex)
		}
		// Asked for every session, the room is out, as unavailable.
		status, _, m = s.do(t, "POST", "/v1/match/venues", "", map[string]any{
			"near": map[string]any{"lat": cLat, "lon": cLon}, "radius_km": 5, "group_size": 12, "activity": "contemporary",
			"weekly": weekly,
		})
		wantStatus(t, "match all", status, http.StatusOK, m)
		all := as[api.VenueMatchResult](t, m)
		if slices.ContainsFunc(all.Matches, func(x api.VenueMatch) bool { return x.SpaceID == sp.ID }) || all.Excluded["unavailable"] == 0 {
			t.Errorf("with every session required: matches %+v, excluded %v; want the room excluded as unavailable", all.Matches, all.Excluded)
		}

		// Booking agrees: the whole series is refused for its last three
		// sessions; the nine free ones book; the other three do not.
		status, h, raw := s.send(t, request{method: "POST", path: "/v1/spaces/" + sp.ID + "/quote", token: b.bookerToken,
			body: map[string]any{"weekly": weekly}})
		p := checkProblem(t, "quote the series", status, h, raw)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("quote the series: %d, want 422: %s", status, raw)
		}
		for k := range 12 {
			_, named := fieldMessage(p, fmt.Sprintf("sessions[%d].start", k))
			if named != (k >= 9) {
				t.Errorf("quote the series: sessions[%d].start named %v, want %v", k, named, k >= 9)
			}
		}
		sessions := func(starts []time.Time) map[string]any {
			var out []any
			for _, st := range starts {
				out = append(out, map[string]any{"start": st.UTC().Format(time.RFC3339), "end": st.Add(2 * time.Hour).UTC().Format(time.RFC3339)})
			}
			return map[string]any{"sessions": out, "purpose": "Spring course"}
		}
		status, _, raw = s.book(t, b.bookerToken, sp.ID, sessions(within), nil)
		wantStatus(t, "book the nine free sessions", status, http.StatusCreated, string(raw))
		if got := statuses(bookingOf(t, raw).Booking); len(got) != 9 || slices.ContainsFunc(got, func(x string) bool { return x != "confirmed" }) {
			t.Errorf("booked %v, want 9 confirmed", got)
		}
		status, h, raw = s.book(t, b.bookerToken, sp.ID, sessions(beyond), nil)
		p = checkProblem(t, "book the other three", status, h, raw)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("book the other three: %d, want 422: %s", status, raw)
		}
		for k := range 3 {
			if msg, ok := fieldMessage(p, fmt.Sprintf("sessions[%d].start", k)); !ok || !strings.Contains(msg, "60 days") {
				t.Errorf("book the other three: sessions[%d].start %q, want it named past the 60-day horizon", k, msg)
			}
		}
	})
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	x, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return x
}
