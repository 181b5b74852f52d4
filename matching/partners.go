package matching

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"commonground/geo"
)

// Why an organisation is not a partner, in the order they are tested.
const (
	ExcludedNoComplement = "no_complement"
)

// PartnerExclusionOrder lists the partner exclusion reasons in order.
var PartnerExclusionOrder = []string{ExcludedTooFar, ExcludedValuesConflict, ExcludedNoComplement}

// PartnerRequest asks for complementary partners of one organisation.
type PartnerRequest struct {
	OrganisationID string
	// RadiusKm is how far to look (default: the organisation's service
	// radius, at most MaxMatchRadiusKm, or DefaultPartnerRadiusKm without
	// one).
	RadiusKm float64
	Limit    int
}

// Partner request limits and defaults.
const (
	DefaultPartnerRadiusKm = 25
	MaxPartnerLimit        = 100
)

// Pair is a need met by an offer. When the offer is a room (a space the
// offering organisation owns meeting a space.* need), ViaSpaceID and
// ViaSpaceName name it: of its rooms that make that offer, the one with
// the most Fit to Dance stars, then the least ID.
type Pair struct {
	Need         string
	Offer        string
	ViaSpaceID   string
	ViaSpaceName string
}

// PartnerMatch is one complementary organisation.
type PartnerMatch struct {
	OrganisationID string
	Name           string
	Type           OrgType
	DistanceKm     float64
	Score          float64
	// TheyMeet: the partner's offers that meet the organisation's needs;
	// YouMeet: the organisation's offers that meet the partner's needs.
	TheyMeet     []Pair
	YouMeet      []Pair
	SharedValues []string
	Reasons      []Reason
}

// Reciprocal reports whether each side meets a need of the other.
func (m *PartnerMatch) Reciprocal() bool { return len(m.TheyMeet) > 0 && len(m.YouMeet) > 0 }

// The tiers of a partner match: every reciprocal match ranks above every
// one-way match.
const (
	TierReciprocal = "reciprocal"
	TierOneWay     = "one_way"
)

// Tier is TierReciprocal when each side meets a need of the other, else
// TierOneWay.
func (m *PartnerMatch) Tier() string {
	if m.Reciprocal() {
		return TierReciprocal
	}
	return TierOneWay
}

// PartnerResult answers a partner request.
type PartnerResult struct {
	Matches      []PartnerMatch
	TotalMatches int
	Excluded     map[string]int
}

// PartnerWeights weigh the factors of a partner score; normalised to sum
// to 1.
type PartnerWeights struct {
	TheyMeet    float64 // share of the organisation's needs the partner meets
	YouMeet     float64 // share of the partner's needs the organisation meets
	Values      float64 // shared values
	Capacity    float64 // hours a month offered against hours needed
	Distance    float64 // nearer is better (PartnerDistanceFactor)
	CrossSector float64 // the pair spans two sectors
	Trust       float64 // the partner's completed partnerships with good health
}

// DefaultPartnerWeights: meeting the organisation's needs and distance
// first (0.25 each), then meeting the partner's needs (0.15), then shared
// values, the cross-sector bonus and trust (0.10 each), then capacity
// (0.05: rooms and most offers cover the hours asked).
// Reciprocity is not a weight: a reciprocal match always ranks above a
// one-way one.
// Cross-sector pairs (arts with a youth service, a school with a health
// body) get a bonus, because reaching other sectors is what partnerships
// are for. Trust is the partner's record: its completed partnerships
// whose health stayed good (Organisation.TrustedPartnerships), counted up
// to TrustedPartnershipsForFullTrust; it weighs no more than the other
// practical factors, so newcomers are not shut out.
var DefaultPartnerWeights = PartnerWeights{TheyMeet: 0.25, YouMeet: 0.15, Values: 0.10, Capacity: 0.05, Distance: 0.25,
	CrossSector: 0.10, Trust: 0.10}

// PartnerDistanceFactor is the distance factor of a partner d metres away
// in a search of radius radiusM: it halves every quarter of the radius
// (2^(-4d/radius): 1 next door, 1/2 a quarter of the radius away, 1/4 at
// half of it, 1/16 at the radius), and counts in full only when the
// partner lies within both organisations' service areas (three quarters
// within one, half within neither). A partner across the county is worth
// far less than one across the road, but is not ruled out.
func PartnerDistanceFactor(d, radiusM, myServiceM, theirServiceM float64) float64 {
	reach := 0.5
	if d <= myServiceM {
		reach += 0.25
	}
	if d <= theirServiceM {
		reach += 0.25
	}
	return math.Exp2(-4*d/radiusM) * reach
}

