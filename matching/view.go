package matching

import (
	"sort"

	"github.com/paulmach/orb"
)

// View is a read-only copy of everything the engine holds, for tests and
// diagnostics: what the engine would match on, rebuilt from its compact
// records. Lists are sorted by ID and never nil; times are in UTC.
type View struct {
	// Revision is the store revision the engine reflects.
	Revision      int64
	Organisations []OrganisationView
	Venues        []VenueView
	Spaces        []SpaceView
}

// OrganisationView is an organisation as the engine holds it: what
// values checks and partner matching use (the engine keeps the service
// radius as float32).
type OrganisationView struct {
	ID                    string
	Name                  string
	Type                  OrgType
	Location              orb.Point
	ServiceRadiusKm       float32
	CapacityHoursPerMonth int
	// Values are taxonomy slugs in slug order. Practices are the practices
	// it follows, and Objects the practices it will not work with (its
	// exclusions and those its values conflict with), also in slug order.
	Values    []string
	Practices []string
	Objects   []string
	// Offers and Needs are in the order the engine was given them, without
	// categories the taxonomy does not know; hours are capped at 65,535.
	Offers []CategoryHours
	Needs  []CategoryHours
	// RoomNeeds are its needs for a room (space.* categories the taxonomy
	// knows), in the order given, with what each says of the room
	// (windows never nil; no description, hours or creation time).
	RoomNeeds []Need
	// Venues are the IDs of its venues, sorted.
	Venues []string
}

// CategoryHours is an offer or need as the engine holds it.
type CategoryHours struct {
	Category      string
	HoursPerMonth int
}

// VenueView is a venue as the engine holds it.
type VenueView struct {
	ID             string
	OrganisationID string
	Name           string
	Location       orb.Point
	Timezone       string
	Accessibility  Accessibility
	// Spaces are the IDs of its spaces, sorted.
	Spaces []string
}

// SpaceView is a space as the engine holds it. The engine keeps floor
// area and ceiling height as float32, and closures without reasons.
type SpaceView struct {
	ID             string
	VenueID        string
	OrganisationID string
	Name           string
	Kind           SpaceKind
	Location       orb.Point
	Capacity       int
	FloorAreaM2    float32
	CeilingHeightM float32
	Floor          Floor
	FitToDance     int
	Mirrors        bool
	Barres         bool
	SoundSystem    bool
	ChangingRooms  bool
	ClimateControl bool
	Obstructions   bool
	InstantBook    bool
	// Outdoor, Surface, RiggingPoints and TapBoards are the activity
	// rules' fields (RiggingPoints is never nil).
	Outdoor       bool
	Surface       Surface
	RiggingPoints []RiggingPoint
	TapBoards     bool
	// Accessibility is the venue's, as copied to the space for matching.
	Accessibility Accessibility
	// ProhibitedActivities are activity slugs in slug order.
	ProhibitedActivities []string
	// Prices are in Tiers order, one per priced tier.
	Prices       []Price
	OpeningHours []OpeningHours
	Closures     []Closure
	// TurnaroundMinutes is the space's, the one fair-use rule matching
	// uses.
	TurnaroundMinutes int
	// Booked are the confirmed booked periods, by start.
	Booked []Session
}

