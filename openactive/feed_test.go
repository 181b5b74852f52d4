package openactive_test

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"commonground/geo"
	"commonground/matching"
	"commonground/openactive"
	"commonground/seed"
)

var london = mustZone("Europe/London")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

const (
	orgID   = "0a000000-0000-4000-8000-000000000001"
	venueID = "0b000000-0000-4000-8000-000000000001"
	spaceA  = "0c000000-0000-4000-8000-00000000000a" // changed on its own three days ago
	spaceB  = "0c000000-0000-4000-8000-00000000000b" // unchanged since the batch load
	spaceD  = "0c000000-0000-4000-8000-00000000000d" // deleted yesterday
)

// world is a small county: two rooms of one venue, one deleted room, a
// booking, a closure, and a change log.
type world struct {
	now      time.Time
	data     *openactive.Data
	log      *matching.ChangeLog
	booked   matching.Session
	closed   matching.Closure
	changedA time.Time
	loaded   time.Time
	deletedD time.Time
}

func newWorld(t *testing.T) *world {
	t.Helper()
	// A Wednesday in March, before the clocks go forward on the 29th: the
	// window crosses the change.
	now := time.Date(2026, 3, 4, 10, 17, 0, 0, time.UTC)
	w := &world{now: now, loaded: now.Add(-30 * 24 * time.Hour), changedA: now.Add(-72 * time.Hour),
		deletedD: now.Add(-24 * time.Hour)}
	d := openactive.NewData()
	d.Revision = 7
	loc := geo.MustPoint(cLat, cLon)
	must(t, d.Organisation(&matching.Organisation{ID: orgID, Name: "Arbury Youth Hub", Location: loc}))
	must(t, d.Venue(&matching.Venue{ID: venueID, OrganisationID: orgID, Name: "Arbury Centre", Location: loc, Timezone: "Europe/London"}))
	var every []matching.OpeningHours
	for _, day := range []matching.Weekday{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		every = append(every, matching.OpeningHours{Day: day, Opens: 9 * 60, Closes: 12 * 60})
	}
	// Booked on the coming Friday 10:00–11:00 local; closed all of the
	// Tuesday after.
	w.booked = matching.Session{Start: time.Date(2026, 3, 6, 10, 0, 0, 0, london), End: time.Date(2026, 3, 6, 11, 0, 0, 0, london)}
	w.closed = matching.Closure{Start: time.Date(2026, 3, 10, 0, 0, 0, 0, london), End: time.Date(2026, 3, 11, 0, 0, 0, 0, london), Reason: "floor"}
	must(t, d.Space(&matching.Space{ID: spaceB, VenueID: venueID, OrganisationID: orgID, Name: "Hall", Kind: "hall",
		Capacity: 40, FloorAreaM2: 140, Floor: matching.FloorSprung, Location: loc,
		Prices:       []matching.Price{{Tier: "community", PencePerHour: 1850}},
		OpeningHours: []matching.OpeningHours{{Day: "mon", Opens: 18 * 60, Closes: 21*60 + 30}, {Day: "fri", Opens: 18 * 60, Closes: 24 * 60}}}))
	must(t, d.Space(&matching.Space{ID: spaceA, VenueID: venueID, OrganisationID: orgID, Name: "Studio", Kind: "studio",
		Capacity: 20, FloorAreaM2: 80, Floor: matching.FloorSprung, Location: loc, ProhibitedActivities: []string{"tap"},
		Prices:       []matching.Price{{Tier: "community", PencePerHour: 1200}, {Tier: "standard", PencePerHour: 2000}},
		OpeningHours: every, Closures: []matching.Closure{w.closed}}))
	must(t, d.Booked(spaceA, []matching.Session{w.booked}))
	d.Sort()
	w.data = d
	w.log = &matching.ChangeLog{Revision: 7, Floor: 1, FloorAt: w.loaded,
		Organisations: map[string]matching.LoggedChange{},
		Venues:        map[string]matching.LoggedChange{venueID: {Revision: 1, At: w.loaded}},
		Spaces: map[string]matching.LoggedChange{
			spaceA: {Revision: 5, At: w.changedA},
			spaceD: {Revision: 6, At: w.deletedD},
		}}
	return w
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

const cLat, cLon = 52.2053, 0.1218

const feedURL = "https://cg.example/openactive/slots"

func (w *world) feed() *openactive.Feed {
	return openactive.NewFeed(openactive.Links{Base: "https://cg.example"}, seed.Taxonomy(), w.data, w.log)
}

// walk reads pages of limit items from after c until a page is empty,
// checking each page's next link, and returns the items and the cursor
// the feed ends at.
func walk(t *testing.T, f *openactive.Feed, c openactive.Cursor, limit int, now time.Time) ([]openactive.Item, openactive.Cursor) {
	t.Helper()
	var all []openactive.Item
	for range 100000 {
		p := f.SlotPage(feedURL, c, limit, now)
		if p.License != openactive.License {
			t.Fatalf("license %q", p.License)
		}
		if len(p.Items) > limit {
			t.Fatalf("page of %d items, limit %d", len(p.Items), limit)
		}
		next := cursorOf(t, p.Next)
		if len(p.Items) == 0 {
			if next != c {
				t.Fatalf("last page's next %q is not its own URL (cursor %+v)", p.Next, c)
			}
			return all, c
		}
		last := p.Items[len(p.Items)-1]
		if next != (openactive.Cursor{Set: true, Modified: last.Modified, ID: last.ID}) {
			t.Fatalf("next %q does not name the last item %s@%d", p.Next, last.ID, last.Modified)
		}
		all = append(all, p.Items...)
		c = next
	}
	t.Fatal("the feed does not end")
	return nil, c
}

func cursorOf(t *testing.T, next string) openactive.Cursor {
	t.Helper()
	u, err := url.Parse(next)
	if err != nil || !u.IsAbs() {
		t.Fatalf("next %q is not an absolute URL", next)
	}
	c, err := openactive.ParseCursor(u.Query())
	if err != nil {
		t.Fatalf("next %q: %v", next, err)
	}
	return c
}

// inOrder fails unless items are in strictly increasing (modified, id)
// order, which also rules out an item twice at one place.
func inOrder(t *testing.T, items []openactive.Item) {
	t.Helper()
	for i := 1; i < len(items); i++ {
		a, b := items[i-1], items[i]
		if cmp.Or(cmp.Compare(a.Modified, b.Modified), strings.Compare(a.ID, b.ID)) >= 0 {
			t.Fatalf("items %d and %d out of order: %s@%d then %s@%d", i-1, i, a.ID, a.Modified, b.ID, b.Modified)
		}
	}
}

// expected is what a slot item should be, worked out by hand from the
// world rather than by the feed's own code.
type expected struct {
	state     string
	modified  int64
	remaining int
}

func (w *world) expectSlots(now time.Time) map[string]expected {
	want := map[string]expected{}
	view := now.Add(-openactive.Lag)
	first := now.Truncate(time.Hour)
	if first.Before(now) {
		first = first.Add(time.Hour)
	}
	for h := first; !h.Add(-openactive.Window).After(view); h = h.Add(time.Hour) {
		local := h.In(london)
		hr, wd := local.Hour(), local.Weekday()
		entered := h.Add(-openactive.Window)
		// Studio: open 9–12 every day; its own change three days ago.
		openA := hr >= 9 && hr < 12
		idA := openactive.SlotID(spaceA, h)
		switch {
		case entered.After(w.changedA) && openA:
			want[idA] = expected{openactive.StateUpdated, entered.UnixMilli(), 1}
		case !entered.After(w.changedA) && openA:
			want[idA] = expected{openactive.StateUpdated, w.changedA.UnixMilli(), 1}
		case !entered.After(w.changedA):
			want[idA] = expected{state: openactive.StateDeleted, modified: w.changedA.UnixMilli()}
		}
		if e, ok := want[idA]; ok && e.state == openactive.StateUpdated {
			if h.Equal(w.booked.Start) || (!h.Before(w.closed.Start) && h.Before(w.closed.End)) {
				e.remaining = 0
				want[idA] = e
			}
		}
		// Hall: Monday 18–21:30 and Friday 18–24, unchanged since the load.
		openB := (wd == time.Monday && hr >= 18 && hr < 21) || (wd == time.Friday && hr >= 18)
		if openB {
			want[openactive.SlotID(spaceB, h)] = expected{openactive.StateUpdated, max(entered.UnixMilli(), w.loaded.UnixMilli()), 1}
		}
		// Deleted: every hour that was in the window when it went.
		if !entered.After(w.deletedD) {
			want[openactive.SlotID(spaceD, h)] = expected{state: openactive.StateDeleted, modified: w.deletedD.UnixMilli()}
		}
	}
	return want
}

func TestSlotFeedWalk(t *testing.T) {
	w := newWorld(t)
	f := w.feed()
	for _, limit := range []int{1, 7, 500} {
		items, _ := walk(t, f, openactive.Cursor{}, limit, w.now)
		inOrder(t, items)
		want := w.expectSlots(w.now)
		got := map[string]expected{}
		for _, it := range items {
			e := expected{state: it.State, modified: it.Modified}
			if it.Kind != openactive.KindSlot {
				t.Fatalf("item %s kind %q", it.ID, it.Kind)
			}
			if s, ok := it.Data.(openactive.Slot); ok {
				e.remaining = s.RemainingUses
				if s.Identifier != it.ID || s.MaximumUses != 1 || s.Duration != "PT1H" {
					t.Errorf("slot %s: %+v", it.ID, s)
				}
			} else if it.State == openactive.StateUpdated || it.Data != nil {
				t.Errorf("item %s (%s) has data %T", it.ID, it.State, it.Data)
			}
			got[it.ID] = e
		}
		for id, e := range want {
			if g, ok := got[id]; !ok {
				t.Errorf("limit %d: %s missing, want %+v", limit, id, e)
			} else if g != e {
				t.Errorf("limit %d: %s: got %+v, want %+v", limit, id, g, e)
			}
		}
		for id := range got {
			if _, ok := want[id]; !ok {
				t.Errorf("limit %d: unexpected item %s %+v", limit, id, got[id])
			}
		}
		if len(want) < 500 {
			t.Fatalf("the world has only %d items: too few to test paging", len(want))
		}
	}
}

// As time passes, slots enter the window: a consumer that walked to the
// end finds exactly the new ones after its cursor, nothing it had, and the
// slots that started meanwhile are simply no longer listed.
func TestSlotFeedGrowsAtTheEnd(t *testing.T) {
	w := newWorld(t)
	f := w.feed()
	before, end := walk(t, f, openactive.Cursor{}, 50, w.now)
	later := w.now.Add(26*time.Hour + 20*time.Minute)
	more, _ := walk(t, f, end, 50, later)
	inOrder(t, append(slices.Clone(before), more...))
	had := map[string]bool{}
	for _, it := range before {
		had[it.ID] = true
	}
	wantNow, wantLater := w.expectSlots(w.now), w.expectSlots(later)
	var fresh int
	for id := range wantLater {
		if _, ok := wantNow[id]; !ok {
			fresh++
		}
	}
	if fresh == 0 {
		t.Fatal("no slot entered the window: the test shows nothing")
	}
	for _, it := range more {
		if had[it.ID] {
			t.Errorf("%s again after the cursor", it.ID)
		}
		if _, ok := wantNow[it.ID]; ok {
			t.Errorf("%s was in the feed already", it.ID)
		}
		if _, ok := wantLater[it.ID]; !ok {
			t.Errorf("%s is not in the later window", it.ID)
		}
	}
	if len(more) != fresh {
		t.Errorf("after the cursor: %d items, want the %d that entered the window", len(more), fresh)
	}
	// A fresh walk later lists the slots of the later window only.
	all, _ := walk(t, f, openactive.Cursor{}, 500, later)
	if len(all) != len(wantLater) {
		t.Errorf("later walk: %d items, want %d", len(all), len(wantLater))
	}
}

// A change to a room moves all its slots in the window to the end of the
// feed, where a consumer that had walked to the end finds them; a change
// younger than Lag waits.
func TestSlotFeedChangeMovesToTheEnd(t *testing.T) {
	w := newWorld(t)
	_, end := walk(t, w.feed(), openactive.Cursor{}, 100, w.now)

	changed := w.now.Add(time.Minute)
	w.log.Spaces[spaceB] = matching.LoggedChange{Revision: 8, At: changed}
	f := w.feed()
	if got, _ := walk(t, f, end, 100, changed.Add(openactive.Lag/2)); len(got) != 0 {
		t.Errorf("a change %v old is published already: %d items", openactive.Lag/2, len(got))
	}
	got, _ := walk(t, f, end, 100, changed.Add(openactive.Lag))
	var bSlots, bTombs int
	for _, it := range got {
		if !strings.HasPrefix(it.ID, spaceB+"/") {
			t.Errorf("unexpected %s after the change to the hall", it.ID)
			continue
		}
		if it.Modified != changed.UnixMilli() {
			t.Errorf("%s modified %d, want the change's %d", it.ID, it.Modified, changed.UnixMilli())
		}
		if it.State == openactive.StateUpdated {
			bSlots++
		} else {
			bTombs++
		}
	}
	var want int
	for id := range w.expectSlots(changed) {
		if strings.HasPrefix(id, spaceB+"/") {
			want++
		}
	}
	if bSlots != want {
		t.Errorf("hall slots after its change: %d, want %d", bSlots, want)
	}
	if bTombs == 0 {
		t.Error("no deleted items for the hall's closed hours after its own change")
	}
}

func TestFacilityUseFeed(t *testing.T) {
	w := newWorld(t)
	f := w.feed()
	const feed = "https://cg.example/openactive/facility-uses"
	var items []openactive.Item
	c := openactive.Cursor{}
	for range 10 {
		p := f.FacilityUsePage(feed, c, 1)
		if len(p.Items) == 0 {
			if p.Next != feed && cursorOf(t, p.Next) != c {
				t.Errorf("last page's next %q is not its own URL", p.Next)
			}
			break
		}
		items = append(items, p.Items...)
		c = cursorOf(t, p.Next)
	}
	inOrder(t, items)
	want := []struct {
		id, state string
		modified  int64
	}{
		{spaceB, openactive.StateUpdated, 1}, // the floor: the batch load
		{spaceA, openactive.StateUpdated, 5},
		{spaceD, openactive.StateDeleted, 6},
	}
	if len(items) != len(want) {
		t.Fatalf("%d items, want %d", len(items), len(want))
	}
	for i, wi := range want {
		it := items[i]
		if it.ID != wi.id || it.State != wi.state || it.Modified != wi.modified || it.Kind != openactive.KindFacilityUse {
			t.Errorf("item %d: got %s %s %s@%d, want %s %s@%d", i, it.Kind, it.State, it.ID, it.Modified, wi.state, wi.id, wi.modified)
		}
	}
	fu, ok := items[1].Data.(openactive.FacilityUse)
	if !ok {
		t.Fatalf("studio's data is %T", items[1].Data)
	}
	if fu.ID != "https://cg.example/v1/spaces/"+spaceA || fu.Provider.Name != "Arbury Youth Hub" || fu.Location.Geo.Latitude != cLat {
		t.Errorf("studio: %+v", fu)
	}
	if len(fu.Offers) != 2 || fu.Offers[0].Price != 12 || fu.Offers[0].PriceCurrency != "GBP" || fu.Offers[1].Price != 20 {
		t.Errorf("studio offers: %+v", fu.Offers)
	}
	for _, a := range fu.Activity {
		if a.PrefLabel == "Tap" {
			t.Error("the studio prohibits tap, but offers it")
		}
	}
	if items[2].Data != nil {
		t.Errorf("deleted item carries data: %+v", items[2].Data)
	}
	// A change to the venue brings its spaces to the end.
	w.log.Venues[venueID] = matching.LoggedChange{Revision: 7, At: w.now}
	p := w.feed().FacilityUsePage(feed, c, 10)
	if len(p.Items) != 2 || p.Items[0].ID != spaceA || p.Items[1].ID != spaceB || p.Items[0].Modified != 7 {
		t.Errorf("after the venue changed: %+v", p.Items)
	}
}
