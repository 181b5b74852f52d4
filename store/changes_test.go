package store_test

import (
	"log/slog"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"commonground/geo"
	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

func revision(t *testing.T, db *store.DB) int64 {
	t.Helper()
	rev, err := db.Revision(t.Context())
	if err != nil {
		t.Fatalf("Revision: %v", err)
	}
	return rev
}

func changesSince(t *testing.T, db *store.DB, since int64) *matching.ChangeSet {
	t.Helper()
	cs, err := db.ChangesSince(t.Context(), since)
	if err != nil {
		t.Fatalf("ChangesSince(%d): %v", since, err)
	}
	return cs
}

// changeIDs is a change set reduced to sorted IDs, for comparison.
type changeIDs struct {
	Orgs, DeletedOrgs, Venues, DeletedVenues, Spaces, DeletedSpaces []string
}

func idsOfSet(cs *matching.ChangeSet) changeIDs {
	return changeIDs{
		sorted(orgIDs(cs.Organisations)), sorted(cs.DeletedOrganisations),
		sorted(venueIDs(cs.Venues)), sorted(cs.DeletedVenues),
		sorted(spaceIDs(cs.Spaces)), sorted(cs.DeletedSpaces),
	}
}

// want builds a changeIDs with empty lists where nil is given.
func want(orgs, delOrgs, venues, delVenues, spaces, delSpaces []string) changeIDs {
	return changeIDs{sorted(orgs), sorted(delOrgs), sorted(venues), sorted(delVenues), sorted(spaces), sorted(delSpaces)}
}

func ids1(id ...string) []string { return id }

// changeLog returns the revisions in change_log, in order.
func changeLog(t *testing.T, db *store.DB) []int64 {
	t.Helper()
	var revs []int64
	if err := db.Gorm().Raw("SELECT revision FROM change_log ORDER BY revision").Scan(&revs).Error; err != nil {
		t.Fatalf("read change_log: %v", err)
	}
	return revs
}

func TestNewStoreRevision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if got := revision(t, db); got != 0 {
			t.Errorf("Revision of a new store: got %d, want 0", got)
		}
		cs := changesSince(t, db, 0)
		if !cs.Empty() || cs.Revision != 0 {
			t.Errorf("ChangesSince(0) of a new store: got %+v, want empty at 0", cs)
		}
	})
}

