package matching_test

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"commonground/geo"
	"commonground/matching"
	"commonground/seed"
)

// The partner oracle checks Engine.MatchPartners and Engine.BuildConsortia
// against brute force written from the contract (api.md "Matching":
// partners and consortium) and the doc comments of package matching, with
// the package's public helpers only: Taxonomy.Compatible and
// OfferMeetsNeed, geo.DistanceM, Space.FitToDance, DefaultPartnerWeights,
// FitForDanceStars. The world is the demo county plus a few hundred random
// organisations packed around three centres, many owning rooms.

// pWorld is the oracle's own copy of the data, as plain domain values.
type pWorld struct {
	tx     *matching.Taxonomy
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
// room offers the category of its kind, and a room rated at least
// FitForDanceStars also offers a dance studio.
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
func buildPartnerWorld(t *testing.T, seedN int64, tx *matching.Taxonomy) (*pWorld, *rand.Rand) {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(seedN), 0x9a27))
	w := &pWorld{tx: tx, orgs: map[string]*matching.Organisation{}, venues: map[string]*matching.Venue{},
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
		if err := o.Validate(tx); err != nil {
			t.Fatalf("organisation %s: %v", o.ID, err)
		}
	}
	for _, s := range w.spaces {
		if err := s.Validate(tx); err != nil {
			t.Fatalf("space %s: %v", s.ID, err)
		}
	}
	return w, r
}