// TrustedPartnershipsForFullTrust is how many completed partnerships with
// good health give a partner the whole trust factor; fewer give a share.
const TrustedPartnershipsForFullTrust = 3

// numPartnerFactors is how many factors a partner score has.
const numPartnerFactors = 7

// sectorOf groups organisation types into sectors for the cross-sector
// bonus.
func sectorOf(t OrgType) string {
	switch t {
	case OrgArts:
		return "arts"
	case OrgYouthService, OrgSchool:
		return "children and young people"
	case OrgCouncil, OrgHealth:
		return "public"
	case OrgBusiness:
		return "business"
	}
	return "community"
}

// spaceCategories maps a kind of room to the offer it makes; a room fit
// for dance (three stars or more) also offers a dance studio.
var spaceCategories = map[SpaceKind]string{
	"studio": "space.rehearsal", "hall": "space.hall", "classroom": "space.classroom",
	"meeting_room": "space.meeting-room", "theatre": "space.theatre", "outdoor": "space.outdoor",
}

// FitForDanceStars is the least Fit to Dance rating at which an indoor
// room counts as an offer of space.dance-studio (an outdoor space never
// does).
const FitForDanceStars = 3

// offerSet is what an organisation offers: its listed offers, in order,
// then, with hours unknown (roomHours), the kinds of room it owns, each
// once and in taxonomy order, so which offer meets a need does not depend
// on the order rooms were loaded or moved in.
type offerSet struct {
	cats  []uint16
	hours []int // -1: a room, counted as meeting any hours needed
	// rooms is, for a room offer, the space that makes it (its best:
	// most stars, then least ID); -1 for a listed offer.
	rooms []int32
}

const roomHours = -1

// roomOffers holds, for one query, the category each kind of room offers
// (an index into the taxonomy's Categories, -1 for none) and the dance
// studio's, so rooms are not looked up by slug one by one.
type roomOffers struct {
	byKind []int
	studio int
}

func newRoomOffers(tax *Taxonomy) roomOffers {
	r := roomOffers{byKind: make([]int, len(SpaceKinds)), studio: tax.categoryIndex("space.dance-studio")}
	for i, k := range SpaceKinds {
		r.byKind[i] = -1
		if slug, ok := spaceCategories[k]; ok {
			r.byKind[i] = tax.categoryIndex(slug)
		}
	}
	return r
}

// offersOf fills buf (emptied first) with what o offers and returns it.
func (st *state) offersOf(o *orgRec, rooms roomOffers, buf offerSet) offerSet {
	os := offerSet{cats: buf.cats[:0], hours: buf.hours[:0], rooms: buf.rooms[:0]}
	for _, x := range o.offers {
		os.cats = append(os.cats, x.cat)
		os.hours = append(os.hours, int(x.hours))
		os.rooms = append(os.rooms, -1)
	}
	listed := len(os.cats)
	addRoom := func(c int, slot int32) {
		if c < 0 {
			return
		}
		i := listed
		for i < len(os.cats) && os.cats[i] < uint16(c) {
			i++
		}
		if i < len(os.cats) && os.cats[i] == uint16(c) {
			if st.betterRoom(slot, os.rooms[i]) {
				os.rooms[i] = slot
			}
			return
		}
		os.cats = slices.Insert(os.cats, i, uint16(c))
		os.hours = slices.Insert(os.hours, i, roomHours)
		os.rooms = slices.Insert(os.rooms, i, slot)
	}
	for _, v := range o.venues {
		for _, s := range st.venues[v].spaces {
			sp := &st.spaces[s]
			addRoom(rooms.byKind[sp.kind], s)
			if sp.fit >= FitForDanceStars && sp.flags&flagOutdoor == 0 {
				addRoom(rooms.studio, s)
			}
		}
	}
	return os
}