// TestWritesRecordChanges makes each kind of write in turn: each bumps the
// revision by exactly one, and ChangesSince the revision before it returns
// the current state of what it touched.
func TestWritesRecordChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		o := newOrg("Changing Dance", 52.2, 0.12)
		v := newVenue(o.ID, "Changing Hall", 52.2, 0.12)
		s1, s2 := newSpace(v.ID, "Room 1"), newSpace(v.ID, "Room 2")
		off, need := newOffer(o.ID, "skill.dance-teaching"), newNeed(o.ID, "space.dance-studio")
		other := newOrg("Other", 52.3, 0.1)

		tests := []struct {
			name  string
			write func() error
			want  changeIDs
			check func(t *testing.T, cs *matching.ChangeSet)
		}{
			{"CreateOrganisation", func() error { return db.CreateOrganisation(ctx, &o, "") },
				want(ids1(o.ID), nil, nil, nil, nil, nil), nil},
			{"CreateOrganisation with offers", func() error {
				other.Offers = []matching.Offer{newOffer(other.ID, "skill.marketing")}
				return db.CreateOrganisation(ctx, &other, "")
			}, want(ids1(other.ID), nil, nil, nil, nil, nil), func(t *testing.T, cs *matching.ChangeSet) {
				checkOrganisation(t, &cs.Organisations[0], &other)
			}},
			{"UpdateOrganisation", func() error { o.Name = "Changed Dance"; return saveOrganisation(ctx, db, &o) },
				want(ids1(o.ID), nil, nil, nil, nil, nil), func(t *testing.T, cs *matching.ChangeSet) {
					if got := cs.Organisations[0].Name; got != "Changed Dance" {
						t.Errorf("organisation name: got %q, want %q", got, "Changed Dance")
					}
				}},
			{"CreateOffer", func() error { return db.CreateOffer(ctx, &off) },
				want(ids1(o.ID), nil, nil, nil, nil, nil), func(t *testing.T, cs *matching.ChangeSet) {
					o.Offers = []matching.Offer{off}
					checkOrganisation(t, &cs.Organisations[0], &o)
				}},
			{"CreateNeed", func() error { return db.CreateNeed(ctx, &need) },
				want(ids1(o.ID), nil, nil, nil, nil, nil), func(t *testing.T, cs *matching.ChangeSet) {
					o.Needs = []matching.Need{need}
					checkOrganisation(t, &cs.Organisations[0], &o)
				}},
			{"CreateVenue", func() error { return db.CreateVenue(ctx, &v) },
				want(nil, nil, ids1(v.ID), nil, nil, nil), nil},
			{"CreateSpace", func() error { return db.CreateSpace(ctx, &s1) },
				want(nil, nil, nil, nil, ids1(s1.ID), nil), func(t *testing.T, cs *matching.ChangeSet) {
					checkSpace(t, &cs.Spaces[0], &s1)
				}},
			{"CreateSpace again", func() error { return db.CreateSpace(ctx, &s2) },
				want(nil, nil, nil, nil, ids1(s2.ID), nil), nil},
			{"UpdateSpace", func() error { s1.Capacity = 12; return saveSpace(ctx, db, &s1) },
				want(nil, nil, nil, nil, ids1(s1.ID), nil), func(t *testing.T, cs *matching.ChangeSet) {
					checkSpace(t, &cs.Spaces[0], &s1)
				}},
			{"UpdateVenue brings its spaces", func() error {
				v.Location = geo.MustPoint(52.21, 0.13)
				return saveVenue(ctx, db, &v)
			}, want(nil, nil, ids1(v.ID), nil, ids1(s1.ID, s2.ID), nil), func(t *testing.T, cs *matching.ChangeSet) {
				checkVenue(t, &cs.Venues[0], &v)
				for _, s := range cs.Spaces {
					if s.Location != v.Location {
						t.Errorf("space %s location: got %v, want the venue's %v", s.Name, s.Location, v.Location)
					}
				}
			}},
			{"DeleteOffer", func() error { return db.DeleteOffer(ctx, off.ID) },
				want(ids1(o.ID), nil, nil, nil, nil, nil), func(t *testing.T, cs *matching.ChangeSet) {
					if got := len(cs.Organisations[0].Offers); got != 0 {
						t.Errorf("offers after DeleteOffer: got %d, want 0", got)
					}
				}},
			{"DeleteNeed", func() error { return db.DeleteNeed(ctx, need.ID) },
				want(ids1(o.ID), nil, nil, nil, nil, nil), func(t *testing.T, cs *matching.ChangeSet) {
					if got := len(cs.Organisations[0].Needs); got != 0 {
						t.Errorf("needs after DeleteNeed: got %d, want 0", got)
					}
				}},
			{"DeleteSpace", func() error { return db.DeleteSpace(ctx, s2.ID) },
				want(nil, nil, nil, nil, nil, ids1(s2.ID)), nil},
			{"DeleteVenue names its spaces", func() error { return db.DeleteVenue(ctx, v.ID) },
				want(nil, nil, nil, ids1(v.ID), nil, ids1(s1.ID)), nil},
			{"DeleteOrganisation", func() error { return db.DeleteOrganisation(ctx, o.ID) },
				want(nil, ids1(o.ID), nil, nil, nil, nil), nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := revision(t, db)
				if err := tt.write(); err != nil {
					t.Fatalf("%s: %v", tt.name, err)
				}
				after := revision(t, db)
				if after != before+1 {
					t.Errorf("revision: got %d after %d, want %d", after, before, before+1)
				}
				cs := changesSince(t, db, before)
				if cs.Revision != after || cs.Reload {
					t.Errorf("ChangesSince(%d): got revision %d, reload %v, want %d, false", before, cs.Revision, cs.Reload, after)
				}
				if got := idsOfSet(cs); !reflect.DeepEqual(got, tt.want) {
					t.Errorf("ChangesSince(%d):\n got %+v\nwant %+v", before, got, tt.want)
				} else if tt.check != nil {
					tt.check(t, cs)
				}
				if cs := changesSince(t, db, after); !cs.Empty() || cs.Revision != after {
					t.Errorf("ChangesSince(current %d): got %+v, want empty at %d", after, idsOfSet(cs), after)
				}
			})
		}
		// One revision per write (a write may log several entities under it).
		if got, want := slices.Compact(changeLog(t, db)), revisionsUpTo(int64(len(tests))); !reflect.DeepEqual(got, want) {
			t.Errorf("change_log revisions: got %v, want %v", got, want)
		}
	})
}