// load puts the world into a new engine, venues and rooms in a shuffled
// order: no answer may depend on it.
func (w *pWorld) load(t *testing.T, r *rand.Rand) *matching.Engine {
	t.Helper()
	e := matching.NewEngine(w.tx, matching.EngineOptions{})
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

// offerItem is one thing an organisation offers: a listed offer, or a room.
type offerItem struct {
	cat   string
	hours int
	room  bool
}

// offersOf lists what o offers, as the doc comments say: its listed offers
// in order, then the kinds of room it owns (through its venues), each
// once, in taxonomy (slug) order.
func (w *pWorld) offersOf(o *matching.Organisation) []offerItem {
	var out []offerItem
	for _, x := range o.Offers {
		out = append(out, offerItem{cat: x.Category, hours: x.HoursPerMonth})
	}
	rooms := map[string]bool{}
	for _, s := range w.spaces {
		if w.venues[s.VenueID].OrganisationID != o.ID {
			continue
		}
		if c, ok := roomOffers[s.Kind]; ok {
			rooms[c] = true
		}
		if s.FitToDance() >= matching.FitForDanceStars {
			rooms["space.dance-studio"] = true
		}
	}
	for _, c := range sortedKeys(rooms) {
		out = append(out, offerItem{cat: c, room: true})
	}
	return out
}

// pairsFor pairs each need with an offer that meets it: an offer of the
// same category if there is one, else the first that meets it. It totals
// the hours needed and offered for the needs met; a room meets whatever
// hours are needed.
func (w *pWorld) pairsFor(needs []matching.Need, offers []offerItem) (pairs []matching.Pair, offered, needed int) {
	for _, n := range needs {
		best := slices.IndexFunc(offers, func(x offerItem) bool { return x.cat == n.Category })
		if best < 0 {
			best = slices.IndexFunc(offers, func(x offerItem) bool { return w.tx.OfferMeetsNeed(x.cat, n.Category) })
		}
		if best < 0 {
			continue
		}
		pairs = append(pairs, matching.Pair{Need: n.Category, Offer: offers[best].cat})
		needed += n.HoursPerMonth
		if offers[best].room {
			offered += n.HoursPerMonth
		} else {
			offered += offers[best].hours
		}
	}
	return pairs, offered, needed
}

// pSector restates the sectors of the cross-pSector bonus.
func pSector(t matching.OrgType) string {
	switch t {
	case matching.OrgArts:
		return "arts"
	case matching.OrgYouthService, matching.OrgSchool:
		return "children and young people"
	case matching.OrgCouncil, matching.OrgHealth:
		return "public"
	case matching.OrgBusiness:
		return "business"
	}
	return "community"
}

func pSharedValues(tx *matching.Taxonomy, a, b *matching.Organisation) []string {
	out := []string{}
	for _, v := range tx.Values {
		if slices.Contains(a.Values, v.Slug) && slices.Contains(b.Values, v.Slug) {
			out = append(out, v.Slug)
		}
	}
	return out
}

func pRound6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// pTrustDetail restates the trust reason's detail for a partner with n
// completed partnerships whose health stayed good (the engine keeps at
// most 255).
func pTrustDetail(n int) string {
	switch {
	case n == 0:
		return "no completed partnerships with good health yet"
	case n == 1:
		return "1 completed partnership with good health"
	case n >= 255:
		return "255 or more completed partnerships with good health"
	}
	return fmt.Sprintf("%d completed partnerships with good health", n)
}

// brutePartner is one expected match.
type brutePartner struct {
	m       matching.PartnerMatch
	d       float64
	factors [7]float64
}

type brutePartners struct {
	radiusKm float64
	all      []brutePartner
	excluded map[string]int
}

// brutePartnersOf scans every organisation for me.
func (w *pWorld) brutePartnersOf(me *matching.Organisation, req matching.PartnerRequest) *brutePartners {
	radiusKm := req.RadiusKm
	if radiusKm == 0 {
		radiusKm = math.Min(me.ServiceRadiusKm, matching.MaxMatchRadiusKm)
		if radiusKm <= 0 {
			radiusKm = matching.DefaultPartnerRadiusKm
		}
	}
	radiusM := radiusKm * 1000
	pw := matching.DefaultPartnerWeights
	wts := [7]float64{pw.TheyMeet, pw.YouMeet, pw.Values, pw.Capacity, pw.Reach, pw.CrossSector, pw.Trust}
	sum := 0.0
	for _, x := range wts {
		sum += x
	}
	for i := range wts {
		wts[i] /= sum
	}
	out := &brutePartners{radiusKm: radiusKm, excluded: map[string]int{}}
	myOffers := w.offersOf(me)
	for _, id := range sortedKeys(w.orgs) {
		o := w.orgs[id]
		if id == me.ID {
			continue
		}
		d := geo.DistanceM(me.Location, o.Location)
		switch {
		case d > 2*radiusM:
			continue
		case d > radiusM:
			out.excluded[matching.ExcludedTooFar]++
			continue
		case !w.tx.Compatible(me, o):
			out.excluded[matching.ExcludedValuesConflict]++
			continue
		}
		they, offered, needed := w.pairsFor(me.Needs, w.offersOf(o))
		you, _, _ := w.pairsFor(o.Needs, myOffers)
		if len(they) == 0 && len(you) == 0 {
			out.excluded[matching.ExcludedNoComplement]++
			continue
		}
		var f [7]float64
		if len(me.Needs) > 0 {
			f[0] = float64(len(they)) / float64(len(me.Needs))
		}
		if len(o.Needs) > 0 {
			f[1] = float64(len(you)) / float64(len(o.Needs))
		}
		shared := pSharedValues(w.tx, me, o)
		if fewer := min(len(me.Values), len(o.Values)); fewer > 0 {
			f[2] = float64(len(shared)) / float64(fewer)
		}
		switch {
		case len(they) == 0:
		case needed == 0:
			f[3] = 1
		default:
			f[3] = clamp01(float64(offered) / float64(needed))
		}
		reach := 0.5
		if d <= me.ServiceRadiusKm*1000 {
			reach += 0.25
		}
		if d <= o.ServiceRadiusKm*1000 {
			reach += 0.25
		}
		f[4] = clamp01(1-d/radiusM) * reach
		if pSector(me.Type) != pSector(o.Type) {
			f[5] = 1
		}
		// Trust: the partner's completed partnerships with good health,
		// in full from TrustedPartnershipsForFullTrust.
		f[6] = math.Min(float64(o.TrustedPartnerships)/matching.TrustedPartnershipsForFullTrust, 1)
		score := 0.0
		for i := range f {
			score += wts[i] * f[i]
		}
		out.all = append(out.all, brutePartner{d: d, factors: f, m: matching.PartnerMatch{OrganisationID: o.ID, Name: o.Name,
			Type: o.Type, DistanceKm: math.Round(d) / 1000, Score: pRound6(score), TheyMeet: they, YouMeet: you, SharedValues: shared}})
	}
	slices.SortFunc(out.all, func(a, b brutePartner) int {
		if ra, rb := len(a.m.TheyMeet) > 0 && len(a.m.YouMeet) > 0, len(b.m.TheyMeet) > 0 && len(b.m.YouMeet) > 0; ra != rb {
			if ra {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.m.Score, a.m.Score), cmp.Compare(a.d, b.d), strings.Compare(a.m.OrganisationID, b.m.OrganisationID))
	})
	return out
}

func pDescribePairs(ps []matching.Pair) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s<-%s ", p.Need, p.Offer)
	}
	return strings.TrimSpace(b.String())
}

