package store_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

// recordSink keeps everything a snapshot hands it, and the order of calls.
type recordSink struct {
	orgs   []matching.Organisation
	venues []matching.Venue
	spaces []matching.Space
	booked map[string][]matching.Session
	calls  []string // "organisation", "venue", "space", "booked"
	// onOrganisation, if set, runs at the first organisation.
	onOrganisation func() error
}

func (r *recordSink) Organisation(o *matching.Organisation) error {
	r.calls = append(r.calls, "organisation")
	r.orgs = append(r.orgs, *o)
	if f := r.onOrganisation; f != nil {
		r.onOrganisation = nil
		return f()
	}
	return nil
}

func (r *recordSink) Venue(v *matching.Venue) error {
	r.calls = append(r.calls, "venue")
	r.venues = append(r.venues, *v)
	return nil
}

func (r *recordSink) Space(s *matching.Space) error {
	r.calls = append(r.calls, "space")
	r.spaces = append(r.spaces, *s)
	return nil
}

func (r *recordSink) Booked(id string, periods []matching.Session) error {
	r.calls = append(r.calls, "booked")
	if r.booked == nil {
		r.booked = map[string][]matching.Session{}
	}
	r.booked[id] = periods
	return nil
}

// checkOrder fails t unless calls come as every organisation, then every
// venue, then every space.
func checkOrder(t *testing.T, calls []string) {
	t.Helper()
	rank := map[string]int{"organisation": 0, "venue": 1, "space": 2, "booked": 3}
	for i := 1; i < len(calls); i++ {
		if rank[calls[i]] < rank[calls[i-1]] {
			t.Fatalf("snapshot call %d is %s after %s; want organisations, then venues, then spaces", i, calls[i], calls[i-1])
		}
	}
}

func snapshot(t *testing.T, db *store.DB) (*recordSink, int64) {
	t.Helper()
	sink := &recordSink{}
	rev, err := db.Snapshot(t.Context(), sink)
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	return sink, rev
}

// TestSnapshot loads a store through both write paths and checks that a
// snapshot hands over every record, in order, exactly as the single-record
// reads return it, at the current revision.
func TestSnapshot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		empty, rev := snapshot(t, db)
		if len(empty.calls) != 0 || rev != 0 {
			t.Errorf("snapshot of an empty store: got %d calls at revision %d, want none at 0", len(empty.calls), rev)
		}

		b := newBatch(40)
		if err := db.InsertBatch(ctx, b.orgs, b.venues, b.spaces); err != nil {
			t.Fatal(err)
		}
		o := newOrg("Lone Org", 52.1, 0.1) // no offers, no needs, no venues
		createOrg(t, db, &o, "token-hash")
		full := newOrg("Full Org", 52.2, 0.2)
		full.Values, full.Practices, full.Exclusions = []string{}, []string{}, []string{}
		createOrg(t, db, &full, "")
		v := newVenue(full.ID, "Full Hall", 52.2, 0.2)
		createVenue(t, db, &v)
		s := newSpace(v.ID, "Full Room")
		s.Prices, s.OpeningHours, s.Closures, s.ProhibitedActivities = nil, nil, nil, nil
		createSpace(t, db, &s)

		sink, rev := snapshot(t, db)
		if want := revision(t, db); rev != want {
			t.Errorf("snapshot revision: got %d, want %d", rev, want)
		}
		checkOrder(t, sink.calls)
		c := count(t, db)
		if int64(len(sink.orgs)) != c.Organisations || int64(len(sink.venues)) != c.Venues || int64(len(sink.spaces)) != c.Spaces {
			t.Fatalf("snapshot: got %d organisations, %d venues, %d spaces, want %+v", len(sink.orgs), len(sink.venues), len(sink.spaces), c)
		}
		var offers, needs int64
		for i := range sink.orgs {
			got := &sink.orgs[i]
			offers += int64(len(got.Offers))
			needs += int64(len(got.Needs))
			want, err := db.GetOrganisation(ctx, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			checkOrganisation(t, got, want)
		}
		if offers != c.Offers || needs != c.Needs {
			t.Errorf("snapshot: got %d offers and %d needs, want %d and %d", offers, needs, c.Offers, c.Needs)
		}
		for i := range sink.venues {
			got := &sink.venues[i]
			want, err := db.GetVenue(ctx, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			checkVenue(t, got, want)
		}
		for i := range sink.spaces {
			got := &sink.spaces[i]
			want, err := db.GetSpace(ctx, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			checkSpace(t, got, want)
			checkFields(t, "space "+got.Name, []field{
				{"CreatedAt", got.CreatedAt, want.CreatedAt},
				{"UpdatedAt", got.UpdatedAt, want.UpdatedAt},
				{"FitToDance", got.FitToDance(), want.FitToDance()},
			})
		}
	})
}

