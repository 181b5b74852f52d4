package matching_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"commonground/matching"
	"commonground/seed"
)

// oracleWorld is the oracle's own copy of the data.
type oracleWorld struct {
	tax    *matching.Taxonomy
	orgs   map[string]*matching.Organisation
	venues map[string]*matching.Venue
	spaces map[string]*matching.Space
	booked map[string][]matching.Session
	// requesters are organisations with strong values, likely to conflict.
	requesters []string
	// touched are the venues the change set changed, or whose rooms it did.
	touched []string
}

func sortedKeys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Windows of dates the random sessions, bookings and closures fall in:
// Christmas, the spring clock change and Easter, the autumn clock change.
var oracleWindows = [][2]time.Time{
	{time.Date(2026, 12, 10, 0, 0, 0, 0, london), time.Date(2027, 1, 12, 0, 0, 0, 0, london)},
	{time.Date(2027, 3, 1, 0, 0, 0, 0, london), time.Date(2027, 4, 20, 0, 0, 0, 0, london)},
	{time.Date(2027, 10, 5, 0, 0, 0, 0, london), time.Date(2027, 11, 20, 0, 0, 0, 0, london)},
}

// randomDay is a local midnight in one of the windows.
func randomDay(r *rand.Rand) time.Time {
	w := oracleWindows[r.IntN(len(oracleWindows))]
	days := int(w[1].Sub(w[0]).Hours() / 24)
	return w[0].AddDate(0, 0, r.IntN(days))
}

// randomPeriod is a local period on a random day: start between from and
// to o'clock on the half hour, lasting 30 minutes to maxHalfHours half
// hours, ending by midnight.
func randomPeriod(r *rand.Rand, from, to, maxHalfHours int) matching.Session {
	d := randomDay(r)
	startMin := from*60 + 30*r.IntN((to-from)*2+1)
	endMin := min(startMin+30*(1+r.IntN(maxHalfHours)), 1440)
	y, m, dd := d.Date()
	start := time.Date(y, m, dd, 0, startMin, 0, 0, london)
	end := time.Date(y, m, dd, 0, endMin, 0, 0, london)
	return matching.Session{Start: start, End: end}
}

// randomBookings is a sorted list of confirmed, non-overlapping periods.
func randomBookings(r *rand.Rand) []matching.Session {
	n := 5 + r.IntN(60)
	var all []matching.Session
	for range n {
		all = append(all, randomPeriod(r, 16, 20, 6))
	}
	slices.SortFunc(all, func(a, b matching.Session) int { return a.Start.Compare(b.Start) })
	var out []matching.Session
	for _, s := range all {
		if len(out) > 0 && s.Overlaps(out[len(out)-1]) {
			continue
		}
		out = append(out, s)
	}
	return out
}

func randomClosures(r *rand.Rand) []matching.Closure {
	var out []matching.Closure
	for range 1 + r.IntN(3) {
		start := randomDay(r).Add(time.Duration(r.IntN(24)) * time.Hour)
		var d time.Duration
		if r.IntN(2) == 0 {
			d = time.Duration(2+r.IntN(10)) * time.Hour
		} else {
			d = time.Duration(1+r.IntN(10)) * 24 * time.Hour
		}
		out = append(out, matching.Closure{Start: start, End: start.Add(d), Reason: "works"})
	}
	return out
}

func randomHours(r *rand.Rand) []matching.OpeningHours {
	var out []matching.OpeningHours
	for _, d := range matching.Days {
		switch r.IntN(5) {
		case 0: // closed
		case 1: // morning and evening
			out = append(out, matching.OpeningHours{Day: d, Opens: 9 * 60, Closes: 12 * 60},
				matching.OpeningHours{Day: d, Opens: 17*60 + 30, Closes: matching.ClockTime(19*60 + 30*r.IntN(10))})
		case 2:
			out = append(out, matching.OpeningHours{Day: d, Opens: matching.ClockTime(60 * r.IntN(20)), Closes: 1440})
		default:
			out = append(out, matching.OpeningHours{Day: d, Opens: matching.ClockTime(6*60 + 30*r.IntN(8)),
				Closes: matching.ClockTime(18*60 + 30*r.IntN(13))})
		}
	}
	return out
}

var (
	oracleZones    = []string{"Europe/Paris", "America/New_York", "Europe/Dublin", "UTC"}
	oraclePractice = []string{"animal-testing", "fossil-fuel-sponsorship", "gambling-sponsorship", "alcohol-sponsorship",
		"arms-industry-links", "zero-hours-contracts", "religious-proselytising", "unpaid-internships"}
	oracleValues = []string{"animal-welfare", "environmental-sustainability", "wellbeing", "youth-voice",
		"fair-pay-for-artists", "living-wage", "peace", "secular", "inclusion"}
)

