package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"commonground/geo"
	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

// saveOrganisation writes o's own fields over the stored organisation, as
// a whole, and gives o the updated_at the store stamped.
func saveOrganisation(ctx context.Context, db *store.DB, o *matching.Organisation) error {
	got, err := db.UpdateOrganisation(ctx, o.ID, func(cur *matching.Organisation) error { *cur = *o; return nil })
	if err == nil {
		o.UpdatedAt = got.UpdatedAt
	}
	return err
}

// saveVenue writes v over the stored venue, as a whole, and gives v the
// updated_at the store stamped.
func saveVenue(ctx context.Context, db *store.DB, v *matching.Venue) error {
	got, err := db.UpdateVenue(ctx, v.ID, func(cur *matching.Venue) error { *cur = *v; return nil })
	if err == nil {
		v.UpdatedAt = got.UpdatedAt
	}
	return err
}

// saveSpace writes s's own fields over the stored space, as a whole, and
// gives s the updated_at the store stamped.
func saveSpace(ctx context.Context, db *store.DB, s *matching.Space) error {
	got, err := db.UpdateSpace(ctx, s.ID, func(cur *matching.Space) error { *cur = *s; return nil })
	if err == nil {
		s.UpdatedAt = got.UpdatedAt
	}
	return err
}

// eachConcurrent runs fn on every database of storetest.Each and on a
// SQLite file, whose pool, unlike an in-memory database's single
// connection, lets writers really run side by side.
func eachConcurrent(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	storetest.Each(t, fn)
	t.Run("sqlite-file", func(t *testing.T) {
		db, err := store.Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "cg.db"), store.Options{})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, db)
	})
}

// TestConcurrentUpdatesOfDifferentFields runs two updates of different
// fields of one organisation, venue or space at once, 50 times over: both
// must land every time.
func TestConcurrentUpdatesOfDifferentFields(t *testing.T) {
	const rounds = 50
	eachConcurrent(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		o := newOrg("Racing Dance", 52.2, 0.12)
		createOrg(t, db, &o, "")
		v := newVenue(o.ID, "Racing Hall", 52.2, 0.12)
		createVenue(t, db, &v)
		s := newSpace(v.ID, "Racing Room")
		createSpace(t, db, &s)

		// both runs a and b at once and returns their errors.
		both := func(a, b func() error) error {
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, f := range []func() error{a, b} {
				wg.Go(func() { errs[i] = f() })
			}
			wg.Wait()
			return errors.Join(errs...)
		}
		tests := []struct {
			name string
			// run changes two fields at once to values of round r,
			// check returns what the store holds for them, and want
			// what it should.
			run   func(r int) error
			check func() (any, any, error)
			want  func(r int) (any, any)
		}{
			{"organisation",
				func(r int) error {
					return both(func() error {
						_, err := db.UpdateOrganisation(ctx, o.ID, func(x *matching.Organisation) error { x.Name = fmt.Sprint("Name ", r); return nil })
						return err
					}, func() error {
						_, err := db.UpdateOrganisation(ctx, o.ID, func(x *matching.Organisation) error { x.CapacityHoursPerMonth = r; return nil })
						return err
					})
				},
				func() (any, any, error) {
					got, err := db.GetOrganisation(ctx, o.ID)
					if err != nil {
						return nil, nil, err
					}
					return got.Name, got.CapacityHoursPerMonth, nil
				},
				func(r int) (any, any) { return fmt.Sprint("Name ", r), r }},
			{"venue",
				func(r int) error {
					return both(func() error {
						_, err := db.UpdateVenue(ctx, v.ID, func(x *matching.Venue) error { x.Address = fmt.Sprint(r, " Mill Road"); return nil })
						return err
					}, func() error {
						_, err := db.UpdateVenue(ctx, v.ID, func(x *matching.Venue) error { x.Accessibility.Parking = r%2 == 1; return nil })
						return err
					})
				},
				func() (any, any, error) {
					got, err := db.GetVenue(ctx, v.ID)
					if err != nil {
						return nil, nil, err
					}
					return got.Address, got.Accessibility.Parking, nil
				},
				func(r int) (any, any) { return fmt.Sprint(r, " Mill Road"), r%2 == 1 }},
			{"space",
				func(r int) error {
					return both(func() error {
						_, err := db.UpdateSpace(ctx, s.ID, func(x *matching.Space) error { x.Name = fmt.Sprint("Room ", r); return nil })
						return err
					}, func() error {
						_, err := db.UpdateSpace(ctx, s.ID, func(x *matching.Space) error { x.Capacity = 10 + r; return nil })
						return err
					})
				},
				func() (any, any, error) {
					got, err := db.GetSpace(ctx, s.ID)
					if err != nil {
						return nil, nil, err
					}
					return got.Name, got.Capacity, nil
				},
				func(r int) (any, any) { return fmt.Sprint("Room ", r), 10 + r }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				lost := 0
				for r := 1; r <= rounds; r++ {
					if err := tt.run(r); err != nil {
						t.Fatal(err)
					}
					a, b, err := tt.check()
					if err != nil {
						t.Fatal(err)
					}
					if wantA, wantB := tt.want(r); a != wantA || b != wantB {
						lost++
						t.Errorf("round %d: got %v and %v, want %v and %v", r, a, b, wantA, wantB)
					}
				}
				if lost > 0 {
					t.Errorf("lost an update in %d of %d rounds", lost, rounds)
				}
			})
		}
	})
}