// TestSnapshotReadsUnusualJSON stores list columns in forms the store
// never writes (whitespace, escapes, another key order, null): the
// snapshot must still read them as the single-record reads do.
func TestSnapshotReadsUnusualJSON(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg("Odd JSON", 52.2, 0.12)
		createOrg(t, db, &o, "")
		v := newVenue(o.ID, "Odd Hall", 52.2, 0.12)
		createVenue(t, db, &v)
		s := newSpace(v.ID, "Odd Room")
		createSpace(t, db, &s)
		err := db.Gorm().Exec(`UPDATE spaces SET prohibited_activities = ?, prices = ?, opening_hours = ?, closures = ? WHERE id = ?`,
			`[ "aer\u0069al" ]`,
			`[{"pence_per_hour": 1500, "tier": "community"}]`,
			`null`,
			`[{"end":"2026-12-27T09:00:00+01:00","start":"2026-12-24T12:00:00Z","reason":"caf\u00e9"}]`,
			s.ID).Error
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Gorm().Exec(`UPDATE organisations SET values_list = ?, practices = ? WHERE id = ?`, `["in\"clusion"]`, `null`, o.ID).Error; err != nil {
			t.Fatal(err)
		}
		sink, _ := snapshot(t, db)
		want, err := db.GetSpace(t.Context(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkSpace(t, &sink.spaces[0], want)
		wantOrg, err := db.GetOrganisation(t.Context(), o.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkOrganisation(t, &sink.orgs[0], wantOrg)
	})
}

// TestSnapshotIsConsistent writes through a second store while a snapshot
// is being taken: the snapshot shows none of it and reports the revision
// before it, and ChangesSince that revision brings the write.
func TestSnapshotIsConsistent(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.SharedURL(t, d)
			a := open(t, url, store.Options{})
			defer a.Close()
			b := open(t, url, store.Options{})
			defer b.Close()
			first := newOrg("First", 52.2, 0.12)
			createOrg(t, a, &first, "")
			before := revision(t, a)

			// Written while the organisations stream, read (if wrongly
			// visible) by the venue and space queries that follow.
			late := newVenue(first.ID, "Late Hall", 52.2, 0.12)
			lateSpace := newSpace(late.ID, "Late Room")
			sink := &recordSink{onOrganisation: func() error {
				if err := b.CreateVenue(t.Context(), &late); err != nil {
					return err
				}
				return b.CreateSpace(t.Context(), &lateSpace)
			}}
			rev, err := a.Snapshot(t.Context(), sink)
			if err != nil {
				t.Fatalf("Snapshot: %v", err)
			}
			if rev != before {
				t.Errorf("snapshot revision: got %d, want %d (before the concurrent write)", rev, before)
			}
			if len(sink.orgs) != 1 || len(sink.venues) != 0 || len(sink.spaces) != 0 {
				t.Errorf("snapshot: got %d organisations, %d venues, %d spaces, want only the first organisation",
					len(sink.orgs), len(sink.venues), len(sink.spaces))
			}
			if got := revision(t, a); got != before+2 {
				t.Errorf("revision after the concurrent writes: got %d, want %d", got, before+2)
			}
			cs := changesSince(t, a, rev)
			if got, want := idsOfSet(cs), want(nil, nil, ids1(late.ID), nil, ids1(lateSpace.ID), nil); !reflect.DeepEqual(got, want) {
				t.Errorf("ChangesSince(snapshot revision):\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestSnapshotSinkError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := newBatch(3)
		if err := db.InsertBatch(t.Context(), b.orgs, b.venues, b.spaces); err != nil {
			t.Fatal(err)
		}
		full := errors.New("sink is full")
		for _, at := range []string{"organisation", "venue", "space"} {
			t.Run(at, func(t *testing.T) {
				sink := &failSink{at: at, err: full}
				_, err := db.Snapshot(t.Context(), sink)
				if !errors.Is(err, full) {
					t.Errorf("Snapshot with a sink failing at the first %s: got %v, want an error wrapping %v", at, err, full)
				}
				if sink.calls != 1 {
					t.Errorf("calls after the failing one: got %d, want none", sink.calls-1)
				}
			})
		}
		// The store is still usable: the failed snapshots' transactions ended.
		if _, rev := snapshot(t, db); rev != revision(t, db) {
			t.Errorf("snapshot after failures: got revision %d, want %d", rev, revision(t, db))
		}
	})
}

// failSink fails at the first call of one kind.
type failSink struct {
	at    string
	err   error
	calls int
}

func (f *failSink) call(kind string) error {
	if kind == f.at || f.calls > 0 {
		f.calls++
		return fmt.Errorf("at %s: %w", kind, f.err)
	}
	return nil
}

func (f *failSink) Organisation(*matching.Organisation) error { return f.call("organisation") }
func (f *failSink) Venue(*matching.Venue) error               { return f.call("venue") }
func (f *failSink) Space(*matching.Space) error               { return f.call("space") }
func (f *failSink) Booked(string, []matching.Session) error   { return f.call("booked") }
