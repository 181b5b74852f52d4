package matching_test

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"commonground/geo"
	"commonground/matching"
	"commonground/seed"
)

// The oracle test checks Engine.MatchVenues against a brute force written
// from the contract (api.md "Matching" and the doc comments of package
// matching): it scans every space of a world of a few thousand, held as
// plain domain values, for many random requests.

// oracleWorld is the oracle's own copy of the data.
type oracleWorld struct {
	tx     *matching.Taxonomy
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

func activitySlugs(tx *matching.Taxonomy) []string {
	out := make([]string, len(tx.Activities))
	for i, a := range tx.Activities {
		out[i] = a.Slug
	}
	return out
}

// perturbSpace changes a space at random: closures, prohibited
// activities, prices, floor, ceiling, amenities, opening hours.
func perturbSpace(r *rand.Rand, tx *matching.Taxonomy, s *matching.Space) {
	if r.Float64() < 0.25 {
		s.Closures = randomClosures(r)
	} else if r.Float64() < 0.1 {
		s.Closures = nil
	}
	if r.Float64() < 0.15 {
		s.ProhibitedActivities = pickSome(r, activitySlugs(tx), 4)
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
	tx := seed.Taxonomy()
	r := rand.New(rand.NewPCG(uint64(seedN), 0x0ac1e))
	w := &oracleWorld{tx: tx, orgs: map[string]*matching.Organisation{}, venues: map[string]*matching.Venue{},
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
		perturbSpace(r, tx, w.spaces[id])
	}

	// Seeds 3 and 4 split every match between goroutines, so the split
	// is held to the brute force too.
	var opts matching.EngineOptions
	if seedN >= 3 {
		opts.ParallelMatchMin = 1
	}
	// Load: bookings of half the booked spaces come with the snapshot.
	e := matching.NewEngine(tx, opts)
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
		if err := w.spaces[id].Validate(tx); err != nil {
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

// changes makes a change set at revision 2 and applies it to the world:
// the rest of the bookings, replaced and cleared bookings, updated and
// moved spaces, moved venues, updated organisations, and deletes — among
// them a venue whose room moved out just before, and an organisation
// whose venue passed to another.
func (w *oracleWorld) changes(r *rand.Rand, spaceIDs []string, later map[string][]matching.Session) *matching.ChangeSet {
	cs := &matching.ChangeSet{Revision: 2, Bookings: later}
	orgIDs, venueIDs := sortedKeys(w.orgs), sortedKeys(w.venues)
	spacesOf := map[string][]string{}
	for _, id := range spaceIDs {
		spacesOf[w.spaces[id].VenueID] = append(spacesOf[w.spaces[id].VenueID], id)
	}
	venuesOf := map[string][]string{}
	for _, id := range venueIDs {
		venuesOf[w.venues[id].OrganisationID] = append(venuesOf[w.venues[id].OrganisationID], id)
	}

	// What goes.
	goneOrg, goneVenue, goneSpace := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, id := range orgIDs {
		if r.Float64() < 0.01 && !slices.Contains(w.requesters, id) {
			goneOrg[id] = true
			for _, v := range venuesOf[id] {
				goneVenue[v] = true
			}
		}
	}
	for _, id := range venueIDs {
		if r.Float64() < 0.01 {
			goneVenue[id] = true
		}
	}
	for _, v := range venueIDs {
		if goneVenue[v] {
			for _, s := range spacesOf[v] {
				goneSpace[s] = true
			}
		}
	}
	for _, id := range spaceIDs {
		if r.Float64() < 0.01 {
			goneSpace[id] = true
		}
	}
	var keptVenues []string
	for _, id := range venueIDs {
		if !goneVenue[id] {
			keptVenues = append(keptVenues, id)
		}
	}
	upSpace := map[string]bool{}
	upVenue := map[string]bool{}
	moveSpace := func(id string) {
		s := w.spaces[id]
		v := w.venues[keptVenues[r.IntN(len(keptVenues))]]
		s.VenueID, s.OrganisationID, s.Location = v.ID, v.OrganisationID, v.Location
		goneSpace[id] = false
		upSpace[id] = true
	}
	// Rooms rescued from deleted venues, and venues from deleted owners.
	rescued := 0
	for _, v := range venueIDs {
		if goneVenue[v] && len(spacesOf[v]) > 0 && rescued < 3 {
			moveSpace(spacesOf[v][0])
			rescued++
		}
	}
	var keptOrgs []string
	for _, id := range orgIDs {
		if !goneOrg[id] {
			keptOrgs = append(keptOrgs, id)
		}
	}
	passed := 0
	for _, o := range orgIDs {
		if goneOrg[o] && len(venuesOf[o]) > 0 && passed < 2 {
			v := w.venues[venuesOf[o][0]]
			v.OrganisationID = keptOrgs[r.IntN(len(keptOrgs))]
			goneVenue[v.ID] = false
			upVenue[v.ID] = true
			for _, s := range spacesOf[v.ID] {
				goneSpace[s] = false
				w.spaces[s].OrganisationID = v.OrganisationID
				upSpace[s] = true
			}
			passed++
		}
	}
	for _, id := range spaceIDs {
		switch x := r.Float64(); {
		case goneSpace[id]:
		case x < 0.05:
			perturbSpace(r, w.tx, w.spaces[id])
			upSpace[id] = true
		case x < 0.06 && len(keptVenues) > 0:
			moveSpace(id)
		}
	}
	for _, id := range venueIDs {
		if goneVenue[id] || r.Float64() >= 0.03 {
			continue
		}
		v := w.venues[id]
		switch r.IntN(3) {
		case 0:
			v.Location = offsetKm(v.Location, r.Float64()*10-5, r.Float64()*10-5)
		case 1:
			v.Accessibility = matching.Accessibility{StepFree: r.IntN(2) == 0, AccessibleToilet: r.IntN(2) == 0,
				HearingLoop: r.IntN(2) == 0, Parking: r.IntN(2) == 0}
		default:
			v.OrganisationID = keptOrgs[r.IntN(len(keptOrgs))]
		}
		upVenue[id] = true
		for _, s := range spacesOf[id] {
			if sp := w.spaces[s]; !goneSpace[s] && sp.VenueID == id {
				sp.Location, sp.OrganisationID = v.Location, v.OrganisationID
				if r.IntN(2) == 0 { // sent with its venue, or not at all
					upSpace[s] = true
				}
			}
		}
	}
	for id := range upVenue {
		w.touched = append(w.touched, id)
	}
	for id := range upSpace {
		w.touched = append(w.touched, w.spaces[id].VenueID)
	}
	slices.Sort(w.touched)
	for _, id := range keptOrgs {
		if r.Float64() < 0.03 {
			perturbOrg(r, w.orgs[id])
			cs.Organisations = append(cs.Organisations, *w.orgs[id])
		}
	}
	for _, id := range venueIDs {
		if upVenue[id] {
			cs.Venues = append(cs.Venues, *w.venues[id])
		}
	}
	for _, id := range spaceIDs {
		if upSpace[id] {
			cs.Spaces = append(cs.Spaces, *w.spaces[id])
		}
	}
	for _, id := range sortedKeys(w.booked) {
		if _, ok := later[id]; ok || goneSpace[id] {
			continue
		}
		switch x := r.Float64(); {
		case x < 0.05:
			w.booked[id] = randomBookings(r)
			later[id] = w.booked[id]
		case x < 0.08:
			delete(w.booked, id)
			later[id] = nil
		}
	}

	// Deletes, and the world after them.
	for _, id := range orgIDs {
		if goneOrg[id] {
			cs.DeletedOrganisations = append(cs.DeletedOrganisations, id)
			delete(w.orgs, id)
		}
	}
	for _, id := range venueIDs {
		if goneVenue[id] {
			if !goneOrg[w.venues[id].OrganisationID] || r.IntN(2) == 0 {
				cs.DeletedVenues = append(cs.DeletedVenues, id)
			}
			delete(w.venues, id)
		}
	}
	for _, id := range spaceIDs {
		if goneSpace[id] {
			if w.venues[w.spaces[id].VenueID] != nil || r.IntN(2) == 0 {
				cs.DeletedSpaces = append(cs.DeletedSpaces, id)
			}
			delete(w.spaces, id)
			delete(w.booked, id)
		}
	}
	return cs
}

// oracleRequest draws a random request near a random venue of the world.
func oracleRequest(r *rand.Rand, w *oracleWorld, venueIDs []string, orgIDs []string) *matching.VenueRequest {
	v := w.venues[venueIDs[r.IntN(len(venueIDs))]]
	if r.IntN(4) == 0 {
		if t := w.venues[w.touched[r.IntN(len(w.touched))]]; t != nil {
			v = t
		}
	}
	acts := activitySlugs(w.tx)
	req := &matching.VenueRequest{
		Near:      offsetKm(v.Location, r.Float64()*6-3, r.Float64()*6-3),
		RadiusKm:  2 + r.Float64()*28,
		GroupSize: 1 + r.IntN(60),
		Activity:  acts[r.IntN(len(acts))],
		Tier:      []matching.Tier{"", "community", "standard", "commercial"}[r.IntN(4)],
		Limit:     []int{0, 1, 5, 20, 100, 1 + r.IntN(100)}[r.IntN(6)],
	}
	if r.IntN(3) == 0 {
		req.GroupSize = 1 + r.IntN(15)
	}
	if r.IntN(2) == 0 {
		req.MaxPencePerHour = 500 + 100*r.IntN(56)
	}
	rq := &req.Requirements
	for _, f := range []*bool{&rq.StepFree, &rq.AccessibleToilet, &rq.HearingLoop, &rq.Parking, &rq.ChangingRooms,
		&rq.SprungFloor, &rq.Mirrors, &rq.Barres, &rq.SoundSystem, &rq.ClimateControl, &rq.NoObstructions} {
		*f = r.Float64() < 0.07
	}
	if r.Float64() < 0.1 {
		rq.MinCeilingM = 2.5 + float64(r.IntN(26))/10
	}
	switch r.IntN(4) {
	case 0:
		req.OrganisationID = w.requesters[r.IntN(len(w.requesters))]
	case 1:
		req.OrganisationID = orgIDs[r.IntN(len(orgIDs))]
	}
	req.RequireAllSessions = r.IntN(2) == 0
	req.Sessions = oracleSessions(r)
	return req
}

func oracleSessions(r *rand.Rand) []matching.Session {
	switch r.IntN(4) {
	case 0: // a list
		var out []matching.Session
		n := 1 + r.IntN(12)
		if r.IntN(8) == 0 { // more sessions than one word of a set holds
			n = 80 + r.IntN(matching.MaxSessions-79)
		}
		for range n {
			s := randomPeriod(r, 6, 23, 8)
			if r.IntN(20) == 0 { // past midnight
				s.End = s.Start.Add(time.Duration(2+r.IntN(3)) * time.Hour)
			}
			if !slices.ContainsFunc(out, s.Overlaps) {
				out = append(out, s)
			}
		}
		return out
	case 1: // across a clock change
		from := []time.Time{time.Date(2027, 3, 9, 0, 0, 0, 0, time.UTC), time.Date(2027, 10, 19, 0, 0, 0, 0, time.UTC)}[r.IntN(2)]
		start := matching.ClockTime(16*60 + 30*r.IntN(8))
		return mustExpand(matching.Weekly{Day: matching.Days[r.IntN(7)], Start: start, End: start + matching.ClockTime(60*(1+r.IntN(2))),
			From: from, Count: 6, Timezone: "Europe/London"})
	default: // a weekly series
		start := matching.ClockTime(6*60 + 30*r.IntN(34))
		end := min(start+matching.ClockTime(30*(1+r.IntN(6))), 1440)
		tz := "Europe/London"
		if r.IntN(8) == 0 {
			tz = oracleZones[r.IntN(len(oracleZones))]
		}
		d := randomDay(r)
		count := 1 + r.IntN(20)
		if r.IntN(10) == 0 { // more sessions than one word of a set holds
			count = 60 + r.IntN(matching.MaxWeeklyCount-59)
		}
		return mustExpand(matching.Weekly{Day: matching.Days[r.IntN(7)], Start: start, End: end,
			From: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC), Count: count, Timezone: tz})
	}
}

func mustExpand(w matching.Weekly) []matching.Session {
	s, err := w.Expand()
	if err != nil {
		panic(err)
	}
	return s
}

// The brute force.

// profileFor is the activity's profile: DefaultActivityProfiles, or for
// an activity without one the engine's fallback (3 m² per dancer, no
// ceiling, not on carpet: activity.go).
func profileFor(activity string) matching.ActivityProfile {
	if p, ok := matching.DefaultActivityProfiles[activity]; ok {
		return p
	}
	return matching.ActivityProfile{MinAreaPerDancerM2: 3, UnsuitableFloors: []matching.Floor{matching.FloorCarpet}}
}

// bruteSpace is one space within twice the radius, as the brute force
// sees it.
type bruteSpace struct {
	id        string
	distM     float64
	failures  []string // every reason it fails, in ExclusionOrder
	free      int
	conflicts []matching.SessionConflict
	score     float64 // unrounded
	rounded   float64
}

type bruteResult struct {
	matches  []*bruteSpace // sorted
	byID     map[string]*bruteSpace
	excluded map[string]int
	// helperDiffs are sessions where Space.Unavailability and the check
	// by hand disagree.
	helperDiffs []string
}

func bruteMatch(w *oracleWorld, req *matching.VenueRequest) *bruteResult {
	res := &bruteResult{byID: map[string]*bruteSpace{}, excluded: map[string]int{}}
	radiusM := req.RadiusKm * 1000
	prof := profileFor(req.Activity)
	tier := req.Tier
	if tier == "" {
		tier = "standard"
	}
	var requester *matching.Organisation
	if req.OrganisationID != "" {
		requester = w.orgs[req.OrganisationID]
	}
	wt := matching.DefaultVenueWeights
	sum := wt.FitToDance + wt.Distance + wt.Room + wt.Price + wt.Extras + wt.Availability
	for id, s := range w.spaces {
		v := w.venues[s.VenueID]
		owner := w.orgs[v.OrganisationID]
		d := geo.DistanceM(req.Near, v.Location)
		if d > 2*radiusM {
			continue
		}
		b := &bruteSpace{id: id, distM: d}
		fail := func(reason string, failed bool) {
			if failed && !slices.Contains(b.failures, reason) {
				b.failures = append(b.failures, reason)
			}
		}
		fail(matching.ExcludedTooFar, d > radiusM)
		fail(matching.ExcludedValuesConflict, requester != nil && !w.tx.Compatible(requester, owner))
		fail(matching.ExcludedTooSmall, s.Capacity < req.GroupSize || s.FloorAreaM2 < float64(req.GroupSize)*prof.MinAreaPerDancerM2)
		fail(matching.ExcludedActivityNotAllowed, s.Prohibits(req.Activity) || slices.Contains(prof.UnsuitableFloors, s.Floor) ||
			(prof.MinCeilingM > 0 && s.CeilingHeightM < prof.MinCeilingM))
		rq := req.Requirements
		a := v.Accessibility
		fail(matching.ExcludedRequirementUnmet, (rq.StepFree && !a.StepFree) || (rq.AccessibleToilet && !a.AccessibleToilet) ||
			(rq.HearingLoop && !a.HearingLoop) || (rq.Parking && !a.Parking) || (rq.ChangingRooms && !s.ChangingRooms) ||
			(rq.SprungFloor && s.Floor != matching.FloorSprung && s.Floor != matching.FloorSemiSprung) ||
			(rq.Mirrors && !s.Mirrors) || (rq.Barres && !s.Barres) || (rq.SoundSystem && !s.SoundSystem) ||
			(rq.ClimateControl && !s.ClimateControl) || (rq.NoObstructions && s.Obstructions) ||
			(rq.MinCeilingM > 0 && s.CeilingHeightM < rq.MinCeilingM))
		price, priced := s.PriceFor(tier)
		fail(matching.ExcludedOverBudget, req.MaxPencePerHour > 0 && (!priced || price > req.MaxPencePerHour))
		loc := zone(v.Timezone)
		for _, sess := range req.Sessions {
			why := s.Unavailability(sess, loc, w.booked[id])
			if own := freeByHand(s, loc, w.booked[id], sess); own != (why == "") {
				res.helperDiffs = append(res.helperDiffs, fmt.Sprintf("space %s, session %s: Unavailability says %q, by hand free=%v",
					id, sess.Start.In(loc).Format(time.RFC3339), why, own))
			}
			if why != "" {
				b.conflicts = append(b.conflicts, matching.SessionConflict{Start: sess.Start, End: sess.End, Reason: why})
			} else {
				b.free++
			}
		}
		fail(matching.ExcludedUnavailable, b.free == 0 || (req.RequireAllSessions && b.free < len(req.Sessions)))
		res.byID[id] = b
		if len(b.failures) > 0 {
			res.excluded[b.failures[0]]++
			continue
		}
		// The score: the weighted soft factors (VenueWeights), weights
		// normalised to sum to 1.
		fit := float64(s.FitToDance()) / 5
		dist := clamp01(1 - d/radiusM)
		room := clamp01((s.FloorAreaM2 / float64(req.GroupSize)) / (2 * prof.MinAreaPerDancerM2))
		var pf float64
		switch {
		case !priced:
			pf = 0.5
		case req.MaxPencePerHour > 0:
			pf = clamp01(1 - float64(price)/float64(req.MaxPencePerHour))
		default:
			pf = clamp01(1 - float64(price)/6000)
		}
		extras := 0
		for _, x := range []bool{s.Mirrors, s.Barres, s.SoundSystem, s.ChangingRooms, s.ClimateControl} {
			if x {
				extras++
			}
		}
		avail := float64(b.free) / float64(len(req.Sessions))
		b.score = (wt.FitToDance*fit + wt.Distance*dist + wt.Room*room + wt.Price*pf + wt.Extras*float64(extras)/5 + wt.Availability*avail) / sum
		b.rounded = math.Round(b.score*1e6) / 1e6
		res.matches = append(res.matches, b)
	}
	slices.SortFunc(res.matches, func(a, b *bruteSpace) int {
		if c := cmp.Compare(b.rounded, a.rounded); c != 0 {
			return c
		}
		if c := cmp.Compare(a.distM, b.distM); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return res
}

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }

// Independent checks of the hard constraints on one returned match.

// openLocal reports whether a session lies within one opening period,
// read as wall-clock time in loc, ending by the next local midnight.
func openLocal(hours []matching.OpeningHours, loc *time.Location, s matching.Session) bool {
	ls, le := s.Start.In(loc), s.End.In(loc)
	y, m, d := ls.Date()
	midnight := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	from := ls.Hour()*60 + ls.Minute()
	var to int
	switch {
	case le.Equal(midnight):
		to = 1440
	case le.After(midnight):
		return false
	default:
		to = le.Hour()*60 + le.Minute()
		if le.Second() > 0 || le.Nanosecond() > 0 {
			to++
		}
	}
	day := strings.ToLower(ls.Weekday().String()[:3])
	for _, h := range hours {
		if string(h.Day) == day && int(h.Opens) <= from && to <= int(h.Closes) {
			return true
		}
	}
	return false
}

func overlapsPeriod(s matching.Session, start, end time.Time) bool {
	return s.Start.Before(end) && start.Before(s.End)
}

// freeByHand reports whether a space can take a session: open, not
// closed, not booked, by linear scans.
func freeByHand(s *matching.Space, loc *time.Location, booked []matching.Session, sess matching.Session) bool {
	if !openLocal(s.OpeningHours, loc, sess) {
		return false
	}
	for _, c := range s.Closures {
		if overlapsPeriod(sess, c.Start, c.End) {
			return false
		}
	}
	for _, b := range booked {
		if overlapsPeriod(sess, b.Start, b.End) {
			return false
		}
	}
	return true
}

func checkHardConstraints(w *oracleWorld, req *matching.VenueRequest, m *matching.VenueMatch) []string {
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	s := w.spaces[m.SpaceID]
	if s == nil {
		return []string{"no such space in the world (deleted?)"}
	}
	v := w.venues[s.VenueID]
	owner := w.orgs[v.OrganisationID]
	prof := profileFor(req.Activity)
	if m.VenueID != v.ID || m.OrganisationID != owner.ID || m.Location != v.Location {
		fail("venue %s, owner %s, at %v; want %s, %s, %v", m.VenueID, m.OrganisationID, m.Location, v.ID, owner.ID, v.Location)
	}
	if d := geo.DistanceM(req.Near, v.Location); d > req.RadiusKm*1000 || m.DistanceKm > req.RadiusKm+0.0005 {
		fail("%.0f m away (%.3f km), beyond %.3f km", d, m.DistanceKm, req.RadiusKm)
	}
	if s.Capacity < req.GroupSize {
		fail("holds %d, group of %d", s.Capacity, req.GroupSize)
	}
	if s.FloorAreaM2 < float64(req.GroupSize)*prof.MinAreaPerDancerM2 {
		fail("%.1f m² for %d at %.1f m² each", s.FloorAreaM2, req.GroupSize, prof.MinAreaPerDancerM2)
	}
	if slices.Contains(s.ProhibitedActivities, req.Activity) {
		fail("prohibits %s", req.Activity)
	}
	if slices.Contains(prof.UnsuitableFloors, s.Floor) {
		fail("%s floor unsuitable for %s", s.Floor, req.Activity)
	}
	if prof.MinCeilingM > 0 && s.CeilingHeightM < prof.MinCeilingM {
		fail("ceiling %.1f m below %.1f m for %s", s.CeilingHeightM, prof.MinCeilingM, req.Activity)
	}
	rq, a := req.Requirements, v.Accessibility
	for _, x := range []struct {
		name      string
		want, has bool
	}{{"step_free", rq.StepFree, a.StepFree}, {"accessible_toilet", rq.AccessibleToilet, a.AccessibleToilet},
		{"hearing_loop", rq.HearingLoop, a.HearingLoop}, {"parking", rq.Parking, a.Parking},
		{"changing_rooms", rq.ChangingRooms, s.ChangingRooms}, {"mirrors", rq.Mirrors, s.Mirrors}, {"barres", rq.Barres, s.Barres},
		{"sound_system", rq.SoundSystem, s.SoundSystem}, {"climate_control", rq.ClimateControl, s.ClimateControl},
		{"sprung_floor", rq.SprungFloor, s.Floor == "sprung" || s.Floor == "semi_sprung"}, {"no_obstructions", rq.NoObstructions, !s.Obstructions},
		{"min_ceiling", rq.MinCeilingM > 0, s.CeilingHeightM >= rq.MinCeilingM}} {
		if x.want && !x.has {
			fail("requirement %s unmet", x.name)
		}
	}
	if req.MaxPencePerHour > 0 {
		tier := cmp.Or(req.Tier, "standard")
		found := false
		for _, p := range s.Prices {
			if p.Tier == tier {
				found = true
				if p.PencePerHour > req.MaxPencePerHour {
					fail("%d pence an hour over a budget of %d", p.PencePerHour, req.MaxPencePerHour)
				}
			}
		}
		if !found {
			fail("no %s price under a budget", tier)
		}
	}
	if req.OrganisationID != "" {
		r := w.orgs[req.OrganisationID]
		for _, pair := range [][2]*matching.Organisation{{r, owner}, {owner, r}} {
			x, y := pair[0], pair[1]
			for _, p := range y.Practices {
				if slices.Contains(x.Exclusions, p) {
					fail("%s excludes %s, a practice of %s", x.Name, p, y.Name)
				}
				for _, val := range x.Values {
					if slices.Contains(w.tx.Conflicts, matching.Conflict{Value: val, Practice: p}) {
						fail("%s values %s; %s does %s", x.Name, val, y.Name, p)
					}
				}
			}
		}
	}
	loc, err := time.LoadLocation(v.Timezone)
	if err != nil {
		fail("zone %s: %v", v.Timezone, err)
		return bad
	}
	free := 0
	for _, sess := range req.Sessions {
		if freeByHand(s, loc, w.booked[s.ID], sess) {
			free++
		} else if req.RequireAllSessions {
			fail("not free for the session at %s", sess.Start.In(loc).Format(time.RFC3339))
		}
	}
	if free != m.SessionsAvailable || free == 0 || m.SessionsRequested != len(req.Sessions) || len(m.Conflicts) != len(req.Sessions)-free {
		fail("free for %d sessions; the match says %d of %d with %d conflicts", free, m.SessionsAvailable, m.SessionsRequested, len(m.Conflicts))
	}
	return bad
}

func sameConflicts(a, b []matching.SessionConflict) bool {
	return slices.EqualFunc(a, b, func(x, y matching.SessionConflict) bool {
		return x.Start.Equal(y.Start) && x.End.Equal(y.End) && x.Reason == y.Reason
	})
}

// compareWithBrute reports every way the engine's answer differs from the
// brute force's.
func compareWithBrute(w *oracleWorld, req *matching.VenueRequest, got *matching.VenueResult, want *bruteResult) []string {
	diffs := slices.Clone(want.helperDiffs)
	diff := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	if got.TotalMatches != len(want.matches) {
		diff("TotalMatches = %d, want %d", got.TotalMatches, len(want.matches))
	}
	for _, reason := range matching.ExclusionOrder {
		if got.Excluded[reason] != want.excluded[reason] {
			diff("excluded[%s] = %d, want %d", reason, got.Excluded[reason], want.excluded[reason])
		}
	}
	for k := range got.Excluded {
		if !slices.Contains(matching.ExclusionOrder, k) {
			diff("excluded has an unknown reason %q", k)
		}
	}
	limit := cmp.Or(req.Limit, 20)
	if n := min(limit, len(want.matches)); len(got.Matches) != n {
		diff("%d matches, want %d", len(got.Matches), n)
	}
	for i := range got.Matches {
		m := &got.Matches[i]
		if i >= len(want.matches) {
			break
		}
		b := want.matches[i]
		if m.SpaceID != b.id {
			// Only a tie the rounding of scores may break either way.
			alt := want.byID[m.SpaceID]
			if alt == nil || len(alt.failures) > 0 || math.Abs(alt.score-b.score) > 2e-6 {
				diff("match %d is %s (score %.6f), want %s (score %.6f)", i, m.SpaceID, m.Score, b.id, b.score)
				continue
			}
			b = alt
		}
		if math.Abs(m.Score-b.score) > 1e-6 {
			diff("match %d %s: score %.7f, want %.7f", i, b.id, m.Score, b.score)
		}
		if want := math.Round(b.distM) / 1000; m.DistanceKm != want {
			diff("match %d %s: %.3f km, want %.3f", i, b.id, m.DistanceKm, want)
		}
		if m.SessionsAvailable != b.free || !sameConflicts(m.Conflicts, b.conflicts) {
			diff("match %d %s: free for %d with conflicts %v, want %d with %v", i, b.id, m.SessionsAvailable, m.Conflicts, b.free, b.conflicts)
		}
		s := w.spaces[b.id]
		if m.FitToDance != s.FitToDance() || m.SpaceName != s.Name || m.VenueName != w.venues[s.VenueID].Name {
			diff("match %d %s: %d stars, %q in %q; want %d, %q in %q", i, b.id, m.FitToDance, m.SpaceName, m.VenueName,
				s.FitToDance(), s.Name, w.venues[s.VenueID].Name)
		}
		p, ok := s.PriceFor(cmp.Or(req.Tier, "standard"))
		if (m.PricePencePerHour != nil) != ok || (ok && *m.PricePencePerHour != p) {
			diff("match %d %s: price %v, want %d (listed %v)", i, b.id, m.PricePencePerHour, p, ok)
		}
		total := 0.0
		for _, r := range m.Reasons {
			total += r.Contribution
		}
		if len(m.Reasons) != 6 || math.Abs(total-m.Score) > 5e-6 {
			diff("match %d %s: %d reasons adding to %.6f, want 6 adding to the score %.6f", i, b.id, len(m.Reasons), total, m.Score)
		}
		if i > 0 {
			p := &got.Matches[i-1]
			if p.Score < m.Score || (p.Score == m.Score && p.DistanceKm > m.DistanceKm) {
				diff("match %d (%.6f, %.3f km) ranked after %d (%.6f, %.3f km)", i, m.Score, m.DistanceKm, i-1, p.Score, p.DistanceKm)
			}
		}
		for _, msg := range checkHardConstraints(w, req, m) {
			diff("match %d %s: %s", i, m.SpaceID, msg)
		}
	}
	return diffs
}

func TestMatchVenuesOracle(t *testing.T) {
	requests := 300
	if testing.Short() {
		requests = 60
	}
	for seedN := int64(1); seedN <= 4; seedN++ {
		t.Run(fmt.Sprintf("seed=%d", seedN), func(t *testing.T) {
			t.Parallel()
			w, e := buildOracle(t, seedN)
			r := rand.New(rand.NewPCG(uint64(seedN), 0x5e55))
			venueIDs, orgIDs := sortedKeys(w.venues), sortedKeys(w.orgs)
			var matched, excluded, explained, ties int
			reasons := map[string]int{}
			failures := 0
			for i := 0; i < requests && failures < 5; i++ {
				req := oracleRequest(r, w, venueIDs, orgIDs)
				want := bruteMatch(w, req)
				// Ask for the explanation of one space within twice the radius.
				if ids := sortedKeys(want.byID); len(ids) > 0 {
					req.ExplainSpaceID = ids[r.IntN(len(ids))]
				}
				got, err := e.MatchVenues(req)
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				diffs := compareWithBrute(w, req, got, want)
				if req.ExplainSpaceID != "" {
					explained++
					diffs = append(diffs, compareExplanation(req, got.Explanation, want.byID[req.ExplainSpaceID])...)
				}
				for j, m := range got.Matches {
					if j < len(want.matches) && m.SpaceID != want.matches[j].id {
						ties++
					}
				}
				if len(diffs) > 0 {
					failures++
					t.Errorf("request %d %s:\n\t%s", i, describeRequest(req), strings.Join(diffs, "\n\t"))
				}
				matched += got.TotalMatches
				for k, n := range got.Excluded {
					excluded += n
					reasons[k] += n
				}
				for _, m := range got.Matches {
					for _, c := range m.Conflicts {
						reasons["conflict:"+c.Reason]++
					}
				}
			}
			t.Logf("%d spaces; %d requests: %d matches, %d excluded, %d explained, %d ties broken by rounding; %v",
				len(w.spaces), requests, matched, excluded, explained, ties, reasons)
			// The random requests must exercise every rule.
			for _, k := range append(slices.Clone(matching.ExclusionOrder), "conflict:booked", "conflict:closure", "conflict:outside_hours") {
				if reasons[k] == 0 && !testing.Short() {
					t.Errorf("no request gave %s", k)
				}
			}
		})
	}
}

// compareExplanation checks an explanation against the brute force: the
// same failures, first the reason the space was counted under.
func compareExplanation(req *matching.VenueRequest, ex *matching.Explanation, b *bruteSpace) []string {
	if ex == nil {
		return []string{"no explanation"}
	}
	var reasons []string
	for _, f := range ex.Failures {
		if len(reasons) == 0 || reasons[len(reasons)-1] != f.Reason {
			reasons = append(reasons, f.Reason)
		}
	}
	var diffs []string
	if !slices.Equal(reasons, b.failures) {
		diffs = append(diffs, fmt.Sprintf("explanation of %s: failures %v, want %v", b.id, reasons, b.failures))
	}
	if ex.Matched != (len(b.failures) == 0) || ex.Matched != (ex.Match != nil) {
		diffs = append(diffs, fmt.Sprintf("explanation of %s: matched %v (match %v), want %v", b.id, ex.Matched, ex.Match != nil, len(b.failures) == 0))
	}
	if !sameConflicts(ex.Conflicts, b.conflicts) {
		diffs = append(diffs, fmt.Sprintf("explanation of %s: conflicts %v, want %v", b.id, ex.Conflicts, b.conflicts))
	}
	if ex.Match != nil && math.Abs(ex.Match.Score-b.score) > 1e-6 {
		diffs = append(diffs, fmt.Sprintf("explanation of %s: score %.6f, want %.6f", b.id, ex.Match.Score, b.score))
	}
	return diffs
}

func describeRequest(req *matching.VenueRequest) string {
	return fmt.Sprintf("near %v r=%.1f km group %d %s tier %q budget %d req %+v org %q all=%v limit %d, %d sessions from %s",
		req.Near, req.RadiusKm, req.GroupSize, req.Activity, req.Tier, req.MaxPencePerHour, req.Requirements,
		req.OrganisationID, req.RequireAllSessions, req.Limit, len(req.Sessions), req.Sessions[0].Start.Format(time.RFC3339))
}