// TestUpdateEditRefuses checks that an error from edit comes back as it
// is and nothing is written: no field, no updated_at, no revision.
func TestUpdateEditRefuses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		o := newOrg("Refusing Dance", 52.2, 0.12)
		createOrg(t, db, &o, "")
		v := newVenue(o.ID, "Refusing Hall", 52.2, 0.12)
		createVenue(t, db, &v)
		s := newSpace(v.ID, "Refusing Room")
		createSpace(t, db, &s)
		refused := errors.New("refused")
		before, err := db.Revision(ctx)
		if err != nil {
			t.Fatal(err)
		}

		_, err = db.UpdateOrganisation(ctx, o.ID, func(x *matching.Organisation) error { x.Name = "Changed"; return refused })
		checkIs(t, "UpdateOrganisation", err, refused)
		_, err = db.UpdateVenue(ctx, v.ID, func(x *matching.Venue) error { x.Name = "Changed"; return refused })
		checkIs(t, "UpdateVenue", err, refused)
		_, err = db.UpdateSpace(ctx, s.ID, func(x *matching.Space) error { x.Name = "Changed"; return refused })
		checkIs(t, "UpdateSpace", err, refused)

		gotO, _ := db.GetOrganisation(ctx, o.ID)
		checkOrganisation(t, gotO, &o)
		gotV, _ := db.GetVenue(ctx, v.ID)
		checkVenue(t, gotV, &v)
		gotS, _ := db.GetSpace(ctx, s.ID)
		checkSpace(t, gotS, &s)
		if after, _ := db.Revision(ctx); after != before {
			t.Errorf("revision: got %d after refused edits, want %d", after, before)
		}
	})
}