// comparePartners lists how the engine's answer differs from brute force,
// and checks every match is compatible and within the radius.
func (w *pWorld) comparePartners(me *matching.Organisation, req matching.PartnerRequest, got *matching.PartnerResult, want *brutePartners) []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	for _, m := range got.Matches {
		o := w.orgs[m.OrganisationID]
		if o == nil {
			bad("match %s is no organisation of the world", m.OrganisationID)
			continue
		}
		if !w.tx.Compatible(me, o) {
			bad("match %s (%s) is not compatible with the requester", o.ID, o.Name)
		}
		if d := geo.DistanceM(me.Location, o.Location); d > want.radiusKm*1000 {
			bad("match %s lies %.0f m away, beyond the %.1f km radius", o.ID, d, want.radiusKm)
		}
		if len(m.TheyMeet) == 0 && len(m.YouMeet) == 0 {
			bad("match %s meets no need either way", o.ID)
		}
		if m.Score < 0 || m.Score > 1 {
			bad("match %s: score %v outside 0..1", o.ID, m.Score)
		}
	}
	for _, k := range matching.PartnerExclusionOrder {
		if got.Excluded[k] != want.excluded[k] {
			bad("excluded[%s] = %d, want %d", k, got.Excluded[k], want.excluded[k])
		}
	}
	if got.TotalMatches != len(want.all) {
		bad("total matches %d, want %d", got.TotalMatches, len(want.all))
	}
	limit := cmp.Or(req.Limit, 20)
	n := min(limit, len(want.all))
	if len(got.Matches) != n {
		bad("%d matches, want %d", len(got.Matches), n)
	}
	for i := range min(n, len(got.Matches)) {
		g, b := &got.Matches[i], &want.all[i]
		x := b.m
		if g.OrganisationID != x.OrganisationID {
			bad("rank %d: %s (%s, score %v, %.3f km, reciprocal %v), want %s (%s, score %v, %.3f km, reciprocal %v)", i+1,
				g.OrganisationID, g.Name, g.Score, g.DistanceKm, g.Reciprocal(), x.OrganisationID, x.Name, x.Score, x.DistanceKm, x.Reciprocal())
			continue
		}
		if g.Name != x.Name || g.Type != x.Type || g.DistanceKm != x.DistanceKm {
			bad("rank %d %s: name %q type %s %.3f km, want %q %s %.3f km", i+1, g.OrganisationID, g.Name, g.Type, g.DistanceKm, x.Name, x.Type, x.DistanceKm)
		}
		if g.Score != x.Score {
			bad("rank %d %s: score %v, want %v (factors %v)", i+1, g.OrganisationID, g.Score, x.Score, b.factors)
		}
		if !slices.Equal(g.TheyMeet, x.TheyMeet) {
			bad("rank %d %s: they_meet [%s], want [%s]", i+1, g.OrganisationID, pDescribePairs(g.TheyMeet), pDescribePairs(x.TheyMeet))
		}
		if !slices.Equal(g.YouMeet, x.YouMeet) {
			bad("rank %d %s: you_meet [%s], want [%s]", i+1, g.OrganisationID, pDescribePairs(g.YouMeet), pDescribePairs(x.YouMeet))
		}
		if !slices.Equal(g.SharedValues, x.SharedValues) {
			bad("rank %d %s: shared values %v, want %v", i+1, g.OrganisationID, g.SharedValues, x.SharedValues)
		}
		if len(g.Reasons) != len(b.factors) {
			bad("rank %d %s: %d reasons, want one per factor", i+1, g.OrganisationID, len(g.Reasons))
			continue
		}
		if r := g.Reasons[6]; r.Factor != "trust" || r.Detail != pTrustDetail(w.orgs[g.OrganisationID].TrustedPartnerships) {
			bad("rank %d %s: reason 7 is %s %q, want trust %q", i+1, g.OrganisationID, r.Factor, r.Detail,
				pTrustDetail(w.orgs[g.OrganisationID].TrustedPartnerships))
		}
		total := 0.0
		for k, r := range g.Reasons {
			total += r.Contribution
			if math.Abs(r.Value-b.factors[k]) > 1e-6 {
				bad("rank %d %s: reason %s value %v, want %v", i+1, g.OrganisationID, r.Factor, r.Value, b.factors[k])
			}
		}
		if math.Abs(total-g.Score) > 1e-5 {
			bad("rank %d %s: contributions add up to %v, score %v", i+1, g.OrganisationID, total, g.Score)
		}
	}
	return errs
}

// partnerTaxonomies are the taxonomies the oracle runs on: the shared one,
// and the same terms without the extra offer → need relations (only
// broader terms then link an offer to a need).
func partnerTaxonomies() map[string]*matching.Taxonomy {
	tx := seed.Taxonomy()
	return map[string]*matching.Taxonomy{
		"shared":       tx,
		"broader-only": matching.NewTaxonomy(tx.Categories, tx.Values, tx.Practices, tx.Activities, tx.Conflicts),
	}
}

var partnerOracleRuns = []struct {
	seed     int64
	taxonomy string
}{{1, "shared"}, {2, "shared"}, {3, "shared"}, {4, "broader-only"}}

func TestMatchPartnersOracle(t *testing.T) {
	taxonomies := partnerTaxonomies()
	for _, run := range partnerOracleRuns {
		t.Run(fmt.Sprintf("seed=%d/%s", run.seed, run.taxonomy), func(t *testing.T) {
			t.Parallel()
			w, r := buildPartnerWorld(t, run.seed, taxonomies[run.taxonomy])
			e := w.load(t, r)
			queries := 120
			if testing.Short() {
				queries = 30
			}
			var stats partnerStats
			w.checkPartnerQueries(t, r, e, "loaded", queries, &stats)
			if err := e.Apply(w.change(r)); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			w.checkPartnerQueries(t, r, e, "after changes", queries, &stats)
			t.Logf("%d queries: %d matches (%d reciprocal), excluded %v", stats.queries, stats.matches, stats.reciprocal, stats.excluded)
			if stats.reciprocal == 0 || stats.matches == stats.reciprocal || stats.excluded[matching.ExcludedValuesConflict] == 0 ||
				stats.excluded[matching.ExcludedTooFar] == 0 || stats.excluded[matching.ExcludedNoComplement] == 0 ||
				stats.someTrust == 0 || stats.fullTrust == 0 || stats.someTrust+stats.fullTrust == stats.matches {
				t.Errorf("the queries do not exercise every case: %+v", stats)
			}
		})
	}
}