func pickSome(r *rand.Rand, from []string, max int) []string {
	idx := r.Perm(len(from))[:1+r.IntN(max)]
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = from[j]
	}
	return out
}

func activitySlugs(tax *matching.Taxonomy) []string {
	out := make([]string, len(tax.Activities))
	for i, a := range tax.Activities {
		out[i] = a.Slug
	}
	return out
}

// perturbSpace changes a space at random: closures, prohibited
// activities, prices, floor, ceiling, amenities, opening hours.
func perturbSpace(r *rand.Rand, tax *matching.Taxonomy, s *matching.Space) {
	if r.Float64() < 0.25 {
		s.Closures = randomClosures(r)
	} else if r.Float64() < 0.1 {
		s.Closures = nil
	}
	if r.Float64() < 0.15 {
		s.ProhibitedActivities = pickSome(r, activitySlugs(tax), 4)
	}
	if r.Float64() < 0.25 {
		s.Prices = nil
		for _, t := range matching.Tiers {
			if r.IntN(3) > 0 {
				s.Prices = append(s.Prices, matching.Price{Tier: t, PencePerHour: 50 * r.IntN(161)})
			}
		}
	}
	if r.Float64() < 0.1 {
		s.Floor = matching.Floors[r.IntN(len(matching.Floors))]
	}
	if r.Float64() < 0.1 {
		s.CeilingHeightM = float64(r.IntN(60)) / 10 // 0: unknown
	}
	if r.Float64() < 0.1 {
		s.Obstructions, s.ChangingRooms, s.Mirrors = r.IntN(2) == 0, r.IntN(2) == 0, r.IntN(2) == 0
	}
	if r.Float64() < 0.2 {
		s.OpeningHours = randomHours(r)
	}
	if r.Float64() < 0.05 {
		s.FloorAreaM2 = float64(20 + r.IntN(300))
		s.Capacity = 1 + r.IntN(100)
	}
	if r.Float64() < 0.3 {
		// Booking horizons from a day to the longest allowed (0: the
		// default), some short of the requests' sessions (oracleNow).
		s.BookingHorizonDays = []int{0, 1, 2, 7, 30, 60, 90, 200, matching.MaxBookingHorizonDays, 1 + r.IntN(400)}[r.IntN(10)]
	}
	perturbActivityFields(r, s)
}

// perturbActivityFields changes what the activity rules read: open air
// and its surface (sometimes unrecorded), tap boards, rigging points rated
// on both sides of a dancer's load.
func perturbActivityFields(r *rand.Rand, s *matching.Space) {
	if r.Float64() < 0.1 {
		s.Outdoor = r.IntN(3) == 0
		s.Surface = ""
		if s.IsOutdoor() && r.IntN(4) > 0 {
			s.Surface = matching.Surfaces[r.IntN(len(matching.Surfaces))]
		}
	}
	if r.Float64() < 0.1 {
		s.TapBoards = r.IntN(2) == 0
	}
	if r.Float64() < 0.1 {
		s.RiggingPoints = nil
		for range r.IntN(6) {
			s.RiggingPoints = append(s.RiggingPoints, matching.RiggingPoint{RatedLoadKg: float64(100 * (1 + r.IntN(30)))})
		}
		if r.IntN(2) == 0 {
			s.CeilingHeightM = 6 + float64(r.IntN(30))/10
		}
	}
}

func perturbOrg(r *rand.Rand, o *matching.Organisation) {
	switch r.IntN(4) {
	case 0:
		o.Practices = pickSome(r, oraclePractice, 2)
	case 1:
		o.Values = pickSome(r, oracleValues, 3)
	case 2:
		o.Exclusions = pickSome(r, oraclePractice, 3)
	default:
		o.Practices, o.Values, o.Exclusions = nil, nil, nil
	}
	// Keep it valid: an organisation does not exclude its own practices.
	o.Exclusions = slices.DeleteFunc(o.Exclusions, func(x string) bool { return slices.Contains(o.Practices, x) })
}

