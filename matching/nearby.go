package matching

import (
	"bytes"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"commonground/geo"
)

// NearbyQuery asks for the spaces or venues nearest a point.
type NearbyQuery struct {
	Centre  orb.Point
	RadiusM float64
	// After resumes a ranking after the item with this distance and ID.
	After *geo.Ranked
	Limit int
	// OrganisationID keeps only what that organisation owns.
	OrganisationID string
	// Spaces only: an activity the space must suit (the venue allows it and
	// the space meets its rules, activity.go, for a group of MinCapacity or
	// at least one), a least capacity, the venue it must be in and its
	// kind. AllowOutdoor lets outdoor spaces suit an activity.
	Activity     string
	AllowOutdoor bool
	MinCapacity  int
	VenueID      string
	Kind         SpaceKind
	// Free, when set, keeps only spaces open, not closed and unbooked for
	// the whole period (see Space.Unavailability); MinStars keeps only
	// spaces with at least that fit_to_dance.
	Free     *Session
	MinStars int
	// Now is when the query is made: with Free, a space whose booking
	// horizon from Now ends before Free starts is not free (a zero Now
	// sets no horizon).
	Now time.Time
}

// NearbySpace is a space in a nearby answer.
type NearbySpace struct {
	ID, Name, VenueID, VenueName, OrganisationID string
	Kind                                         SpaceKind
	Location                                     orb.Point
	DistanceM                                    float64
	Capacity                                     int
	Floor                                        Floor
	FitToDance                                   int
	InstantBook                                  bool
	CommunityPencePerHour                        *int
}

// NearbyVenue is a venue in a nearby answer.
type NearbyVenue struct {
	ID, Name, OrganisationID string
	Address, Postcode        string
	Location                 orb.Point
	DistanceM                float64
	StepFree                 bool
	Spaces                   int
}

type ranked struct {
	slot int32
	id   uid
	d    float64
}

func (a ranked) less(b ranked) bool {
	if a.d != b.d {
		return a.d < b.d
	}
	return bytes.Compare(a.id[:], b.id[:]) < 0
}

// rankAfter sorts rs nearest first and keeps those after the cursor, at
// most limit, saying whether more remain.
func rankAfter(rs []ranked, after *geo.Ranked, limit int) ([]ranked, bool) {
	if after != nil {
		cur := ranked{d: after.DistanceM}
		if u, ok := parseUID(after.ID); ok {
			cur.id = u
		}
		kept := rs[:0]
		for _, r := range rs {
			if cur.less(r) {
				kept = append(kept, r)
			}
		}
		rs = kept
	}
	if limit <= 0 || len(rs) <= limit {
		slices.SortFunc(rs, cmpRanked)
		return rs, false
	}
	// Keep the nearest limit in a max-heap: O(n log limit), not a sort of
	// every space in the radius.
	h := rs[:limit]
	for i := limit/2 - 1; i >= 0; i-- {
		siftDown(h, i)
	}
	for _, r := range rs[limit:] {
		if r.less(h[0]) {
			h[0] = r
			siftDown(h, 0)
		}
	}
	slices.SortFunc(h, cmpRanked)
	return h, true
}

func cmpRanked(a, b ranked) int {
	switch {
	case a.less(b):
		return -1
	case b.less(a):
		return 1
	}
	return 0
}

// siftDown restores the max-heap (farthest at the top) below i.
func siftDown(h []ranked, i int) {
	for {
		far, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h[far].less(h[l]) {
			far = l
		}
		if r < len(h) && h[far].less(h[r]) {
			far = r
		}
		if far == i {
			return
		}
		h[i], h[far] = h[far], h[i]
		i = far
	}
}

