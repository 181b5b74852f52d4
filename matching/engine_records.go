package matching

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"time"
)

func (e *Engine) upsertOrg(st *state, o *Organisation) error {
	rec := orgRec{id: o.ID, name: o.Name, loc: o.Location, typ: orgType8(o.Type), radiusKm: float32(o.ServiceRadiusKm),
		capacity: int32(o.CapacityHoursPerMonth), trusted: uint8(min(max(o.TrustedPartnerships, 0), 255)), live: true}
	rec.practices, rec.objects = e.orgBits(o)
	for _, v := range o.Values {
		rec.values |= bitOf(e.tax.Values, v)
	}
	rec.offers = e.catHours(len(o.Offers), func(i int) (string, int) { return o.Offers[i].Category, o.Offers[i].HoursPerMonth })
	rec.needs = e.catHours(len(o.Needs), func(i int) (string, int) { return o.Needs[i].Category, o.Needs[i].HoursPerMonth })
	rec.rooms = e.roomNeeds(st, o.Needs)
	if slot, ok := st.orgByID[o.ID]; ok {
		old := &st.orgs[slot]
		rec.id = old.id
		rec.venues = old.venues
		if old.loc != rec.loc {
			st.orgGrid.Remove(slot, old.loc)
			st.orgGrid.Insert(slot, rec.loc)
		}
		*old = rec
		return nil
	}
	slot := allocSlot(&st.orgs, &st.freeOrgs)
	st.orgs[slot] = rec
	st.orgByID[o.ID] = slot
	st.orgGrid.Insert(slot, rec.loc)
	return nil
}

func (e *Engine) catHours(n int, at func(i int) (string, int)) []catHours {
	if n == 0 {
		return nil
	}
	out := make([]catHours, 0, n)
	for i := 0; i < n; i++ {
		slug, hours := at(i)
		if c := e.tax.categoryIndex(slug); c >= 0 {
			out = append(out, catHours{cat: uint16(c), hours: uint16(min(max(hours, 0), 65535))})
		}
	}
	return out
}

// roomNeeds keeps the needs for a room (space.* categories the taxonomy
// knows), in the order given.
func (e *Engine) roomNeeds(st *state, needs []Need) []roomNeed {
	var out []roomNeed
	for i := range needs {
		n := &needs[i]
		c := e.tax.categoryIndex(n.Category)
		if c < 0 || !IsSpaceCategory(n.Category) {
			continue
		}
		out = append(out, roomNeed{id: n.ID, cat: uint16(c), groupSize: int32(min(max(n.GroupSize, 0), MaxCapacity)),
			activity: st.intern(n.Activity), maxPence: int32(min(max(n.MaxPencePerHour, 0), MaxPencePerHour)),
			windows: slices.Clone(n.Windows)})
	}
	return out
}

func orgType8(t OrgType) uint8 {
	for i, x := range OrgTypes {
		if x == t {
			return uint8(i)
		}
	}
	return uint8(len(OrgTypes) - 1)
}

// orgBits turns an organisation's practices, exclusions and values into
// taxonomy bit sets.
func (e *Engine) orgBits(o *Organisation) (practices, objects uint64) {
	for _, p := range o.Practices {
		practices |= e.tax.practiceBit(p)
	}
	for _, x := range o.Exclusions {
		objects |= e.tax.practiceBit(x)
	}
	for _, v := range o.Values {
		objects |= e.tax.conflictBits(v)
	}
	return practices, objects
}

func (e *Engine) upsertVenue(st *state, v *Venue) error {
	id, ok := parseUID(v.ID)
	if !ok {
		return fmt.Errorf("venue id %q is not a UUID", v.ID)
	}
	org, ok := st.orgByID[v.OrganisationID]
	if !ok {
		return fmt.Errorf("venue %s: unknown organisation %s", v.ID, v.OrganisationID)
	}
	zone, err := LoadLocation(v.Timezone)
	if err != nil {
		return fmt.Errorf("venue %s: %w", v.ID, err)
	}
	rec := venueRec{id: id, name: v.Name, address: v.Address, postcode: v.Postcode, org: org, loc: v.Location, zone: zone, access: v.Accessibility, live: true}
	if slot, ok := st.venueByID.Get(id); ok {
		old := &st.venues[slot]
		rec.spaces = old.spaces
		if old.org != org {
			removeSlot(&st.orgs[old.org].venues, slot)
			st.orgs[org].venues = append(st.orgs[org].venues, slot)
		}
		st.venueGrid.Remove(slot, old.loc)
		st.venueGrid.Insert(slot, rec.loc)
		*old = rec
		// Spaces take their venue's place, owner and accessibility.
		for _, s := range rec.spaces {
			sp := &st.spaces[s]
			st.unfileFromCell(s, sp.loc)
			if sp.loc != rec.loc {
				st.grid.Remove(s, sp.loc)
				sp.loc = rec.loc
				st.grid.Insert(s, sp.loc)
			}
			sp.org = org
			sp.zone = st.zoneNumber(zone)
			sp.flags = sp.flags&^venueFlags | accessFlags(rec.access)
			st.fileInCell(s)
		}
		return nil
	}
	slot := allocSlot(&st.venues, &st.freeVenues)
	st.venues[slot] = rec
	st.venueByID.Set(id, slot)
	st.venueGrid.Insert(slot, rec.loc)
	st.orgs[org].venues = append(st.orgs[org].venues, slot)
	return nil
}

