package store_test

import (
	"reflect"
	"slices"
	"testing"

	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

// roomNeed is a need for a room with every room field set.
func roomNeed(orgID string) matching.Need {
	n := newNeed(orgID, "space.dance-studio")
	n.GroupSize, n.Activity, n.MaxPencePerHour = 24, "contemporary", 3500
	n.Windows = []matching.Window{{Day: "tue", Start: 18 * 60, End: 20 * 60}, {Day: "sat", Start: 10 * 60, End: 24 * 60}}
	return n
}

// TestRoomNeedsRoundTrip writes needs for a room (with every field, and
// with none) through both write paths and reads them back through every
// read: GetOrganisation, GetNeed, Snapshot and ChangesSince.
func TestRoomNeedsRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		since := revision(t, db)
		org := newOrg("Room Seekers", 52.2, 0.12)
		plain := newNeed(org.ID, "space.hall")
		plain.Windows = []matching.Window{} // as read: never nil
		org.Needs = []matching.Need{roomNeed(org.ID), plain}
		createOrg(t, db, &org, "")
		later := roomNeed(org.ID)
		later.Category, later.Activity, later.GroupSize, later.MaxPencePerHour = "space.rehearsal", "", 0, 0
		later.Windows = []matching.Window{{Day: "sun", Start: 0, End: 90}}
		if err := db.CreateNeed(ctx, &later); err != nil {
			t.Fatal(err)
		}
		want := []matching.Need{org.Needs[0], org.Needs[1], later}
		slices.SortFunc(want, func(a, b matching.Need) int { return cmpString(a.ID, b.ID) })

		got, err := db.GetOrganisation(ctx, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkNeeds(t, "GetOrganisation", got.Needs, want)
		for _, w := range want {
			n, err := db.GetNeed(ctx, w.ID)
			if err != nil {
				t.Fatal(err)
			}
			checkNeeds(t, "GetNeed", []matching.Need{*n}, []matching.Need{w})
		}
		sink, _ := snapshot(t, db)
		i := slices.IndexFunc(sink.orgs, func(o matching.Organisation) bool { return o.ID == org.ID })
		if i < 0 {
			t.Fatal("Snapshot: no organisation")
		}
		checkNeeds(t, "Snapshot", sink.orgs[i].Needs, want)
		cs, err := db.ChangesSince(ctx, since)
		if err != nil {
			t.Fatal(err)
		}
		i = slices.IndexFunc(cs.Organisations, func(o matching.Organisation) bool { return o.ID == org.ID })
		if i < 0 {
			t.Fatal("ChangesSince: no organisation")
		}
		checkNeeds(t, "ChangesSince", cs.Organisations[i].Needs, want)
	})
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func checkNeeds(t *testing.T, read string, got, want []matching.Need) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d needs, want %d", read, len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		g.CreatedAt, w.CreatedAt = g.CreatedAt.UTC(), w.CreatedAt.UTC()
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s need %d:\n got %+v\nwant %+v", read, i, g, w)
		}
	}
}