// TestUpdateKeepsIdentity checks that edit cannot change what an update
// leaves alone (ID, owner, venue, place, created_at, offers), and that the
// value returned is the one stored.
func TestUpdateKeepsIdentity(t *testing.T) {
	clock := time.Date(2027, 4, 1, 8, 0, 0, 0, time.UTC)
	eachWithClock(t, clock, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		o := newOrg("Steady Dance", 52.2, 0.12)
		o.Offers = []matching.Offer{newOffer(o.ID, "skill.dance-teaching")}
		createOrg(t, db, &o, "")
		v := newVenue(o.ID, "Steady Hall", 52.2, 0.12)
		createVenue(t, db, &v)
		s := newSpace(v.ID, "Steady Room")
		createSpace(t, db, &s)
		elsewhere := geo.MustPoint(51.5, -0.1)

		gotO, err := db.UpdateOrganisation(ctx, o.ID, func(x *matching.Organisation) error {
			x.ID, x.CreatedAt, x.Offers, x.TrustedPartnerships = "other", t0.Add(time.Hour), nil, 7
			x.Name = "Steadier Dance"
			return nil
		})
		if err != nil {
			t.Fatalf("UpdateOrganisation: %v", err)
		}
		wantO := o
		wantO.Name, wantO.UpdatedAt = "Steadier Dance", clock
		checkOrganisation(t, gotO, &wantO)
		stored, _ := db.GetOrganisation(ctx, o.ID)
		checkOrganisation(t, stored, &wantO)

		gotV, err := db.UpdateVenue(ctx, v.ID, func(x *matching.Venue) error {
			x.ID, x.OrganisationID, x.CreatedAt = "other", "other", t0.Add(time.Hour)
			x.Name = "Steadier Hall"
			return nil
		})
		if err != nil {
			t.Fatalf("UpdateVenue: %v", err)
		}
		wantV := v
		wantV.Name, wantV.UpdatedAt = "Steadier Hall", clock
		checkVenue(t, gotV, &wantV)
		storedV, _ := db.GetVenue(ctx, v.ID)
		checkVenue(t, storedV, &wantV)

		gotS, err := db.UpdateSpace(ctx, s.ID, func(x *matching.Space) error {
			x.ID, x.VenueID, x.OrganisationID, x.Location, x.CreatedAt = "other", "other", "other", elsewhere, t0.Add(time.Hour)
			x.Name = "Steadier Room"
			return nil
		})
		if err != nil {
			t.Fatalf("UpdateSpace: %v", err)
		}
		wantS := s
		wantS.Name, wantS.UpdatedAt = "Steadier Room", clock
		checkSpace(t, gotS, &wantS)
		storedS, _ := db.GetSpace(ctx, s.ID)
		checkSpace(t, storedS, &wantS)
	})
}

// TestDeleteIf checks that a delete's check sees the row as stored and
// that its error stops the delete.
func TestDeleteIf(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		o := newOrg("Doomed Dance", 52.2, 0.12)
		o.Needs = []matching.Need{newNeed(o.ID, "space.hall")}
		createOrg(t, db, &o, "")
		v := newVenue(o.ID, "Doomed Hall", 52.2, 0.12)
		createVenue(t, db, &v)
		s := newSpace(v.ID, "Doomed Room")
		createSpace(t, db, &s)
		refused := errors.New("refused")

		checkIs(t, "DeleteSpaceIf refused", db.DeleteSpaceIf(ctx, s.ID, func(x *matching.Space) error {
			checkSpace(t, x, &s)
			return refused
		}), refused)
		checkIs(t, "DeleteVenueIf refused", db.DeleteVenueIf(ctx, v.ID, func(x *matching.Venue) error {
			checkVenue(t, x, &v)
			return refused
		}), refused)
		checkIs(t, "DeleteOrganisationIf refused", db.DeleteOrganisationIf(ctx, o.ID, func(x *matching.Organisation) error {
			checkOrganisation(t, x, &o)
			return refused
		}), refused)
		checkCount(t, db, store.Counts{Organisations: 1, Needs: 1, Venues: 1, Spaces: 1})

		checkIs(t, "DeleteSpaceIf", db.DeleteSpaceIf(ctx, s.ID, func(*matching.Space) error { return nil }), nil)
		checkCount(t, db, store.Counts{Organisations: 1, Needs: 1, Venues: 1})
		checkIs(t, "DeleteVenueIf", db.DeleteVenueIf(ctx, v.ID, func(*matching.Venue) error { return nil }), nil)
		checkIs(t, "DeleteOrganisationIf", db.DeleteOrganisationIf(ctx, o.ID, func(*matching.Organisation) error { return nil }), nil)
		checkCount(t, db, store.Counts{})
		checkErr(t, "DeleteSpaceIf missing", db.DeleteSpaceIf(ctx, s.ID, func(*matching.Space) error { return nil }), matching.ErrNotFound)
		checkErr(t, "DeleteVenueIf missing", db.DeleteVenueIf(ctx, v.ID, func(*matching.Venue) error { return nil }), matching.ErrNotFound)
		checkErr(t, "DeleteOrganisationIf missing", db.DeleteOrganisationIf(ctx, o.ID, func(*matching.Organisation) error { return nil }), matching.ErrNotFound)
	})
}

// checkIs fails t unless errors.Is(err, want) (want nil: no error).
func checkIs(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: got error %v, want %v", what, err, want)
	}
}