func revisionsUpTo(n int64) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i) + 1
	}
	return out
}

// TestChangesSinceCombines checks that a set spanning many writes names
// each entity once, with its latest state, and that a space deleted with
// its venue or organisation is reported through them.
func TestChangesSinceCombines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		o := newOrg("Combined", 52.2, 0.12)
		createOrg(t, db, &o, "")
		v := newVenue(o.ID, "Hall", 52.2, 0.12)
		createVenue(t, db, &v)
		s := newSpace(v.ID, "Room")
		createSpace(t, db, &s)
		gone := newOrg("Gone", 52.2, 0.12)
		createOrg(t, db, &gone, "")
		since := revision(t, db)

		for i := range 3 {
			s.Capacity = 10 + i
			if err := saveSpace(ctx, db, &s); err != nil {
				t.Fatal(err)
			}
			off := newOffer(o.ID, "skill.marketing")
			if err := db.CreateOffer(ctx, &off); err != nil {
				t.Fatal(err)
			}
		}
		if err := saveVenue(ctx, db, &v); err != nil {
			t.Fatal(err)
		}
		// Created and deleted in the window: reported deleted only.
		gv := newVenue(gone.ID, "Gone Hall", 52.2, 0.12)
		createVenue(t, db, &gv)
		gs := newSpace(gv.ID, "Gone Room")
		createSpace(t, db, &gs)
		if err := db.DeleteOrganisation(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}

		cs := changesSince(t, db, since)
		if got, want := idsOfSet(cs), want(ids1(o.ID), ids1(gone.ID), ids1(v.ID), ids1(gv.ID), ids1(s.ID), ids1(gs.ID)); !reflect.DeepEqual(got, want) {
			t.Fatalf("ChangesSince:\n got %+v\nwant %+v", got, want)
		}
		if got := cs.Spaces[0].Capacity; got != 12 {
			t.Errorf("space capacity: got %d, want the latest, 12", got)
		}
		if got := len(cs.Organisations[0].Offers); got != 3 {
			t.Errorf("offers: got %d, want 3", got)
		}
		if cs.Revision != since+10 {
			t.Errorf("revision: got %d, want %d", cs.Revision, since+10)
		}
	})
}

