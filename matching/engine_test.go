package matching_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"commonground/geo"
	"commonground/matching"
	"commonground/seed"
)

func TestEngineLoadAndCounts(t *testing.T) {
	w := newApplyWorld()
	e := w.load(t, 5)
	checkCounts(t, e, 3, 3, 4)
	if got := e.Revision(); got != 5 {
		t.Errorf("Revision() = %d, want 5", got)
	}
	res := mustMatch(t, e, tuesdays())
	// The main hall is booked on the 19th; everything else is free.
	checkMatched(t, res, w.studio.ID, w.annexRoom.ID, w.labRoom.ID)
	if got := res.Excluded[matching.ExcludedUnavailable]; got != 1 {
		t.Errorf("excluded unavailable = %d, want 1 (%v)", got, res.Excluded)
	}
	m := findMatch(res, w.studio.ID)
	if m == nil {
		t.Fatal("studio not matched")
	}
	if m.VenueID != w.hall.ID || m.VenueName != "Mill Road Hall" || m.OrganisationID != w.trust.ID || m.Location != w.hall.Location {
		t.Errorf("studio match %+v does not carry its venue", m)
	}
	ex := explain(t, e, tuesdays(), w.main.ID)
	if ex.Matched || !slices.Equal(failureReasons(ex), []string{matching.ExcludedUnavailable}) {
		t.Errorf("main hall explanation: matched %v, failures %v; want only unavailable", ex.Matched, ex.Failures)
	}
	if len(ex.Conflicts) != 1 || ex.Conflicts[0].Reason != matching.ReasonBooked {
		t.Errorf("main hall conflicts %v, want one booked", ex.Conflicts)
	}

	// A new snapshot replaces the model whole.
	l := e.Load()
	if err := l.Organisation(&w.trust); err != nil {
		t.Fatal(err)
	}
	if err := l.Venue(&w.annex); err != nil {
		t.Fatal(err)
	}
	if err := l.Space(&w.annexRoom); err != nil {
		t.Fatal(err)
	}
	// Until Commit, queries see the old model.
	checkCounts(t, e, 3, 3, 4)
	l.Commit(9)
	checkCounts(t, e, 1, 1, 1)
	if got := e.Revision(); got != 9 {
		t.Errorf("Revision() after a second load = %d, want 9", got)
	}
	checkMatched(t, mustMatch(t, e, tuesdays()), w.annexRoom.ID)
}

func TestEngineLoaderRejectsBadRecords(t *testing.T) {
	w := newApplyWorld()
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	l := e.Load()
	if err := l.Venue(&w.hall); err == nil {
		t.Error("a venue of an unknown organisation: got no error")
	}
	if err := l.Organisation(&w.trust); err != nil {
		t.Fatal(err)
	}
	bad := w.hall
	bad.Timezone = "Mars/Olympus"
	if err := l.Venue(&bad); err == nil {
		t.Error("a venue in an unknown zone: got no error")
	}
	bad = w.hall
	bad.ID = "hall-1"
	if err := l.Venue(&bad); err == nil {
		t.Error("a venue whose ID is not a UUID: got no error")
	}
	if err := l.Space(&w.studio); err == nil {
		t.Error("a space of an unknown venue: got no error")
	}
	if err := l.Booked(uuidN(999), []matching.Session{session(localTime(2027, 1, 1, 9, 0), time.Hour)}); err != nil {
		t.Errorf("bookings of a space that has gone: got %v, want them ignored", err)
	}
}

// TestEngineMinimaAreInclusive: a room exactly as high or as large as asked
// meets the request, whatever the decimals.
func TestEngineMinimaAreInclusive(t *testing.T) {
	w := newApplyWorld()
	e := w.load(t, 1)
	for _, ceiling := range []float64{2.7, 3.3, 3.7, 4.1, 5.9} {
		studio := w.studio
		studio.CeilingHeightM = ceiling
		mustApply(t, e, &matching.ChangeSet{Revision: e.Revision() + 1, Spaces: []matching.Space{studio}})
		req := tuesdays()
		req.Activity = "tap" // no ceiling of its own
		req.Requirements.MinCeilingM = ceiling
		res := mustMatch(t, e, req)
		if findMatch(res, w.studio.ID) == nil {
			t.Errorf("a %.1f m ceiling does not meet a %.1f m requirement: %v", ceiling, ceiling, explain(t, e, req, w.studio.ID).Failures)
		}
	}
	// Floor area per dancer from a deployment's own profile.
	e2 := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{Activities: map[string]matching.ActivityProfile{
		"yoga": {MinAreaPerDancerM2: 2.2, MinCeilingM: 2.7},
	}})
	l := e2.Load()
	_ = l.Organisation(&w.trust)
	_ = l.Venue(&w.hall)
	studio := w.studio
	studio.FloorAreaM2, studio.CeilingHeightM = 6.6, 2.7 // 3 × 2.2, which is 6.6000000000000005 in float64
	if err := l.Space(&studio); err != nil {
		t.Fatal(err)
	}
	l.Commit(1)
	req := tuesdays()
	req.Activity, req.GroupSize = "yoga", 3
	if res := mustMatch(t, e2, req); findMatch(res, studio.ID) == nil {
		t.Errorf("6.6 m² and 2.7 m do not hold 3 at 2.2 m² and 2.7 m each: %v", res.Excluded)
	}
}

