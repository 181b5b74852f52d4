package matching_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"commonground/geo"
	"commonground/matching"
	"commonground/seed"
)

// pWorld is the oracle's own copy of the data, as plain domain values.
type pWorld struct {
	tax    *matching.Taxonomy
	orgs   map[string]*matching.Organisation
	venues map[string]*matching.Venue
	spaces map[string]*matching.Space
	extras []string // the random organisations, in the order made
	wide   string   // the organisation with a 500 km service radius
	n      int      // records made, for fresh IDs
	seed   int64
}

// partnerCategories are the offers and needs the random organisations draw
// from: every room category, and categories linked by broader terms and
// by the taxonomy's extra offer → need relations.
var partnerCategories = []string{
	"space.rehearsal", "space.dance-studio", "space.hall", "space.meeting-room", "space.theatre", "space.classroom",
	"space.outdoor", "skill.dance-teaching", "skill.youth-work", "skill.safeguarding", "skill.fundraising",
	"skill.bid-writing", "skill.evaluation", "skill.music", "programme.youth-activities", "programme.holiday-club",
	"programme.older-people-activities", "resource.funding", "resource.transport", "resource.minibus",
}

// pCentres are where the random organisations crowd: Cambridge, Ely and a
// point in the fens west of Cambridge with few demo organisations.
var pCentres = []orb.Point{cambridge, geo.MustPoint(52.3995, 0.2624), geo.MustPoint(52.30, -0.05)}

// roomOffers restates the documented rule (matching.spaceCategories): a
// room offers the category of its kind, and an indoor room rated at
// least FitForDanceStars also offers a dance studio.
var roomOffers = map[matching.SpaceKind]string{
	"studio": "space.rehearsal", "hall": "space.hall", "classroom": "space.classroom",
	"meeting_room": "space.meeting-room", "theatre": "space.theatre", "outdoor": "space.outdoor",
}

func (w *pWorld) id(kind int) string {
	w.n++
	return fmt.Sprintf("eeeeeeee-%04d-4000-8000-%04d%08d", kind, w.seed, w.n)
}

func pRandomItems(r *rand.Rand, max int) []string {
	n := r.IntN(max + 1)
	if n == 0 {
		return nil
	}
	return pickSome(r, partnerCategories, n)
}

var pItemHours = []int{0, 2, 4, 8, 16, 40}

// randomProfile gives o random offers, needs, values, practices and
// exclusions; about one in four follows a practice someone objects to.
func (w *pWorld) randomProfile(r *rand.Rand, o *matching.Organisation) {
	o.Offers, o.Needs = nil, nil
	for _, c := range pRandomItems(r, 3) {
		o.Offers = append(o.Offers, matching.Offer{ID: w.id(9), OrganisationID: o.ID, Category: c, HoursPerMonth: pItemHours[r.IntN(len(pItemHours))]})
	}
	if r.IntN(8) == 0 && len(o.Offers) > 0 { // the same category offered twice
		o.Offers = append(o.Offers, matching.Offer{ID: w.id(9), OrganisationID: o.ID, Category: o.Offers[0].Category, HoursPerMonth: 1})
	}
	for _, c := range pRandomItems(r, 3) {
		o.Needs = append(o.Needs, matching.Need{ID: w.id(9), OrganisationID: o.ID, Category: c, HoursPerMonth: pItemHours[r.IntN(len(pItemHours))]})
	}
	o.Values, o.Practices, o.Exclusions = nil, nil, nil
	if r.IntN(4) > 0 {
		o.Values = pickSome(r, oracleValues, 3)
	}
	if r.IntN(4) == 0 {
		o.Practices = pickSome(r, oraclePractice, 2)
	}
	if r.IntN(4) == 0 {
		o.Exclusions = pickSome(r, oraclePractice, 2)
		o.Exclusions = slices.DeleteFunc(o.Exclusions, func(x string) bool { return slices.Contains(o.Practices, x) })
	}
	o.ServiceRadiusKm = []float64{0, 2, 5, 8, 10, 12.5, 15, 20, 30}[r.IntN(9)]
	o.Type = matching.OrgTypes[r.IntN(len(matching.OrgTypes))]
	// About half have a record of completed partnerships with good
	// health: below, at and above the count that gives full trust, and
	// past what the engine keeps exactly.
	o.TrustedPartnerships = 0
	if r.IntN(2) == 0 {
		o.TrustedPartnerships = []int{1, 2, 3, 4, 7, 300}[r.IntN(6)]
	}
}