type partnerStats struct {
	queries, matches, reciprocal int
	// someTrust and fullTrust count matches whose trust factor is
	// between 0 and 1, and 1.
	someTrust, fullTrust int
	excluded             map[string]int
}

var partnerRadii = []float64{0, 0, 0.5, 2, 5, 10, 15, 25, 60}
var partnerLimits = []int{0, 1, 3, 20, 100}

func (w *pWorld) checkPartnerQueries(t *testing.T, r *rand.Rand, e *matching.Engine, phase string, n int, stats *partnerStats) {
	t.Helper()
	if stats.excluded == nil {
		stats.excluded = map[string]int{}
	}
	ids := sortedKeys(w.orgs)
	for q := range n {
		var me *matching.Organisation
		if wide := w.orgs[w.wide]; q == 0 && wide != nil {
			me = wide // its default radius is capped
		} else if q%2 == 0 {
			me = w.orgs[w.extras[r.IntN(len(w.extras))]]
		} else {
			me = w.orgs[ids[r.IntN(len(ids))]]
		}
		req := matching.PartnerRequest{OrganisationID: me.ID, RadiusKm: partnerRadii[r.IntN(len(partnerRadii))],
			Limit: partnerLimits[r.IntN(len(partnerLimits))]}
		if q == 0 {
			req.RadiusKm = 0
		}
		got, err := e.MatchPartners(req)
		if err != nil {
			t.Fatalf("%s: MatchPartners(%+v): %v", phase, req, err)
		}
		want := w.brutePartnersOf(me, req)
		if errs := w.comparePartners(me, req, got, want); len(errs) > 0 {
			if len(errs) > 8 {
				errs = append(errs[:8], fmt.Sprintf("… and %d more", len(errs)-8))
			}
			t.Errorf("%s: partners of %s (%s, %s) within %v km, limit %d:\n  %s", phase, me.ID, me.Name, me.Type, req.RadiusKm, req.Limit,
				strings.Join(errs, "\n  "))
		}
		stats.queries++
		stats.matches += len(want.all)
		for _, b := range want.all {
			if b.m.Reciprocal() {
				stats.reciprocal++
			}
			switch trust := b.factors[6]; {
			case trust == 1:
				stats.fullTrust++
			case trust > 0:
				stats.someTrust++
			}
		}
		for k, v := range want.excluded {
			stats.excluded[k] += v
		}
	}
}

func TestMatchPartnersErrors(t *testing.T) {
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	l := e.Load()
	if err := l.Organisation(&matching.Organisation{ID: uuidN(1), Name: "A", Type: matching.OrgArts, Location: cambridge}); err != nil {
		t.Fatal(err)
	}
	l.Commit(1)
	tests := []struct {
		name  string
		req   matching.PartnerRequest
		isErr error
		field string
	}{
		{"unknown organisation", matching.PartnerRequest{OrganisationID: uuidN(2)}, matching.ErrNotFound, ""},
		{"negative radius", matching.PartnerRequest{OrganisationID: uuidN(1), RadiusKm: -1}, matching.ErrInvalid, "radius_km"},
		{"radius too large", matching.PartnerRequest{OrganisationID: uuidN(1), RadiusKm: matching.MaxMatchRadiusKm + 1}, matching.ErrInvalid, "radius_km"},
		{"NaN radius", matching.PartnerRequest{OrganisationID: uuidN(1), RadiusKm: math.NaN()}, matching.ErrInvalid, "radius_km"},
		{"limit too large", matching.PartnerRequest{OrganisationID: uuidN(1), Limit: matching.MaxPartnerLimit + 1}, matching.ErrInvalid, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.MatchPartners(tt.req)
			if !errors.Is(err, tt.isErr) {
				t.Fatalf("got error %v, want %v", err, tt.isErr)
			}
			if tt.field != "" && !slices.Contains(pValidationFields(err), tt.field) {
				t.Errorf("got fields %v, want %s", pValidationFields(err), tt.field)
			}
		})
	}
	res, err := e.MatchPartners(matching.PartnerRequest{OrganisationID: uuidN(1)})
	if err != nil || len(res.Matches) != 0 || res.TotalMatches != 0 {
		t.Errorf("alone in the county: got %+v, %v; want no matches", res, err)
	}
}

// Consortium oracle.

// pCover is what one organisation brings to a bid: the requirements it
// covers (bits in request order) and its hours toward them.
type pCover struct {
	id    string
	org   *matching.Organisation
	cover uint32
	hours int
	d     float64
}

// coverOf restates how an organisation covers requirements: requirement i
// is covered when one of its offers (listed or a room) meets it; its hours
// toward it are those of the first of its offers that meets it; a room
// is there whenever needed and counts as 40 hours, full capacity for one
// capability.
func (w *pWorld) coverOf(o *matching.Organisation, reqs []string) (uint32, int) {
	var mask uint32
	hours := 0
	offers := w.offersOf(o)
	for i, need := range reqs {
		k := slices.IndexFunc(offers, func(x offerItem) bool { return w.tx.OfferMeetsNeed(x.cat, need) })
		if k < 0 {
			continue
		}
		mask |= 1 << i
		if offers[k].room {
			hours += 40
		} else {
			hours += offers[k].hours
		}
	}
	return mask, hours
}