// zoneNumber numbers a time zone for spaceRec.zone. There are a few
// hundred zones, so the numbers never run out.
func (st *state) zoneNumber(zone *time.Location) uint16 {
	n, ok := st.zoneIndex[zone]
	if !ok {
		n = uint16(len(st.zones))
		st.zones = append(st.zones, zone)
		st.zoneIndex[zone] = n
	}
	return n
}

const venueFlags = flagStepFree | flagToilet | flagLoop | flagParking

func accessFlags(a Accessibility) uint16 {
	var f uint16
	if a.StepFree {
		f |= flagStepFree
	}
	if a.AccessibleToilet {
		f |= flagToilet
	}
	if a.HearingLoop {
		f |= flagLoop
	}
	if a.Parking {
		f |= flagParking
	}
	return f
}

func (e *Engine) upsertSpace(st *state, s *Space) error {
	id, ok := parseUID(s.ID)
	if !ok {
		return fmt.Errorf("space id %q is not a UUID", s.ID)
	}
	vid, ok := parseUID(s.VenueID)
	if !ok {
		return fmt.Errorf("space %s: venue id %q is not a UUID", s.ID, s.VenueID)
	}
	vslot, ok := st.venueByID.Get(vid)
	if !ok {
		return fmt.Errorf("space %s: unknown venue %s", s.ID, s.VenueID)
	}
	v := &st.venues[vslot]
	rec := spaceRec{
		id: id, loc: v.loc, name: st.intern(s.Name), venue: vslot, org: v.org,
		capacity: int32(s.Capacity), area: float32(s.FloorAreaM2), ceiling: float32(s.CeilingHeightM),
		prices: [3]int32{-1, -1, -1}, hours: st.internHours(s.OpeningHours), closures: -1,
		floor: floor8(s.Floor), kind: kind8(s.Kind), fit: uint8(s.FitToDance()), live: true,
		flags: accessFlags(v.access) | spaceFlags(s), zone: st.zoneNumber(v.zone),
		turnaround: uint16(s.TurnaroundMinutes), horizon: uint16(min(s.HorizonDays(), MaxBookingHorizonDays)),
	}
	for _, p := range s.Prices {
		if i := tierIndex(p.Tier); i >= 0 {
			rec.prices[i] = int32(p.PencePerHour)
		}
	}
	for _, a := range s.ProhibitedActivities {
		rec.prohibited |= e.tax.activityBit(a)
	}
	if len(s.Closures) > 0 {
		rec.closures = st.internClosures(s.Closures)
	}
	slot, exists := st.spaceByID.Get(id)
	if exists {
		old := &st.spaces[slot]
		st.grid.Remove(slot, old.loc)
		st.unfileFromCell(slot, old.loc)
		if old.venue != vslot {
			removeSlot(&st.venues[old.venue].spaces, slot)
			v.spaces = append(v.spaces, slot)
		}
	} else {
		slot = allocSlot(&st.spaces, &st.freeSpaces)
		st.spaceByID.Set(id, slot)
		v.spaces = append(v.spaces, slot)
	}
	st.spaces[slot] = rec
	st.grid.Insert(slot, rec.loc)
	st.markExtra(slot)
	st.fileInCell(slot)
	st.setDetail(slot, s)
	return nil
}

// setDetail keeps what few spaces have (an outdoor surface, rigging
// points) in details, and the flags that say so.
func (st *state) setDetail(slot int32, s *Space) {
	sp := &st.spaces[slot]
	if s.FloorAreaM2 < LargeStudioM2 {
		sp.flags |= flagSmall
	}
	if len(s.RiggingPoints) > 0 {
		sp.flags |= flagRigging
	}
	if s.Surface == "" && len(s.RiggingPoints) == 0 {
		delete(st.details, slot)
		return
	}
	st.details[slot] = &spaceDetail{surface: s.Surface, rigging: append([]RiggingPoint(nil), s.RiggingPoints...)}
}

// markExtra keeps a space's flagExtra bit in step with extras, so matching
// looks extras up only for the few spaces that have any.
func (st *state) markExtra(slot int32) {
	if _, ok := st.extras[slot]; ok {
		st.spaces[slot].flags |= flagExtra
	} else {
		st.spaces[slot].flags &^= flagExtra
	}
}