// NearbySpaces returns the spaces within the radius that pass the query's
// filters, nearest first (ties by ID), after the cursor, with whether more
// remain. An unknown venue, organisation or kind finds nothing.
func (e *Engine) NearbySpaces(q NearbyQuery) ([]NearbySpace, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	st := e.st
	var rules *activityRules
	if q.Activity != "" {
		r := e.activityRules(q.Activity, q.AllowOutdoor)
		rules = &r
	}
	group := max(q.MinCapacity, 1)
	kind := -1
	if q.Kind != "" {
		kind = kindIndex(q.Kind)
		if kind < 0 {
			return []NearbySpace{}, false
		}
	}
	sel := newSelector(q)
	defer sel.release()
	var spans []localSession // q.Free in each zone, when first needed
	var spanDone []bool
	if q.Free != nil {
		spans, spanDone = make([]localSession, len(st.zones)), make([]bool, len(st.zones))
	}
	visit := func(slot int32) bool {
		sp := &st.spaces[slot]
		if int(sp.capacity) < q.MinCapacity || (kind >= 0 && int(sp.kind) != kind) || int(sp.fit) < q.MinStars ||
			(rules != nil && rules.blocks(st, slot, sp, group)) {
			return true
		}
		if q.Free != nil {
			if !spanDone[sp.zone] {
				d, f, t, ok := localSpan(*q.Free, st.zones[sp.zone])
				spans[sp.zone], spanDone[sp.zone] = localSession{d, f, t, ok}, true
			}
			if (!q.Now.IsZero() && beyondHorizon(q.Free.Start, q.Now, int(sp.horizon))) || !st.freeFor(slot, sp, *q.Free, spans[sp.zone]) {
				return true
			}
		}
		sel.add(slot, sp.loc)
		return true
	}
	// Visit the fewest candidates: the venue's spaces, the owner's, or
	// those in the grid cells around the centre.
	switch {
	case q.VenueID != "":
		vslot, ok := st.venueSlot(q.VenueID)
		if !ok || (q.OrganisationID != "" && st.orgs[st.venues[vslot].org].id != q.OrganisationID) {
			return []NearbySpace{}, false
		}
		for _, s := range st.venues[vslot].spaces {
			visit(s)
		}
	case q.OrganisationID != "":
		oslot, ok := st.orgByID[q.OrganisationID]
		if !ok {
			return []NearbySpace{}, false
		}
		for _, v := range st.orgs[oslot].venues {
			for _, s := range st.venues[v].spaces {
				visit(s)
			}
		}
	default:
		sel.walkNearestFirst(st.grid, visit)
	}
	rs, more := sel.nearest(func(slot int32) (uid, orb.Point) { return st.spaces[slot].id, st.spaces[slot].loc })
	// The answer's IDs are written into one string and its prices into
	// one slice, so it costs a few allocations, not three a space.
	var ids strings.Builder
	ids.Grow(2 * uidLen * len(rs))
	for _, r := range rs {
		sp := &st.spaces[r.slot]
		sp.id.writeTo(&ids)
		st.venues[sp.venue].id.writeTo(&ids)
	}
	all := ids.String()
	prices := make([]int, len(rs))
	out := make([]NearbySpace, len(rs))
	for i, r := range rs {
		sp := &st.spaces[r.slot]
		v := &st.venues[sp.venue]
		at := 2 * uidLen * i
		out[i] = NearbySpace{
			ID: all[at : at+uidLen], Name: sp.name, VenueID: all[at+uidLen : at+2*uidLen], VenueName: v.name,
			OrganisationID: st.orgs[sp.org].id, Kind: SpaceKinds[sp.kind], Location: sp.loc, DistanceM: r.d,
			Capacity: int(sp.capacity), Floor: Floors[sp.floor], FitToDance: int(sp.fit), InstantBook: sp.flags&flagInstant != 0,
		}
		if p := sp.prices[0]; p >= 0 {
			prices[i] = int(p)
			out[i].CommunityPencePerHour = &prices[i]
		}
	}
	return out, more
}

// NearbyVenues returns the venues within the radius (of the query's
// organisation, if it names one), nearest first (ties by ID), after the
// cursor, with whether more remain. VenueID, Kind, Activity and
// MinCapacity do not apply to venues.
func (e *Engine) NearbyVenues(q NearbyQuery) ([]NearbyVenue, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	st := e.st
	sel := newSelector(q)
	defer sel.release()
	visit := func(slot int32) bool {
		sel.add(slot, st.venues[slot].loc)
		return true
	}
	if q.OrganisationID != "" {
		oslot, ok := st.orgByID[q.OrganisationID]
		if !ok {
			return []NearbyVenue{}, false
		}
		for _, v := range st.orgs[oslot].venues {
			visit(v)
		}
	} else {
		sel.walkNearestFirst(st.venueGrid, visit)
	}
	rs, more := sel.nearest(func(slot int32) (uid, orb.Point) { return st.venues[slot].id, st.venues[slot].loc })
	out := make([]NearbyVenue, len(rs))
	for i, r := range rs {
		v := &st.venues[r.slot]
		out[i] = NearbyVenue{ID: v.id.String(), Name: v.name, OrganisationID: st.orgs[v.org].id, Location: v.loc,
			Address: v.address, Postcode: v.postcode, DistanceM: r.d, StepFree: v.access.StepFree, Spaces: len(v.spaces)}
	}
	return out, more
}

// venueSlot finds a venue by its ID.
func (st *state) venueSlot(id string) (int32, bool) {
	u, ok := parseUID(id)
	if !ok {
		return 0, false
	}
	slot, ok := st.venueByID.Get(u)
	return slot, ok
}

// kindIndex is k's index in SpaceKinds, or -1.
func kindIndex(k SpaceKind) int {
	for i, x := range SpaceKinds {
		if x == k {
			return i
		}
	}
	return -1
}