// buildOracle makes the world for one seed, loads it into a new engine
// through Load and Commit (revision 1), then changes both through one
// change set (revision 2).
func buildOracle(t *testing.T, seedN int64) (*oracleWorld, *matching.Engine) {
	tax := seed.Taxonomy()
	r := rand.New(rand.NewPCG(uint64(seedN), 0x0ac1e))
	w := &oracleWorld{tax: tax, orgs: map[string]*matching.Organisation{}, venues: map[string]*matching.Venue{},
		spaces: map[string]*matching.Space{}, booked: map[string][]matching.Session{}}
	var orgIDs, venueIDs, spaceIDs []string // load order
	add := func(ds *seed.Dataset) {
		for i := range ds.Organisations {
			o := ds.Organisations[i]
			if w.orgs[o.ID] != nil {
				t.Fatalf("organisation %s twice", o.ID)
			}
			w.orgs[o.ID] = &o
			orgIDs = append(orgIDs, o.ID)
		}
		for i := range ds.Venues {
			v := ds.Venues[i]
			w.venues[v.ID] = &v
			venueIDs = append(venueIDs, v.ID)
		}
		for i := range ds.Spaces {
			s := ds.Spaces[i]
			if w.spaces[s.ID] != nil {
				t.Fatalf("space %s twice", s.ID)
			}
			w.spaces[s.ID] = &s
			spaceIDs = append(spaceIDs, s.ID)
		}
	}
	add(seed.Demo(seedN))
	err := seed.Generate(seed.ScaleOptions{Seed: seedN + 1000, Spaces: 3000, BatchSize: 1000}, func(ds *seed.Dataset) error {
		add(ds)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Requesters with strong values and objections.
	for i := range 4 {
		o := &matching.Organisation{ID: fmt.Sprintf("ffffffff-0000-4000-8000-%012d", 10*seedN+int64(i)), Name: fmt.Sprintf("Requester %d", i),
			Type: matching.OrgArts, Location: cambridge, Values: pickSome(r, oracleValues, 4), Exclusions: pickSome(r, oraclePractice, 3)}
		w.orgs[o.ID] = o
		orgIDs = append(orgIDs, o.ID)
		w.requesters = append(w.requesters, o.ID)
	}
	for _, id := range orgIDs {
		if r.Float64() < 0.12 {
			perturbOrg(r, w.orgs[id])
		}
	}
	for _, id := range venueIDs {
		v := w.venues[id]
		if r.Float64() < 0.04 {
			v.Timezone = oracleZones[r.IntN(len(oracleZones))]
		}
		if r.Float64() < 0.2 {
			v.Accessibility = matching.Accessibility{StepFree: r.IntN(2) == 0, AccessibleToilet: r.IntN(2) == 0,
				HearingLoop: r.IntN(2) == 0, Parking: r.IntN(2) == 0}
		}
	}
	for _, id := range spaceIDs {
		perturbSpace(r, tax, w.spaces[id])
	}

	// Seeds 3 and 4 split every match between goroutines, so the split
	// is held to the brute force too.
	var opts matching.EngineOptions
	if seedN >= 3 {
		opts.ParallelMatchMin = 1
	}
	// Load: bookings of half the booked spaces come with the snapshot.
	e := matching.NewEngine(tax, opts)
	if seedN%2 == 0 {
		// Seeds 2 and 4 use the grid cells of a large model.
		matching.SetDenseSpaces(e, 0)
	}
	l := e.Load()
	for _, id := range orgIDs {
		if err := l.Organisation(w.orgs[id]); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range venueIDs {
		if err := l.Venue(w.venues[id]); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range spaceIDs {
		if err := w.spaces[id].Validate(tax); err != nil {
			t.Fatalf("space %s: %v", id, err)
		}
		if err := l.Space(w.spaces[id]); err != nil {
			t.Fatal(err)
		}
	}
	later := map[string][]matching.Session{}
	for _, id := range spaceIDs {
		if r.Float64() < 0.3 {
			b := randomBookings(r)
			w.booked[id] = b
			if r.IntN(2) == 0 {
				if err := l.Booked(id, b); err != nil {
					t.Fatal(err)
				}
			} else {
				later[id] = b
			}
		}
	}
	l.Commit(1)

	cs := w.changes(r, spaceIDs, later)
	if err := e.Apply(cs); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	// Sets at or below the revision are ignored: this one would empty it.
	stale := &matching.ChangeSet{Revision: 2, DeletedOrganisations: sortedKeys(w.orgs)}
	if err := e.Apply(stale); err != nil {
		t.Fatalf("Apply(stale): %v", err)
	}
	stale.Revision = 1
	if err := e.Apply(stale); err != nil {
		t.Fatalf("Apply(stale): %v", err)
	}
	orgs, venues, spaces := e.Counts()
	if orgs != len(w.orgs) || venues != len(w.venues) || spaces != len(w.spaces) {
		t.Fatalf("Counts() = %d, %d, %d; want %d, %d, %d", orgs, venues, spaces, len(w.orgs), len(w.venues), len(w.spaces))
	}
	return w, e
}