// internClosures shares one copy of identical closure lists (a county's
// venues often share the same Christmas closure).
func (st *state) internClosures(cs []Closure) int32 {
	st.key = st.key[:0]
	for _, c := range cs {
		st.key = binary.LittleEndian.AppendUint64(st.key, uint64(c.Start.UnixNano()))
		st.key = binary.LittleEndian.AppendUint64(st.key, uint64(c.End.UnixNano()))
	}
	if id, ok := st.closureIDs[string(st.key)]; ok {
		return id
	}
	key := string(st.key)
	x := make([]Closure, len(cs))
	for i, c := range cs {
		x[i] = Closure{Start: c.Start, End: c.End} // reasons are not needed to match
	}
	st.closureLists = append(st.closureLists, x)
	id := int32(len(st.closureLists) - 1)
	st.closureIDs[key] = id
	return id
}

func (e *Engine) setBooked(st *state, spaceID string, periods []Session) error {
	id, ok := parseUID(spaceID)
	if !ok {
		return fmt.Errorf("booked space id %q is not a UUID", spaceID)
	}
	slot, ok := st.spaceByID.Get(id)
	if !ok {
		return nil // the space has gone since
	}
	x := st.extras[slot]
	defer st.markExtra(slot)
	if len(periods) == 0 {
		delete(st.extras, slot)
		return nil
	}
	if x == nil {
		x = &extra{}
		st.extras[slot] = x
	}
	x.booked = append([]Session(nil), periods...)
	sort.Slice(x.booked, func(i, j int) bool { return x.booked[i].Start.Before(x.booked[j].Start) })
	return nil
}

func (e *Engine) deleteSpace(st *state, id string) {
	u, ok := parseUID(id)
	if !ok {
		return
	}
	slot, ok := st.spaceByID.Get(u)
	if !ok {
		return
	}
	sp := &st.spaces[slot]
	st.grid.Remove(slot, sp.loc)
	st.unfileFromCell(slot, sp.loc)
	removeSlot(&st.venues[sp.venue].spaces, slot)
	st.spaceByID.Delete(u)
	delete(st.extras, slot)
	delete(st.details, slot)
	*sp = spaceRec{}
	st.freeSpaces = append(st.freeSpaces, slot)
}

func (e *Engine) deleteVenue(st *state, id string) {
	u, ok := parseUID(id)
	if !ok {
		return
	}
	slot, ok := st.venueByID.Get(u)
	if !ok {
		return
	}
	v := &st.venues[slot]
	for _, s := range append([]int32(nil), v.spaces...) {
		e.deleteSpace(st, st.spaces[s].id.String())
	}
	removeSlot(&st.orgs[v.org].venues, slot)
	st.venueGrid.Remove(slot, v.loc)
	st.venueByID.Delete(u)
	*v = venueRec{}
	st.freeVenues = append(st.freeVenues, slot)
}

func (e *Engine) deleteOrg(st *state, id string) {
	slot, ok := st.orgByID[id]
	if !ok {
		return
	}
	for _, v := range append([]int32(nil), st.orgs[slot].venues...) {
		e.deleteVenue(st, st.venues[v].id.String())
	}
	delete(st.orgByID, id)
	st.orgGrid.Remove(slot, st.orgs[slot].loc)
	st.orgs[slot] = orgRec{}
	st.freeOrgs = append(st.freeOrgs, slot)
}

func allocSlot[T any](items *[]T, free *[]int32) int32 {
	if n := len(*free); n > 0 {
		slot := (*free)[n-1]
		*free = (*free)[:n-1]
		return slot
	}
	var zero T
	*items = append(*items, zero)
	return int32(len(*items) - 1)
}

func removeSlot(list *[]int32, slot int32) {
	l := *list
	for i, x := range l {
		if x == slot {
			l[i] = l[len(l)-1]
			*list = l[:len(l)-1]
			return
		}
	}
}

// intern shares one copy of repeated names ("Main Hall", "Studio 1").
func (st *state) intern(s string) string {
	if x, ok := st.names[s]; ok {
		return x
	}
	if len(st.names) < 1<<16 {
		st.names[s] = s
	}
	return s
}

// internHours shares one copy of each distinct weekly timetable; most
// spaces keep one of a few.
func (st *state) internHours(h []OpeningHours) int32 {
	st.key = st.key[:0]
	for _, x := range h {
		st.key = append(st.key, byte(x.Day.Time()), byte(x.Opens>>8), byte(x.Opens), byte(x.Closes>>8), byte(x.Closes))
	}
	if i, ok := st.hoursByKey[string(st.key)]; ok { // no allocation for a hit
		return i
	}
	key := string(st.key)
	st.hours = append(st.hours, append([]OpeningHours(nil), h...))
	st.hoursByKey[key] = int32(len(st.hours) - 1)
	return int32(len(st.hours) - 1)
}

func tierIndex(t Tier) int {
	for i, x := range Tiers {
		if x == t {
			return i
		}
	}
	return -1
}

func kind8(k SpaceKind) uint8 {
	for i, x := range SpaceKinds {
		if x == k {
			return uint8(i)
		}
	}
	return uint8(len(SpaceKinds) - 1)
}
