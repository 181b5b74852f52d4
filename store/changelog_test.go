package store_test

import (
	"testing"
	"time"

	"commonground/store"
	"commonground/store/storetest"
)

// ChangeLog names each entity's newest revision and its time; deleting a
// venue or an organisation names the spaces that went with it; revisions
// after the one asked for are left out; pruning sets the floor.
func TestChangeLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		o := newOrg("Logged Dance", 52.2, 0.12)
		createOrg(t, db, &o, "")
		v := newVenue(o.ID, "Logged Hall", 52.2, 0.12)
		createVenue(t, db, &v)
		s1, s2 := newSpace(v.ID, "Room 1"), newSpace(v.ID, "Room 2")
		createSpace(t, db, &s1)
		createSpace(t, db, &s2)
		before := revision(t, db)
		if err := db.DeleteVenue(ctx, v.ID); err != nil {
			t.Fatal(err)
		}
		gone := revision(t, db)

		cl, err := db.ChangeLog(ctx, gone)
		if err != nil {
			t.Fatal(err)
		}
		if cl.Revision != gone || cl.Floor != 0 {
			t.Errorf("revision %d floor %d, want %d and 0", cl.Revision, cl.Floor, gone)
		}
		if got := cl.Organisations[o.ID].Revision; got != 1 {
			t.Errorf("organisation's revision %d, want 1", got)
		}
		for _, id := range []string{v.ID} {
			if got := cl.Venues[id].Revision; got != gone {
				t.Errorf("venue's revision %d, want the delete's %d", got, gone)
			}
		}
		for _, id := range []string{s1.ID, s2.ID} {
			lc := cl.Spaces[id]
			if lc.Revision != gone {
				t.Errorf("space %s: revision %d, want the venue's delete %d", id, lc.Revision, gone)
			}
			if lc.At.IsZero() || time.Since(lc.At) > time.Hour {
				t.Errorf("space %s: changed at %v", id, lc.At)
			}
		}

		old, err := db.ChangeLog(ctx, before)
		if err != nil {
			t.Fatal(err)
		}
		if old.Revision != before || old.Spaces[s1.ID].Revision != before-1 || old.Venues[v.ID].Revision != 2 {
			t.Errorf("through %d: %+v", before, old)
		}
	})
}

func TestChangeLogFloorAfterPrune(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	eachWithClock(t, now, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		o := newOrg("Pruned Dance", 52.2, 0.12)
		createOrg(t, db, &o, "")
		v := newVenue(o.ID, "Pruned Hall", 52.2, 0.12)
		createVenue(t, db, &v)
		if err := db.PruneChanges(ctx, -time.Hour); err != nil {
			t.Fatal(err)
		}
		s := newSpace(v.ID, "Room")
		createSpace(t, db, &s)
		cl, err := db.ChangeLog(ctx, 1<<62)
		if err != nil {
			t.Fatal(err)
		}
		if cl.Floor != 2 || cl.Revision != 3 {
			t.Errorf("floor %d revision %d, want 2 and 3", cl.Floor, cl.Revision)
		}
		if len(cl.Organisations)+len(cl.Venues) != 0 || cl.Spaces[s.ID].Revision != 3 {
			t.Errorf("after pruning: %+v", cl)
		}
		if cl.FloorAt.IsZero() || cl.FloorAt.After(cl.Spaces[s.ID].At) {
			t.Errorf("floor time %v, want the oldest kept change's %v", cl.FloorAt, cl.Spaces[s.ID].At)
		}
	})
}