// randomRoom is a room of a random kind and dance profile: every Fit to
// Dance rating comes up.
func (w *pWorld) randomRoom(r *rand.Rand, v *matching.Venue) *matching.Space {
	s := &matching.Space{ID: w.id(2), VenueID: v.ID, OrganisationID: v.OrganisationID, Location: v.Location,
		Name: "Room", Kind: matching.SpaceKinds[r.IntN(len(matching.SpaceKinds))], Capacity: 5 + r.IntN(100),
		FloorAreaM2: float64(30 + r.IntN(150)), Floor: matching.Floors[r.IntN(len(matching.Floors))],
		Mirrors: r.IntN(2) == 0, Barres: r.IntN(3) == 0, ClimateControl: r.IntN(2) == 0, Obstructions: r.IntN(4) == 0}
	if r.IntN(3) == 0 {
		s.Floor = matching.FloorSprung
	}
	return s
}

func (w *pWorld) addVenue(r *rand.Rand, owner *matching.Organisation) *matching.Venue {
	v := &matching.Venue{ID: w.id(1), OrganisationID: owner.ID, Name: owner.Name + " House",
		Location: offsetKm(owner.Location, r.Float64()-0.5, r.Float64()-0.5), Timezone: "Europe/London"}
	w.venues[v.ID] = v
	for range 1 + r.IntN(3) {
		s := w.randomRoom(r, v)
		w.spaces[s.ID] = s
	}
	return v
}

// buildPartnerWorld makes the world for one seed. Some organisations are
// clones of others (same place, same profile) so that ties in score and
// distance are broken by ID.
func buildPartnerWorld(t *testing.T, seedN int64, tax *matching.Taxonomy) (*pWorld, *rand.Rand) {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(seedN), 0x9a27))
	w := &pWorld{tax: tax, orgs: map[string]*matching.Organisation{}, venues: map[string]*matching.Venue{},
		spaces: map[string]*matching.Space{}, seed: seedN}
	ds := seed.Demo(seedN)
	for i := range ds.Organisations {
		o := ds.Organisations[i]
		w.orgs[o.ID] = &o
	}
	for i := range ds.Venues {
		v := ds.Venues[i]
		w.venues[v.ID] = &v
	}
	for i := range ds.Spaces {
		s := ds.Spaces[i]
		w.spaces[s.ID] = &s
	}
	for i := range 240 {
		c := pCentres[r.IntN(len(pCentres))]
		o := &matching.Organisation{ID: w.id(0), Name: fmt.Sprintf("Extra %d", i),
			Location: offsetKm(c, 16*r.Float64()-8, 16*r.Float64()-8)}
		w.randomProfile(r, o)
		w.orgs[o.ID] = o
		w.extras = append(w.extras, o.ID)
		if r.IntN(5) < 2 {
			for range 1 + r.IntN(2) {
				w.addVenue(r, o)
			}
		}
	}
	for _, id := range slices.Clone(w.extras[:12]) {
		c := *w.orgs[id]
		c.ID, c.Name = w.id(0), c.Name+" (twin)"
		w.orgs[c.ID] = &c
		w.extras = append(w.extras, c.ID)
	}
	// One organisation serves the whole country: its default radius is
	// capped at MaxMatchRadiusKm.
	w.wide = w.extras[20]
	w.orgs[w.wide].ServiceRadiusKm = 500
	for _, o := range w.orgs {
		if err := o.Validate(tax); err != nil {
			t.Fatalf("organisation %s: %v", o.ID, err)
		}
	}
	for _, s := range w.spaces {
		if err := s.Validate(tax); err != nil {
			t.Fatalf("space %s: %v", s.ID, err)
		}
	}
	return w, r
}

