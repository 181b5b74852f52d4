package openactive

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"commonground/matching"
)

// Window is how far ahead the slots feed publishes: a slot enters the
// feed Window before it starts and leaves when it starts.
const Window = 56 * 24 * time.Hour

// Lag is how long the slots feed waits before it publishes what a time
// stamp says happened: a change's items are ordered by the time its
// transaction recorded (just before it committed), so a page must not run
// up to the present, where a change stamped a moment ago may not be
// visible yet. Writes are bounded by the database timeout (5 s by
// default); Lag is twice that.
const Lag = 10 * time.Second

// Feed is both feeds of one snapshot: the FacilityUse feed, whose
// modified values are store revisions, and the slots feed, whose modified
// values are times in milliseconds since 1970 (see SlotPage). Build it
// once per revision (NewFeed) and serve many pages from it; it is safe for
// concurrent use.
type Feed struct {
	links Links
	tax   *matching.Taxonomy
	data  *Data

	facility []facilityEntry // by (modified, id)
	live     []*slotSpace    // by ID
	// oldest is the earliest change time of a live space: no slot enters
	// the window (after its space's change) before it.
	oldest  int64
	changed []*slotSpace // live and deleted with a known change time, by (changed, id)
}

type facilityEntry struct {
	modified int64
	id       string
	space    *matching.Space // nil: deleted
}

// slotSpace is what the slots feed keeps of a space.
type slotSpace struct {
	id     string
	space  *matching.Space // nil: deleted
	loc    *time.Location
	booked []matching.Session
	// changed is the time (ms) of the space's newest change as the log
	// times it (its own, its venue's, or the floor's), math.MinInt64 when
	// unknown. Its slots that were in the window then carry it as their
	// modified value; the later ones carry the time they entered it.
	changed int64
	// tombstones: its newest change is its own or its venue's, so hours of
	// the window at that time that are not slots now may have been slots
	// before, and are published as deleted.
	tombstones bool
}

const unknown = math.MinInt64

// NewFeed builds the feeds of snapshot d (sorted) with the change log cl
// read through d's revision. links says where the API lives; tax names
// the activities.
func NewFeed(links Links, tax *matching.Taxonomy, d *Data, cl *matching.ChangeLog) *Feed {
	f := &Feed{links: links, tax: tax, data: d, oldest: math.MaxInt64}
	live := make(map[string]bool, len(d.Spaces))
	for _, s := range d.Spaces {
		live[s.ID] = true
		sl, vl, ol := cl.Spaces[s.ID], cl.Venues[s.VenueID], cl.Organisations[s.OrganisationID]
		f.facility = append(f.facility, facilityEntry{
			modified: max(cl.Floor, sl.Revision, vl.Revision, ol.Revision), id: s.ID, space: s})

		ss := &slotSpace{id: s.ID, space: s, loc: time.UTC, booked: d.Bookings[s.ID]}
		if v := d.Venues[s.VenueID]; v != nil {
			if loc, err := matching.LoadLocation(v.Timezone); err == nil {
				ss.loc = loc
			}
		}
		own := sl
		if vl.Revision > own.Revision {
			own = vl
		}
		ss.changed, ss.tombstones = changeTime(own, cl)
		f.live = append(f.live, ss)
		f.oldest = min(f.oldest, ss.changed)
		if ss.changed != unknown {
			f.changed = append(f.changed, ss)
		}
	}
	for id, lc := range cl.Spaces {
		if live[id] {
			continue
		}
		f.facility = append(f.facility, facilityEntry{modified: max(cl.Floor, lc.Revision), id: id})
		if t, _ := changeTime(lc, cl); t != unknown {
			f.changed = append(f.changed, &slotSpace{id: id, changed: t, tombstones: true})
		}
	}
	slices.SortFunc(f.facility, func(a, b facilityEntry) int {
		return cmp.Or(cmp.Compare(a.modified, b.modified), strings.Compare(a.id, b.id))
	})
	slices.SortFunc(f.changed, func(a, b *slotSpace) int {
		return cmp.Or(cmp.Compare(a.changed, b.changed), strings.Compare(a.id, b.id))
	})
	return f
}

// changeTime is the time (ms) of an entity's newest change lc, or of the
// log's floor when that is newer; own is false for the floor.
func changeTime(lc matching.LoggedChange, cl *matching.ChangeLog) (ms int64, own bool) {
	if lc.Revision > cl.Floor {
		return lc.At.UnixMilli(), true
	}
	if cl.Floor > 0 && !cl.FloorAt.IsZero() {
		return cl.FloorAt.UnixMilli(), false
	}
	return unknown, false
}

// Revision is the store revision the feed shows.
func (f *Feed) Revision() int64 { return f.data.Revision }

// FacilityUsePage returns the page of the FacilityUse feed (whose URL is
// feed) after c: every space as a FacilityUse, and every space deleted
// since the log began as a deleted item, ordered by the store revision of
// its newest change (its own, its venue's or its organisation's).
func (f *Feed) FacilityUsePage(feed string, c Cursor, limit int) *Page {
	i := sort.Search(len(f.facility), func(i int) bool {
		e := &f.facility[i]
		return c.before(e.modified, e.id)
	})
	var items []Item
	for ; i < len(f.facility) && len(items) < limit; i++ {
		e := &f.facility[i]
		it := Item{State: StateDeleted, Kind: KindFacilityUse, ID: e.id, Modified: e.modified}
		if e.space != nil {
			v := f.data.Venues[e.space.VenueID]
			if v == nil {
				continue // not in this snapshot: it is coming or going
			}
			it.State = StateUpdated
			it.Data = NewFacilityUse(f.links, e.space, v, f.data.Organisations[e.space.OrganisationID], f.tax)
		}
		items = append(items, it)
	}
	return newPage(feed, c, items)
}