// bruteTeam is a team found by exhaustive search.
type bruteTeam struct {
	members []*pCover // nearest first, then by ID
	cover   uint32
	score   float64
	spread  float64
	key     []string // member IDs, nearest first
}

// Team score weights, restated from the doc comments of consortium.go.
const (
	pCompact  = 0.4 // 1 - spread / (2 × radius)
	pCapacity = 0.3 // hours toward the requirements against 40 a month per capability covered
	pValues   = 0.3 // share of member pairs with a value in common (1 for one member)
)

func (w *pWorld) scoreTeam(t *bruteTeam, lead *pCover, radiusM float64) {
	all := t.members
	if lead != nil {
		all = append([]*pCover{lead}, all...)
	}
	hours, pairs, sharing := 0, 0, 0
	for i, a := range all {
		hours += a.hours
		for _, b := range all[i+1:] {
			t.spread = math.Max(t.spread, geo.DistanceM(a.org.Location, b.org.Location))
			pairs++
			if len(pSharedValues(w.tx, a.org, b.org)) > 0 {
				sharing++
			}
		}
	}
	compact := clamp01(1 - t.spread/(2*radiusM))
	capacity := clamp01(float64(hours) / float64(40*bits.OnesCount32(t.cover)))
	values := 1.0
	if pairs > 0 {
		values = float64(sharing) / float64(pairs)
	}
	t.score = pRound6(pCompact*compact + pCapacity*capacity + pValues*values)
}

// betterTeam ranks teams: more requirements covered, then fewer members,
// then a higher score, then by member IDs (nearest first).
func betterTeam(a, b *bruteTeam) int {
	return cmp.Or(cmp.Compare(bits.OnesCount32(b.cover), bits.OnesCount32(a.cover)), cmp.Compare(len(a.members), len(b.members)),
		cmp.Compare(b.score, a.score), slices.Compare(a.key, b.key))
}

type bruteConsortia struct {
	cands   []*pCover
	missing []string
	best    *bruteTeam   // over every subset, redundant members and all
	top     []*bruteTeam // the best teams in which every member adds a capability
}

// bruteConsortiaFor searches every subset of the candidates.
func (w *pWorld) bruteConsortiaFor(req matching.ConsortiumRequest) *bruteConsortia {
	radiusM := req.RadiusKm * 1000
	var lead *pCover
	if req.LeadOrganisationID != "" {
		o := w.orgs[req.LeadOrganisationID]
		lead = &pCover{id: o.ID, org: o, d: geo.DistanceM(req.Near, o.Location)}
		lead.cover, lead.hours = w.coverOf(o, req.Requirements)
	}
	out := &bruteConsortia{missing: []string{}}
	var all uint32
	if lead != nil {
		all = lead.cover
	}
	for _, id := range sortedKeys(w.orgs) {
		o := w.orgs[id]
		if lead != nil && (id == lead.id || !w.tx.Compatible(lead.org, o)) {
			continue
		}
		d := geo.DistanceM(req.Near, o.Location)
		if d > radiusM {
			continue
		}
		c := &pCover{id: id, org: o, d: d}
		c.cover, c.hours = w.coverOf(o, req.Requirements)
		if c.cover != 0 {
			out.cands = append(out.cands, c)
			all |= c.cover
		}
	}
	for i, r := range req.Requirements {
		if all&(1<<i) == 0 {
			out.missing = append(out.missing, r)
		}
	}
	if len(out.cands) > 16 {
		return out // too many to search
	}
	slices.SortFunc(out.cands, func(a, b *pCover) int { return cmp.Or(cmp.Compare(a.d, b.d), strings.Compare(a.id, b.id)) })
	slots := cmp.Or(req.MaxMembers, matching.DefaultConsortiumSize)
	if lead != nil {
		slots--
	}
	limit := cmp.Or(req.Limit, 5)
	var irredundant []*bruteTeam
	for set := uint32(0); set < 1<<len(out.cands); set++ {
		if bits.OnesCount32(set) > slots || set == 0 && lead == nil {
			continue
		}
		t := &bruteTeam{}
		if lead != nil {
			t.cover = lead.cover
		}
		ok := true
		for i, c := range out.cands {
			if set&(1<<i) == 0 {
				continue
			}
			for _, m := range t.members {
				if !w.tx.Compatible(m.org, c.org) {
					ok = false
				}
			}
			t.members = append(t.members, c)
			t.cover |= c.cover
		}
		if !ok || t.cover == 0 {
			continue
		}
		for _, m := range t.members {
			t.key = append(t.key, m.id)
		}
		w.scoreTeam(t, lead, radiusM)
		if out.best == nil || betterTeam(t, out.best) < 0 {
			out.best = t
		}
		if everyMemberAdds(t, lead) {
			irredundant = append(irredundant, t)
		}
	}
	slices.SortFunc(irredundant, betterTeam)
	out.top = irredundant[:min(limit, len(irredundant))]
	return out
}