// load puts the world into a new engine, venues and rooms in a shuffled
// order: no answer may depend on it.
func (w *pWorld) load(t *testing.T, r *rand.Rand) *matching.Engine {
	t.Helper()
	e := matching.NewEngine(w.tax, matching.EngineOptions{})
	l := e.Load()
	for _, id := range sortedKeys(w.orgs) {
		if err := l.Organisation(w.orgs[id]); err != nil {
			t.Fatal(err)
		}
	}
	venueIDs := sortedKeys(w.venues)
	r.Shuffle(len(venueIDs), func(i, j int) { venueIDs[i], venueIDs[j] = venueIDs[j], venueIDs[i] })
	for _, id := range venueIDs {
		if err := l.Venue(w.venues[id]); err != nil {
			t.Fatal(err)
		}
	}
	spaceIDs := sortedKeys(w.spaces)
	r.Shuffle(len(spaceIDs), func(i, j int) { spaceIDs[i], spaceIDs[j] = spaceIDs[j], spaceIDs[i] })
	for _, id := range spaceIDs {
		if err := l.Space(w.spaces[id]); err != nil {
			t.Fatal(err)
		}
	}
	l.Commit(1)
	return e
}

// change makes a change set at revision 2 and applies it to the world:
// new profiles and places for some organisations, rooms added, moved to
// another venue and deleted, venues and organisations deleted.
func (w *pWorld) change(r *rand.Rand) *matching.ChangeSet {
	cs := &matching.ChangeSet{Revision: 2}
	orgIDs := sortedKeys(w.orgs)
	for range 40 {
		o := w.orgs[orgIDs[r.IntN(len(orgIDs))]]
		w.randomProfile(r, o)
		if r.IntN(2) == 0 {
			o.Location = offsetKm(o.Location, 4*r.Float64()-2, 4*r.Float64()-2)
		}
	}
	venueIDs := sortedKeys(w.venues)
	for range 15 {
		v := w.venues[venueIDs[r.IntN(len(venueIDs))]]
		for range 1 + r.IntN(2) {
			s := w.randomRoom(r, v)
			w.spaces[s.ID] = s
			cs.Spaces = append(cs.Spaces, *s)
		}
	}
	spaceIDs := sortedKeys(w.spaces)
	for range 10 {
		s := w.spaces[spaceIDs[r.IntN(len(spaceIDs))]]
		v := w.venues[venueIDs[r.IntN(len(venueIDs))]]
		s.VenueID, s.OrganisationID, s.Location = v.ID, v.OrganisationID, v.Location
		cs.Spaces = append(cs.Spaces, *s)
	}
	for range 20 {
		id := spaceIDs[r.IntN(len(spaceIDs))]
		if w.spaces[id] != nil && !slices.ContainsFunc(cs.Spaces, func(s matching.Space) bool { return s.ID == id }) {
			delete(w.spaces, id)
			cs.DeletedSpaces = append(cs.DeletedSpaces, id)
		}
	}
	deleteVenue := func(id string) {
		for sid, s := range w.spaces {
			if s.VenueID == id {
				delete(w.spaces, sid)
			}
		}
		delete(w.venues, id)
	}
	for range 10 {
		id := venueIDs[r.IntN(len(venueIDs))]
		if w.venues[id] != nil && !slices.ContainsFunc(cs.Spaces, func(s matching.Space) bool { return s.VenueID == id }) {
			deleteVenue(id)
			cs.DeletedVenues = append(cs.DeletedVenues, id)
		}
	}
	for range 8 {
		id := orgIDs[r.IntN(len(orgIDs))]
		if w.orgs[id] == nil || slices.ContainsFunc(cs.Spaces, func(s matching.Space) bool { return s.OrganisationID == id }) {
			continue
		}
		for vid, v := range w.venues {
			if v.OrganisationID == id {
				deleteVenue(vid)
			}
		}
		delete(w.orgs, id)
		w.extras = slices.DeleteFunc(w.extras, func(x string) bool { return x == id })
		cs.DeletedOrganisations = append(cs.DeletedOrganisations, id)
	}
	for _, id := range sortedKeys(w.orgs) {
		cs.Organisations = append(cs.Organisations, *w.orgs[id])
	}
	return cs
}