// betterRoom reports whether the space at slot a names a room offer
// before the one at b: more stars, then the least ID.
func (st *state) betterRoom(a, b int32) bool {
	x, y := &st.spaces[a], &st.spaces[b]
	if x.fit != y.fit {
		return x.fit > y.fit
	}
	return string(x.id[:]) < string(y.id[:])
}

// offerMeets reports whether an offer of category c meets a need of
// category n, as Taxonomy.OfferMeetsNeed does by slug.
func (t *Taxonomy) offerMeets(c, n uint16) bool {
	if t.meets != nil {
		return t.meets[c][n]
	}
	return t.OfferMeetsNeed(t.Categories[c].Slug, t.Categories[n].Slug)
}

// meet pairs each need with the first offer that meets it (an exact match
// first), and totals the hours: offered (rooms count as meeting the hours
// needed) and needed. rooms is nil when no pair is met by a room, else
// the space meeting each pair (-1 for none).
func meet(tax *Taxonomy, needs []catHours, offers offerSet) (pairs []Pair, rooms []int32, offered, needed int) {
	for _, n := range needs {
		best := -1
		for i, c := range offers.cats {
			if tax.offerMeets(c, n.cat) {
				if best < 0 || c == n.cat {
					best = i
				}
				if c == n.cat {
					break
				}
			}
		}
		if best < 0 {
			continue
		}
		pairs = append(pairs, Pair{Need: tax.Categories[n.cat].Slug, Offer: tax.Categories[offers.cats[best]].Slug})
		needed += int(n.hours)
		if h := offers.hours[best]; h == roomHours {
			offered += int(n.hours)
			for len(rooms) < len(pairs)-1 {
				rooms = append(rooms, -1)
			}
			rooms = append(rooms, offers.rooms[best])
		} else {
			offered += h
			if rooms != nil {
				rooms = append(rooms, -1)
			}
		}
	}
	return pairs, rooms, offered, needed
}

type partnerCandidate struct {
	slot                int32
	d                   float64
	score               float64
	reciprocal          bool
	they, you           []Pair
	theyRooms, youRooms []int32 // the rooms meeting they and you (meet)
	offered, needed     int     // hours, for they
	factors             [numPartnerFactors]float64
}

// MatchPartners finds organisations that meet the organisation's needs or
// whose needs it meets, within the radius and compatible in values, best
// first: reciprocal matches above one-way ones, then by score, distance
// and ID. Organisations within twice the radius that do not match are
// counted under the first reason they fail. It returns an error wrapping
// ErrNotFound for an unknown organisation and a *ValidationError for a
// bad request.
func (e *Engine) MatchPartners(req PartnerRequest) (*PartnerResult, error) {
	return e.MatchPartnersContext(context.Background(), req)
}

// partnerCheckEvery is how many organisations MatchPartnersContext looks
// at between two looks at its context.
const partnerCheckEvery = 256