// everyMemberAdds reports whether each member covers a requirement that
// neither the lead nor another member covers.
func everyMemberAdds(t *bruteTeam, lead *pCover) bool {
	for i, m := range t.members {
		var others uint32
		if lead != nil {
			others = lead.cover
		}
		for j, x := range t.members {
			if j != i {
				others |= x.cover
			}
		}
		if m.cover&^others == 0 {
			return false
		}
	}
	return true
}

func pTeamIDs(k *matching.Consortium) []string {
	var ids []string
	for _, m := range k.Members {
		ids = append(ids, m.OrganisationID)
	}
	return ids
}

func (t *bruteTeam) ids(lead *pCover) []string {
	var ids []string
	if lead != nil {
		ids = append(ids, lead.id)
	}
	for _, m := range t.members {
		ids = append(ids, m.id)
	}
	return ids
}

// checkTeams checks what holds for every team returned, searched
// exhaustively or not: members pairwise compatible and compatible with the
// lead, within the radius, at most max_members, each adding a capability;
// covers, missing and complete consistent with what the members offer.
func (w *pWorld) checkTeams(req matching.ConsortiumRequest, got *matching.ConsortiumResult) []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	maxMembers := cmp.Or(req.MaxMembers, matching.DefaultConsortiumSize)
	if len(got.Consortia) > cmp.Or(req.Limit, 5) {
		bad("%d teams, more than the limit", len(got.Consortia))
	}
	for ti, k := range got.Consortia {
		if len(k.Members) == 0 || len(k.Members) > maxMembers {
			bad("team %d has %d members, want 1 to %d", ti+1, len(k.Members), maxMembers)
			continue
		}
		var covers []uint32
		var union uint32
		for mi, m := range k.Members {
			o := w.orgs[m.OrganisationID]
			if o == nil {
				bad("team %d: member %s is no organisation of the world", ti+1, m.OrganisationID)
				return errs
			}
			isLead := req.LeadOrganisationID != "" && mi == 0
			if m.Lead != isLead || isLead && m.OrganisationID != req.LeadOrganisationID {
				bad("team %d: member %d %s lead=%v", ti+1, mi, m.OrganisationID, m.Lead)
			}
			if !isLead {
				if d := geo.DistanceM(req.Near, o.Location); d > req.RadiusKm*1000 {
					bad("team %d: member %s lies %.0f m from near, beyond %v km", ti+1, o.ID, d, req.RadiusKm)
				}
			}
			for _, x := range k.Members[:mi] {
				if !w.tx.Compatible(w.orgs[x.OrganisationID], o) {
					bad("team %d: %s and %s are not compatible", ti+1, x.OrganisationID, o.ID)
				}
			}
			c, _ := w.coverOf(o, req.Requirements)
			covers = append(covers, c)
			union |= c
			var want []string
			for i, r := range req.Requirements {
				if c&(1<<i) != 0 {
					want = append(want, r)
				}
			}
			if !slices.Equal(m.Covers, want) && len(m.Covers)+len(want) > 0 {
				bad("team %d: member %s covers %v, want %v", ti+1, o.ID, m.Covers, want)
			}
		}
		for mi := range k.Members {
			if req.LeadOrganisationID != "" && mi == 0 {
				continue
			}
			var others uint32
			for mj, c := range covers {
				if mj != mi {
					others |= c
				}
			}
			if covers[mi]&^others == 0 {
				bad("team %d: member %s adds no capability the others lack", ti+1, k.Members[mi].OrganisationID)
			}
		}
		var missing []string
		for i, r := range req.Requirements {
			var by []string
			for mi, c := range covers {
				if c&(1<<i) != 0 {
					by = append(by, k.Members[mi].OrganisationID)
				}
			}
			if !slices.Equal(k.Covers[r], by) {
				bad("team %d: covers[%s] = %v, want %v", ti+1, r, k.Covers[r], by)
			}
			if len(by) == 0 {
				missing = append(missing, r)
			}
		}
		if !slices.Equal(k.Missing, missing) && len(k.Missing)+len(missing) > 0 {
			bad("team %d: missing %v, want %v", ti+1, k.Missing, missing)
		}
		if k.Complete != (len(missing) == 0) {
			bad("team %d: complete %v with missing %v", ti+1, k.Complete, missing)
		}
		if ti > 0 {
			a, b := &got.Consortia[ti-1], &k
			ca, cb := len(req.Requirements)-len(a.Missing), len(req.Requirements)-len(b.Missing)
			if ca < cb || ca == cb && len(a.Members) > len(b.Members) || ca == cb && len(a.Members) == len(b.Members) && a.Score < b.Score {
				bad("team %d (%d covered, %d members, score %v) ranks above team %d (%d, %d, %v)", ti, ca, len(a.Members), a.Score,
					ti+1, cb, len(b.Members), b.Score)
			}
		}
	}
	return errs
}