// TestFailedWritesLeaveNoRevision makes writes that fail: none may leave a
// revision or a change_log row behind.
func TestFailedWritesLeaveNoRevision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		o := newOrg("Existing", 52.2, 0.12)
		createOrg(t, db, &o, "hash")
		v := newVenue(o.ID, "Existing Hall", 52.2, 0.12)
		createVenue(t, db, &v)
		s := newSpace(v.ID, "Existing Room")
		createSpace(t, db, &s)
		missing := uuid.NewString()

		tests := []struct {
			name  string
			write func() error
			want  error
		}{
			{"CreateOrganisation duplicate", func() error { d := newOrg("Dup", 52, 0); d.ID = o.ID; return db.CreateOrganisation(ctx, &d, "") }, matching.ErrConflict},
			{"CreateOrganisation bad offer", func() error {
				d := newOrg("Bad offer", 52, 0)
				d.Offers = []matching.Offer{newOffer(missing, "skill.marketing")}
				return db.CreateOrganisation(ctx, &d, "")
			}, matching.ErrConflict},
			{"UpdateOrganisation missing", func() error { d := newOrg("Missing", 52, 0); return saveOrganisation(ctx, db, &d) }, matching.ErrNotFound},
			{"DeleteOrganisation missing", func() error { return db.DeleteOrganisation(ctx, missing) }, matching.ErrNotFound},
			{"CreateOffer of missing organisation", func() error { x := newOffer(missing, "skill.marketing"); return db.CreateOffer(ctx, &x) }, matching.ErrConflict},
			{"CreateNeed of missing organisation", func() error { x := newNeed(missing, "skill.marketing"); return db.CreateNeed(ctx, &x) }, matching.ErrConflict},
			{"DeleteOffer missing", func() error { return db.DeleteOffer(ctx, missing) }, matching.ErrNotFound},
			{"DeleteNeed missing", func() error { return db.DeleteNeed(ctx, missing) }, matching.ErrNotFound},
			{"CreateVenue of missing organisation", func() error { x := newVenue(missing, "X", 52, 0); return db.CreateVenue(ctx, &x) }, matching.ErrConflict},
			{"UpdateVenue missing", func() error { x := newVenue(o.ID, "X", 52, 0); return saveVenue(ctx, db, &x) }, matching.ErrNotFound},
			{"DeleteVenue missing", func() error { return db.DeleteVenue(ctx, missing) }, matching.ErrNotFound},
			{"CreateSpace in missing venue", func() error { x := newSpace(missing, "X"); return db.CreateSpace(ctx, &x) }, matching.ErrNotFound},
			{"CreateSpace duplicate", func() error { x := newSpace(v.ID, "X"); x.ID = s.ID; return db.CreateSpace(ctx, &x) }, matching.ErrConflict},
			{"UpdateSpace missing", func() error { x := newSpace(v.ID, "X"); return saveSpace(ctx, db, &x) }, matching.ErrNotFound},
			{"DeleteSpace missing", func() error { return db.DeleteSpace(ctx, missing) }, matching.ErrNotFound},
			{"InsertBatch with a bad row", func() error {
				b := newBatch(2)
				b.spaces[1].VenueID = missing
				return db.InsertBatch(ctx, b.orgs, b.venues, b.spaces)
			}, matching.ErrConflict},
		}
		before := revision(t, db)
		log := changeLog(t, db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				checkErr(t, tt.name, tt.write(), tt.want)
				if got := revision(t, db); got != before {
					t.Errorf("revision: got %d, want %d (unchanged)", got, before)
				}
				if got := changeLog(t, db); !reflect.DeepEqual(got, log) {
					t.Errorf("change_log: got %v, want %v (unchanged)", got, log)
				}
			})
		}
		if cs := changesSince(t, db, before); !cs.Empty() {
			t.Errorf("ChangesSince after failed writes: got %+v, want empty", idsOfSet(cs))
		}
	})
}

func TestInsertBatchAsksForReload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		o := newOrg("Before", 52.2, 0.12)
		createOrg(t, db, &o, "")
		before := revision(t, db)
		if err := db.InsertBatch(ctx, nil, nil, nil); err != nil {
			t.Fatal(err)
		}
		if got := revision(t, db); got != before {
			t.Errorf("revision after an empty batch: got %d, want %d (nothing changed)", got, before)
		}
		b := newBatch(3)
		if err := db.InsertBatch(ctx, b.orgs, b.venues, b.spaces); err != nil {
			t.Fatal(err)
		}
		if got := revision(t, db); got != before+1 {
			t.Errorf("revision after a batch: got %d, want %d", got, before+1)
		}
		for _, since := range []int64{0, before} {
			cs := changesSince(t, db, since)
			if !cs.Reload || cs.Revision != before+1 {
				t.Errorf("ChangesSince(%d): got reload %v at %d, want reload at %d", since, cs.Reload, cs.Revision, before+1)
			}
		}
		// After the batch, changes are listed again.
		o.Name = "After"
		if err := saveOrganisation(ctx, db, &o); err != nil {
			t.Fatal(err)
		}
		cs := changesSince(t, db, before+1)
		if cs.Reload || !reflect.DeepEqual(idsOfSet(cs), want(ids1(o.ID), nil, nil, nil, nil, nil)) {
			t.Errorf("ChangesSince(batch revision): got reload %v, %+v, want organisation %s", cs.Reload, idsOfSet(cs), o.ID)
		}
	})
}