// MatchPartnersContext is MatchPartners for a caller that may give up: its
// cost grows with the organisations within twice the radius, so it looks
// at ctx as it goes and, once ctx is done, stops and returns ctx's error.
func (e *Engine) MatchPartnersContext(ctx context.Context, req PartnerRequest) (*PartnerResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ve := &ValidationError{}
	if !(req.RadiusKm >= 0 && req.RadiusKm <= MaxMatchRadiusKm) {
		ve.Add("radius_km", "must be more than 0 and at most %d", MaxMatchRadiusKm)
	}
	if req.Limit < 0 || req.Limit > MaxPartnerLimit {
		ve.Add("limit", "must be between 1 and %d", MaxPartnerLimit)
	}
	if err := ve.Err(); err != nil {
		return nil, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	st := e.st
	slot, ok := st.orgByID[req.OrganisationID]
	if !ok {
		return nil, fmt.Errorf("organisation %s: %w", quote(req.OrganisationID), ErrNotFound)
	}
	me := &st.orgs[slot]
	radiusKm := req.RadiusKm
	if radiusKm == 0 {
		radiusKm = min(float64(me.radiusKm), MaxMatchRadiusKm)
		if radiusKm <= 0 {
			radiusKm = DefaultPartnerRadiusKm
		}
	}
	limit := req.Limit
	if limit == 0 {
		limit = 20
	}
	radiusM := radiusKm * 1000
	ruler := geo.NewRuler(me.loc, 2*radiusM)
	rooms := newRoomOffers(e.tax)
	myOffers := st.offersOf(me, rooms, offerSet{})
	var theirs offerSet // reused for each organisation
	w := normalisedPartnerWeights(DefaultPartnerWeights)

	res := &PartnerResult{Excluded: map[string]int{}}
	var found []partnerCandidate
	seen := 0
	var stopped error
	st.orgGrid.Each(geo.BoundAround(me.loc, 2*radiusM), func(other int32) bool {
		if seen++; seen%partnerCheckEvery == 0 {
			if stopped = ctx.Err(); stopped != nil {
				return false
			}
		}
		if other == slot {
			return true
		}
		o := &st.orgs[other]
		d, ok := ruler.Within(o.loc)
		if !ok {
			return true
		}
		switch {
		case d > radiusM:
			res.Excluded[ExcludedTooFar]++
			return true
		case me.practices&o.objects != 0 || o.practices&me.objects != 0:
			res.Excluded[ExcludedValuesConflict]++
			return true
		}
		theirs = st.offersOf(o, rooms, theirs)
		they, theyRooms, offered, needed := meet(e.tax, me.needs, theirs)
		you, youRooms, _, _ := meet(e.tax, o.needs, myOffers)
		if len(they) == 0 && len(you) == 0 {
			res.Excluded[ExcludedNoComplement]++
			return true
		}
		c := partnerCandidate{slot: other, d: d, reciprocal: len(they) > 0 && len(you) > 0, they: they, you: you,
			theyRooms: theyRooms, youRooms: youRooms, offered: offered, needed: needed}
		c.factors = partnerFactors(me, o, d, radiusM, len(they), len(you), offered, needed)
		for i, f := range c.factors {
			c.score += w[i] * f
		}
		c.score = roundScore(c.score)
		found = append(found, c)
		return true
	})
	if stopped != nil {
		return nil, stopped
	}
	sort.Slice(found, func(i, j int) bool {
		a, b := &found[i], &found[j]
		switch {
		case a.reciprocal != b.reciprocal:
			return a.reciprocal
		case a.score != b.score:
			return a.score > b.score
		case a.d != b.d:
			return a.d < b.d
		}
		return st.orgs[a.slot].id < st.orgs[b.slot].id
	})
	res.TotalMatches = len(found)
	if len(found) > limit {
		found = found[:limit]
	}
	for _, c := range found {
		res.Matches = append(res.Matches, e.renderPartner(st, me, &c, w, radiusKm))
	}
	return res, nil
}

func normalisedPartnerWeights(pw PartnerWeights) [numPartnerFactors]float64 {
	w := [numPartnerFactors]float64{pw.TheyMeet, pw.YouMeet, pw.Values, pw.Capacity, pw.Distance, pw.CrossSector, pw.Trust}
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	for i := range w {
		w[i] /= sum
	}
	return w
}

// partnerFactors are the factors of a partner score, each 0..1, in the
// order of partnerFactorNames.
func partnerFactors(me, o *orgRec, d, radiusM float64, they, you, offered, needed int) [numPartnerFactors]float64 {
	var f [numPartnerFactors]float64
	if len(me.needs) > 0 {
		f[0] = float64(they) / float64(len(me.needs))
	}
	if len(o.needs) > 0 {
		f[1] = float64(you) / float64(len(o.needs))
	}
	shared := popcount(me.values & o.values)
	fewer := min(popcount(me.values), popcount(o.values))
	if fewer > 0 {
		f[2] = float64(shared) / float64(fewer)
	}
	switch {
	case they == 0:
		f[3] = 0
	case needed == 0:
		f[3] = 1
	default:
		f[3] = clamp01(float64(offered) / float64(needed))
	}
	f[4] = PartnerDistanceFactor(d, radiusM, float64(me.radiusKm)*1000, float64(o.radiusKm)*1000)
	if sectorOf(OrgTypes[me.typ]) != sectorOf(OrgTypes[o.typ]) {
		f[5] = 1
	}
	f[6] = float64(min(int(o.trusted), TrustedPartnershipsForFullTrust)) / TrustedPartnershipsForFullTrust
	return f
}

func popcount(x uint64) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

var partnerFactorNames = [numPartnerFactors]string{"they_meet", "you_meet", "shared_values", "capacity", "distance", "cross_sector", "trust"}