func (w *pWorld) compareConsortia(req matching.ConsortiumRequest, got *matching.ConsortiumResult, want *bruteConsortia) []string {
	errs := w.checkTeams(req, got)
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if !slices.Equal(got.Missing, want.missing) {
		bad("missing %v, want %v", got.Missing, want.missing)
	}
	if got.Candidates != len(want.cands) {
		bad("%d candidates, want %d", got.Candidates, len(want.cands))
	}
	if !got.Exhaustive {
		bad("not exhaustive with %d candidates", got.Candidates)
	}
	var lead *pCover
	if req.LeadOrganisationID != "" {
		o := w.orgs[req.LeadOrganisationID]
		lead = &pCover{id: o.ID, org: o}
	}
	if want.best == nil {
		if len(got.Consortia) != 0 {
			bad("got %d teams, want none", len(got.Consortia))
		}
		return errs
	}
	if len(got.Consortia) == 0 {
		bad("no team, want %v", want.best.ids(lead))
		return errs
	}
	best := &got.Consortia[0]
	if !slices.Equal(pTeamIDs(best), want.best.ids(lead)) || best.Score != want.best.score ||
		best.SpreadKm != math.Round(want.best.spread)/1000 {
		bad("best team %v (score %v, spread %v km), want %v (score %v, spread %.3f km, %d covered)", pTeamIDs(best), best.Score, best.SpreadKm,
			want.best.ids(lead), want.best.score, want.best.spread/1000, bits.OnesCount32(want.best.cover))
	}
	if len(got.Consortia) != len(want.top) {
		bad("%d teams, want %d", len(got.Consortia), len(want.top))
	}
	for i := range min(len(got.Consortia), len(want.top)) {
		if g, x := pTeamIDs(&got.Consortia[i]), want.top[i].ids(lead); !slices.Equal(g, x) || got.Consortia[i].Score != want.top[i].score {
			bad("team %d: %v (score %v), want %v (score %v)", i+1, g, got.Consortia[i].Score, x, want.top[i].score)
		}
	}
	return errs
}

// consortiumRequirements are the capabilities the random bids ask for.
var consortiumRequirements = []string{
	"skill.dance-teaching", "skill.youth-work", "skill.safeguarding", "space.hall", "skill.evaluation", "space.rehearsal",
	"space.dance-studio", "programme.youth-activities", "resource.funding", "skill.fundraising", "space.meeting-room",
	"resource.transport", "skill.music", "space.theatre",
}

func TestBuildConsortiaOracle(t *testing.T) {
	taxonomies := partnerTaxonomies()
	for _, run := range partnerOracleRuns {
		t.Run(fmt.Sprintf("seed=%d/%s", run.seed, run.taxonomy), func(t *testing.T) {
			t.Parallel()
			w, r := buildPartnerWorld(t, run.seed, taxonomies[run.taxonomy])
			e := w.load(t, r)
			cases := 400
			if testing.Short() {
				cases = 80
			}
			checked, skipped, withLead, bigTeams, conflicts := 0, 0, 0, 0, 0
			hist := make([]int, 13)
			for c := 0; checked < cases; c++ {
				if c > 20*cases {
					t.Fatalf("only %d of %d requests had at most 12 candidates", checked, cases)
				}
				req := w.randomConsortiumRequest(r)
				want := w.bruteConsortiaFor(req)
				for len(want.cands) > 12 && req.RadiusKm > 0.3 {
					req.RadiusKm *= 0.6
					want = w.bruteConsortiaFor(req)
				}
				if len(want.cands) > 12 {
					skipped++
					continue
				}
				got, err := e.BuildConsortia(req)
				if err != nil {
					t.Fatalf("BuildConsortia(%+v): %v", req, err)
				}
				if errs := w.compareConsortia(req, got, want); len(errs) > 0 {
					if len(errs) > 8 {
						errs = append(errs[:8], fmt.Sprintf("… and %d more", len(errs)-8))
					}
					t.Errorf("%s:\n  %s", describeConsortium(req, want), strings.Join(errs, "\n  "))
				}
				checked++
				hist[len(want.cands)]++
				if req.LeadOrganisationID != "" {
					withLead++
					lead := w.orgs[req.LeadOrganisationID]
					for _, o := range w.orgs {
						if o.ID != lead.ID && !w.tx.Compatible(lead, o) && geo.DistanceM(req.Near, o.Location) <= req.RadiusKm*1000 {
							conflicts++
							break
						}
					}
				}
				if want.best != nil && len(want.best.members) >= 3 {
					bigTeams++
				}
			}
			t.Logf("%d requests (%d skipped with more than 12 candidates), %d with a lead (%d with a conflicting organisation in reach), "+
				"%d with a best team of 3 or more; candidates histogram %v", checked, skipped, withLead, conflicts, bigTeams, hist)
			if withLead == 0 || conflicts == 0 || bigTeams == 0 || hist[10]+hist[11]+hist[12] == 0 {
				t.Errorf("the requests do not exercise every case")
			}

			// Larger candidate sets, searched over the nearest providers:
			// every team must still be sound.
			for range 30 {
				req := w.randomConsortiumRequest(r)
				req.RadiusKm = 5 + 20*r.Float64()
				got, err := e.BuildConsortia(req)
				if err != nil {
					t.Fatalf("BuildConsortia(%+v): %v", req, err)
				}
				want := w.bruteConsortiaFor(req)
				errs := w.checkTeams(req, got)
				if !slices.Equal(got.Missing, want.missing) {
					errs = append(errs, fmt.Sprintf("missing %v, want %v", got.Missing, want.missing))
				}
				if got.Candidates != len(want.cands) {
					errs = append(errs, fmt.Sprintf("%d candidates, want %d", got.Candidates, len(want.cands)))
				}
				if len(errs) > 0 {
					t.Errorf("%s (%d candidates):\n  %s", describeConsortium(req, want), got.Candidates, strings.Join(errs, "\n  "))
				}
			}
		})
	}
}