// slotRef is a slot item before its data is made.
type slotRef struct {
	modified int64
	id       string
	space    *slotSpace
	start    time.Time
	deleted  bool
}

// SlotPage returns the page of the slots feed (whose URL is feed) after
// c, as it stands at now: for every space, each whole hour (on the UTC
// hour) from now to Window ahead that lies within its opening hours is a
// Slot, with one use left when the engine's rules (matching's
// Space.Unavailability: open, not closed, not booked) let it be booked.
//
// Modified values are times in milliseconds. A slot carries the time of
// its space's newest change (see NewFeed) if it was in the window then,
// and otherwise the time it entered the window (its start less Window),
// so that the feed only ever grows at its end as time passes. An hour
// that was in the window when its space changed and is no longer a slot
// is a deleted item, as is every hour of a deleted space. Past slots
// leave the feed. Items stamped within Lag of now wait for a later page.
func (f *Feed) SlotPage(feed string, c Cursor, limit int, now time.Time) *Page {
	view := now.Add(-Lag).UnixMilli()
	first := now.Truncate(time.Hour)
	if first.Before(now) {
		first = first.Add(time.Hour)
	}
	changed := f.changedSlots(c, limit, first, view)
	bound := int64(math.MaxInt64) // the entering slots need not go past a full page of changed ones
	if len(changed) == limit {
		bound = changed[limit-1].modified
	}
	refs := append(changed, f.enteringSlots(c, limit, first, min(view, bound))...)
	slices.SortFunc(refs, func(a, b slotRef) int {
		return cmp.Or(cmp.Compare(a.modified, b.modified), strings.Compare(a.id, b.id))
	})
	if len(refs) > limit {
		refs = refs[:limit]
	}
	items := make([]Item, len(refs))
	for i, r := range refs {
		items[i] = Item{State: StateDeleted, Kind: KindSlot, ID: r.id, Modified: r.modified}
		if !r.deleted {
			s := r.space
			sess := matching.Session{Start: r.start, End: r.start.Add(SlotLength)}
			free := s.space.Unavailability(sess, s.loc, s.booked) == ""
			items[i].State = StateUpdated
			items[i].Data = NewSlot(f.links, s.space, r.start, free)
		}
	}
	return newPage(feed, c, items)
}

// open reports whether the hour from start lies within s's opening hours.
func (s *slotSpace) open(start time.Time) bool {
	return s.space.OpenFor(matching.Session{Start: start, End: start.Add(SlotLength)}, s.loc)
}

// changedSlots returns up to limit items after c, in order, of the
// slots that were in the window when their space last changed.
func (f *Feed) changedSlots(c Cursor, limit int, first time.Time, view int64) []slotRef {
	// The first space with an item after c: every item ID of a space is
	// its ID, a slash and a time stamp, so all come before id+"/\xff".
	i := sort.Search(len(f.changed), func(i int) bool {
		s := f.changed[i]
		return !c.Set || s.changed > c.Modified || (s.changed == c.Modified && s.id+"/\xff" > c.ID)
	})
	var out []slotRef
	for ; i < len(f.changed) && len(out) < limit; i++ {
		s := f.changed[i]
		if s.changed > view {
			break
		}
		last := time.UnixMilli(s.changed).Add(Window)
		for h := first; !h.After(last) && len(out) < limit; h = h.Add(time.Hour) {
			r := slotRef{modified: s.changed, space: s, start: h}
			switch {
			case s.space != nil && s.open(h):
			case s.tombstones:
				r.deleted = true
			default:
				continue
			}
			r.id = SlotID(s.id, h)
			if c.before(r.modified, r.id) {
				out = append(out, r)
			}
		}
	}
	return out
}

// enteringSlots returns up to limit items after c, in order, of the
// slots that entered the window after their space last changed, up to
// entry time view.
func (f *Feed) enteringSlots(c Cursor, limit int, first time.Time, view int64) []slotRef {
	h := first
	if from := f.oldest; c.Set || from != unknown {
		// The first hour whose entry time is not before the cursor's, nor
		// before the oldest change.
		if c.Set {
			from = max(from, c.Modified)
		}
		if from == math.MaxInt64 {
			return nil // no live space
		}
		from := time.UnixMilli(from).Add(Window)
		if t := from.Truncate(time.Hour); t.Before(from) {
			from = t.Add(time.Hour)
		} else {
			from = t
		}
		if from.After(h) {
			h = from
		}
	}
	var out []slotRef
	for ; h.Add(-Window).UnixMilli() <= view && len(out) < limit; h = h.Add(time.Hour) {
		m := h.Add(-Window).UnixMilli()
		for _, s := range f.live {
			if s.changed >= m || !s.open(h) {
				continue
			}
			id := SlotID(s.id, h)
			if c.before(m, id) {
				out = append(out, slotRef{modified: m, id: id, space: s, start: h})
				if len(out) == limit {
					break
				}
			}
		}
	}
	return out
}