// TestEngineSessionsAndOpeningHours: opening hours are local wall-clock
// times; a session may end at midnight (24:00) but not run past it.
func TestEngineSessionsAndOpeningHours(t *testing.T) {
	w := newApplyWorld()
	e := w.load(t, 1)
	late := w.studio
	late.OpeningHours = []matching.OpeningHours{{Day: "fri", Opens: 18 * 60, Closes: 23*60 + 59},
		{Day: "sat", Opens: 18 * 60, Closes: 24 * 60}, {Day: "sun", Opens: 0, Closes: 2 * 60}}
	mustApply(t, e, &matching.ChangeSet{Revision: 2, Spaces: []matching.Space{late}})
	sat := localTime(2027, 3, 27, 0, 0) // the night the clocks go forward
	tests := []struct {
		name       string
		start, end time.Time
		want       string // "" free, or the conflict
	}{
		{"22:00 to midnight", sat.Add(22 * time.Hour), localTime(2027, 3, 28, 0, 0), ""},
		{"Friday 22:00 to midnight, closing at 23:59", localTime(2027, 3, 26, 22, 0), sat, matching.ReasonOutsideHours},
		{"Friday 22:00 to 23:59", localTime(2027, 3, 26, 22, 0), localTime(2027, 3, 26, 23, 59), ""},
		{"Friday 22:00 to 23:59:30", localTime(2027, 3, 26, 22, 0), localTime(2027, 3, 26, 23, 59).Add(30 * time.Second), matching.ReasonOutsideHours},
		{"18:00 to 19:30", sat.Add(18 * time.Hour), sat.Add(19*time.Hour + 30*time.Minute), ""},
		{"17:30 to 19:00", sat.Add(17*time.Hour + 30*time.Minute), sat.Add(19 * time.Hour), matching.ReasonOutsideHours},
		{"23:00 to 00:30", sat.Add(23 * time.Hour), localTime(2027, 3, 28, 0, 30), matching.ReasonOutsideHours},
		{"Sunday 00:30 to 02:00, across the gap", localTime(2027, 3, 28, 0, 30), localTime(2027, 3, 28, 2, 0), ""},
		{"Sunday 00:30 to 03:00, after closing", localTime(2027, 3, 28, 0, 30), localTime(2027, 3, 28, 3, 0), matching.ReasonOutsideHours},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tuesdays()
			req.Sessions = []matching.Session{{Start: tt.start, End: tt.end}}
			ex := explain(t, e, req, w.studio.ID)
			var got string
			if len(ex.Conflicts) > 0 {
				got = ex.Conflicts[0].Reason
			}
			if got != tt.want || ex.Matched != (tt.want == "") {
				t.Errorf("got conflict %q (matched %v), want %q", got, ex.Matched, tt.want)
			}
		})
	}
}

// TestEngineTieBreaks: equal scores rank the nearer space first, then by
// ID.
func TestEngineTieBreaks(t *testing.T) {
	tax := seed.Taxonomy()
	e := matching.NewEngine(tax, matching.EngineOptions{})
	l := e.Load()
	owner := matching.Organisation{ID: uuidN(1), Name: "Owner", Type: matching.OrgCommunity, Location: cambridge}
	_ = l.Organisation(&owner)
	// Due north of the centre, so distances grow exactly with latitude.
	at := func(n int, m float64) *matching.Venue {
		v := &matching.Venue{ID: uuidN(100 + n), OrganisationID: owner.ID, Name: fmt.Sprintf("V%d", n),
			Location: geo.MustPoint(cambridge.Lat()+m/geo.EarthRadiusM*180/math.Pi, cambridge.Lon()), Timezone: "Europe/London"}
		if err := l.Venue(v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	room := func(id int, v *matching.Venue, price int) {
		s := newApplyWorld().studio
		s.ID, s.VenueID, s.Name = uuidN(id), v.ID, fmt.Sprintf("room %d", id)
		s.Prices = []matching.Price{{Tier: "standard", PencePerHour: price}}
		if err := l.Space(&s); err != nil {
			t.Fatal(err)
		}
	}
	// 100 m further (1% of 10 km: 0.0025 off the score) is made up by
	// £1 an hour less (1/60 of £60: 0.0025 on it).
	near, far := at(1, 1000), at(2, 1100)
	room(30, near, 3000)
	room(20, far, 2900)
	room(11, near, 3000) // same place and score as room 30: by ID
	l.Commit(1)
	res := mustMatch(t, e, tuesdays())
	want := []string{uuidN(11), uuidN(30), uuidN(20)}
	if got := matchIDs(res); !slices.Equal(got, want) {
		for _, m := range res.Matches {
			t.Logf("%s %.6f %.3f km", m.SpaceName, m.Score, m.DistanceKm)
		}
		t.Errorf("order %v, want %v", got, want)
	}
	if res.Matches[0].Score != res.Matches[2].Score {
		t.Errorf("scores %v and %v, want a tie", res.Matches[0].Score, res.Matches[2].Score)
	}
}