// randomConsortiumRequest asks for 2 to 5 capabilities near a random
// extra organisation, with or without a lead (near or far, often one with
// practices others object to).
func (w *pWorld) randomConsortiumRequest(r *rand.Rand) matching.ConsortiumRequest {
	at := w.orgs[w.extras[r.IntN(len(w.extras))]]
	req := matching.ConsortiumRequest{
		Requirements: pickSome(r, consortiumRequirements, 5),
		Near:         offsetKm(at.Location, r.Float64()-0.5, r.Float64()-0.5),
		RadiusKm:     1 + 5*r.Float64(),
		MaxMembers:   []int{0, 2, 3, 4}[r.IntN(4)],
		Limit:        []int{0, 1, 3, 8}[r.IntN(4)],
	}
	for len(req.Requirements) < 2 {
		req.Requirements = pickSome(r, consortiumRequirements, 5)
	}
	switch r.IntN(4) {
	case 0: // a lead close by with practices others object to, if any
		for range 20 {
			o := w.orgs[w.extras[r.IntN(len(w.extras))]]
			if len(o.Practices) > 0 && geo.DistanceM(o.Location, at.Location) < 10_000 {
				req.LeadOrganisationID = o.ID
				break
			}
		}
	case 1: // any organisation
		ids := sortedKeys(w.orgs)
		req.LeadOrganisationID = ids[r.IntN(len(ids))]
	}
	return req
}

func describeConsortium(req matching.ConsortiumRequest, want *bruteConsortia) string {
	var cands []string
	for _, c := range want.cands {
		cands = append(cands, fmt.Sprintf("%s %s cover=%b hours=%d d=%.0f", c.id, c.org.Name, c.cover, c.hours, c.d))
	}
	return fmt.Sprintf("consortium %v near %v within %.2f km, lead %q, max %d, limit %d; candidates:\n    %s",
		req.Requirements, req.Near, req.RadiusKm, req.LeadOrganisationID, req.MaxMembers, req.Limit, strings.Join(cands, "\n    "))
}

func TestBuildConsortiaErrors(t *testing.T) {
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	e.Load().Commit(1)
	ok := matching.ConsortiumRequest{Requirements: []string{"space.hall"}, Near: cambridge, RadiusKm: 5}
	tests := []struct {
		name  string
		edit  func(r *matching.ConsortiumRequest)
		field string
	}{
		{"no requirements", func(r *matching.ConsortiumRequest) { r.Requirements = nil }, "requirements"},
		{"unknown requirement", func(r *matching.ConsortiumRequest) { r.Requirements = []string{"space.hall", "skill.juggling"} }, "requirements[1]"},
		{"requirement twice", func(r *matching.ConsortiumRequest) { r.Requirements = []string{"space.hall", "space.hall"} }, "requirements[1]"},
		{"too many requirements", func(r *matching.ConsortiumRequest) {
			r.Requirements = make([]string, matching.MaxRequirements+1)
		}, "requirements"},
		{"no radius", func(r *matching.ConsortiumRequest) { r.RadiusKm = 0 }, "radius_km"},
		{"radius too large", func(r *matching.ConsortiumRequest) { r.RadiusKm = matching.MaxMatchRadiusKm + 1 }, "radius_km"},
		{"too many members", func(r *matching.ConsortiumRequest) { r.MaxMembers = matching.MaxConsortiumMembers + 1 }, "max_members"},
		{"negative limit", func(r *matching.ConsortiumRequest) { r.Limit = -1 }, "limit"},
		{"unknown lead", func(r *matching.ConsortiumRequest) { r.LeadOrganisationID = uuidN(9) }, "lead_organisation_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := ok
			tt.edit(&req)
			_, err := e.BuildConsortia(req)
			if !errors.Is(err, matching.ErrInvalid) {
				t.Fatalf("got error %v, want ErrInvalid", err)
			}
			if !slices.Contains(pValidationFields(err), tt.field) {
				t.Errorf("got fields %v, want %s", pValidationFields(err), tt.field)
			}
		})
	}
	res, err := e.BuildConsortia(ok)
	if err != nil || len(res.Consortia) != 0 || !slices.Equal(res.Missing, []string{"space.hall"}) {
		t.Errorf("empty county: got %+v, %v; want no team and space.hall missing", res, err)
	}
}

// pValidationFields lists the fields a *matching.ValidationError names.
func pValidationFields(err error) []string {
	var ve *matching.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, fe := range ve.Errors {
		out = append(out, fe.Field)
	}
	return out
}