// View returns a copy of the engine's whole state. It holds the read
// lock while it copies, so it costs a pass over every record: use it in
// tests and diagnostics, not on a request path.
func (e *Engine) View() View {
	e.mu.RLock()
	defer e.mu.RUnlock()
	st := e.st
	v := View{
		Revision:      st.rev,
		Organisations: []OrganisationView{},
		Venues:        []VenueView{},
		Spaces:        []SpaceView{},
	}
	// Live records, slot by slot: deleted slots are zeroed, not live.
	for slot := range st.orgs {
		o := &st.orgs[slot]
		if !o.live {
			continue
		}
		ov := OrganisationView{ID: o.id, Name: o.name, Type: OrgTypes[o.typ], Location: o.loc,
			ServiceRadiusKm: o.radiusKm, CapacityHoursPerMonth: int(o.capacity),
			Values: slugsOf(e.tax.Values, o.values), Practices: slugsOf(e.tax.Practices, o.practices),
			Objects: slugsOf(e.tax.Practices, o.objects), Offers: e.categoryHours(o.offers),
			Needs: e.categoryHours(o.needs), RoomNeeds: e.roomNeedViews(o), Venues: make([]string, 0, len(o.venues))}
		for _, vs := range o.venues {
			ov.Venues = append(ov.Venues, st.venues[vs].id.String())
		}
		sort.Strings(ov.Venues)
		v.Organisations = append(v.Organisations, ov)
	}
	for slot := range st.venues {
		r := &st.venues[slot]
		if !r.live {
			continue
		}
		vv := VenueView{ID: r.id.String(), OrganisationID: st.orgs[r.org].id, Name: r.name, Location: r.loc,
			Timezone: r.zone.String(), Accessibility: r.access, Spaces: make([]string, 0, len(r.spaces))}
		for _, s := range r.spaces {
			vv.Spaces = append(vv.Spaces, st.spaces[s].id.String())
		}
		sort.Strings(vv.Spaces)
		v.Venues = append(v.Venues, vv)
	}
	for slot := range st.spaces {
		if st.spaces[slot].live {
			v.Spaces = append(v.Spaces, e.spaceView(st, int32(slot)))
		}
	}
	sort.Slice(v.Organisations, func(i, j int) bool { return v.Organisations[i].ID < v.Organisations[j].ID })
	sort.Slice(v.Venues, func(i, j int) bool { return v.Venues[i].ID < v.Venues[j].ID })
	sort.Slice(v.Spaces, func(i, j int) bool { return v.Spaces[i].ID < v.Spaces[j].ID })
	return v
}

func (e *Engine) spaceView(st *state, slot int32) SpaceView {
	sp := &st.spaces[slot]
	f := sp.flags
	sv := SpaceView{
		ID: sp.id.String(), VenueID: st.venues[sp.venue].id.String(), OrganisationID: st.orgs[sp.org].id,
		Name: sp.name, Kind: SpaceKinds[sp.kind], Location: sp.loc, Capacity: int(sp.capacity),
		FloorAreaM2: sp.area, CeilingHeightM: sp.ceiling, Floor: Floors[sp.floor], FitToDance: int(sp.fit),
		Accessibility: Accessibility{StepFree: f&flagStepFree != 0, AccessibleToilet: f&flagToilet != 0,
			HearingLoop: f&flagLoop != 0, Parking: f&flagParking != 0},
		ProhibitedActivities: slugsOf(e.tax.Activities, sp.prohibited),
		Prices:               []Price{},
		OpeningHours:         append([]OpeningHours{}, st.hours[sp.hours]...),
		Closures:             []Closure{},
		Booked:               []Session{},
		TurnaroundMinutes:    int(sp.turnaround),
		RiggingPoints:        []RiggingPoint{},
	}
	setSpaceFlags(&sv, f)
	if d := st.details[slot]; d != nil {
		sv.Surface = d.surface
		sv.RiggingPoints = append(sv.RiggingPoints, d.rigging...)
	}
	for i, p := range sp.prices {
		if p >= 0 {
			sv.Prices = append(sv.Prices, Price{Tier: Tiers[i], PencePerHour: int(p)})
		}
	}
	if sp.closures >= 0 {
		for _, c := range st.closureLists[sp.closures] {
			sv.Closures = append(sv.Closures, Closure{Start: c.Start.UTC(), End: c.End.UTC()})
		}
	}
	if x := st.extras[slot]; x != nil {
		for _, b := range x.booked {
			sv.Booked = append(sv.Booked, Session{Start: b.Start.UTC(), End: b.End.UTC()})
		}
	}
	return sv
}

// slugsOf turns a taxonomy bit set back into slugs, in slug order.
func slugsOf(terms []Term, bits uint64) []string {
	out := []string{}
	for i := 0; i < len(terms) && i < 64; i++ {
		if bits&(1<<uint(i)) != 0 {
			out = append(out, terms[i].Slug)
		}
	}
	return out
}

func (e *Engine) roomNeedViews(o *orgRec) []Need {
	out := make([]Need, len(o.rooms))
	for i, n := range o.rooms {
		out[i] = Need{ID: n.id, OrganisationID: o.id, Category: e.tax.Categories[n.cat].Slug, GroupSize: int(n.groupSize),
			Activity: n.activity, Windows: append([]Window{}, n.windows...), MaxPencePerHour: int(n.maxPence)}
	}
	return out
}

func (e *Engine) categoryHours(cs []catHours) []CategoryHours {
	out := make([]CategoryHours, len(cs))
	for i, c := range cs {
		out[i] = CategoryHours{Category: e.tax.Categories[c.cat].Slug, HoursPerMonth: int(c.hours)}
	}
	return out
}