func TestChangesSinceReloads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg("Only", 52.2, 0.12)
		createOrg(t, db, &o, "")
		t.Run("since ahead of the store", func(t *testing.T) {
			cs := changesSince(t, db, 99)
			if !cs.Reload || cs.Revision != 1 {
				t.Errorf("ChangesSince(99) at revision 1: got reload %v at %d, want reload at 1", cs.Reload, cs.Revision)
			}
		})
		t.Run("too many changes", func(t *testing.T) {
			// 10,001 changed spaces, logged directly (10,001 writes through
			// the store would take too long here).
			g := db.Gorm()
			since := revision(t, db)
			if err := g.Exec("UPDATE change_counter SET revision = revision + 1").Error; err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 10001; i += 1000 {
				q := "INSERT INTO change_log (revision, kind, entity_id, changed_at) VALUES "
				var args []any
				for j := i; j < min(i+1000, 10001); j++ {
					if j > i {
						q += ", "
					}
					q += "(?, 'space', ?, ?)"
					args = append(args, since+1, uuid.NewString(), time.Now().UTC())
				}
				if err := g.Exec(q, args...).Error; err != nil {
					t.Fatal(err)
				}
			}
			cs := changesSince(t, db, since)
			if !cs.Reload || cs.Revision != since+1 {
				t.Errorf("ChangesSince with 10,001 changed spaces: got reload %v at %d, want reload at %d", cs.Reload, cs.Revision, since+1)
			}
		})
	})
}

// clock is a store clock a test can move.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

func TestPruneChanges(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := t.Context()
			c := &clock{t: t0}
			db := open(t, storetest.URL(t, d), store.Options{Logger: slog.New(slog.DiscardHandler), Now: c.now})
			defer db.Close()
			prune := func(keep time.Duration) {
				t.Helper()
				if err := db.PruneChanges(ctx, keep); err != nil {
					t.Fatalf("PruneChanges(%v): %v", keep, err)
				}
			}
			a, b := newOrg("A", 52, 0), newOrg("B", 52, 0)
			createOrg(t, db, &a, "") // revision 1 at t0
			v := newVenue(a.ID, "Hall", 52, 0)
			createVenue(t, db, &v) // 2 at t0
			c.add(2 * time.Hour)
			createOrg(t, db, &b, "") // 3 at t0+2h

			prune(3 * time.Hour) // nothing is that old
			if got := changeLog(t, db); !reflect.DeepEqual(got, []int64{1, 2, 3}) {
				t.Errorf("change_log after pruning nothing: got %v, want [1 2 3]", got)
			}
			prune(time.Hour) // drops revisions 1 and 2
			if got := changeLog(t, db); !reflect.DeepEqual(got, []int64{3}) {
				t.Errorf("change_log after pruning: got %v, want [3]", got)
			}
			for _, since := range []int64{0, 1} {
				if cs := changesSince(t, db, since); !cs.Reload || cs.Revision != 3 {
					t.Errorf("ChangesSince(%d) after pruning through 2: got reload %v at %d, want reload at 3", since, cs.Reload, cs.Revision)
				}
			}
			cs := changesSince(t, db, 2)
			if cs.Reload || !reflect.DeepEqual(idsOfSet(cs), want(ids1(b.ID), nil, nil, nil, nil, nil)) {
				t.Errorf("ChangesSince(2): got reload %v, %+v, want organisation B", cs.Reload, idsOfSet(cs))
			}

			c.add(5 * time.Hour)
			prune(time.Hour) // drops everything
			if got := changeLog(t, db); len(got) != 0 {
				t.Errorf("change_log after pruning all: got %v, want none", got)
			}
			if cs := changesSince(t, db, 3); cs.Reload || !cs.Empty() || cs.Revision != 3 {
				t.Errorf("ChangesSince(current) after pruning all: got %+v, want empty at 3", cs)
			}
			if cs := changesSince(t, db, 2); !cs.Reload {
				t.Errorf("ChangesSince(2) after pruning all: got no reload, want reload")
			}
			// Later writes are listed as usual.
			b.Name = "B2"
			if err := saveOrganisation(ctx, db, &b); err != nil {
				t.Fatal(err)
			}
			if cs := changesSince(t, db, 3); cs.Reload || cs.Revision != 4 || len(cs.Organisations) != 1 {
				t.Errorf("ChangesSince(3) after a new write: got %+v, want organisation B at 4", idsOfSet(cs))
			}
		})
	}
}
