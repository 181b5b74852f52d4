package store_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"commonground/geo"
	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

func TestVenueRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg("Owner", 52.0, 0.0)
		createOrg(t, db, &o, "")
		tests := []struct {
			name  string
			build func() matching.Venue
		}{
			{"every accessibility flag", func() matching.Venue {
				v := newVenue(o.ID, "All Access", 52.19861234567, 0.14001234567)
				v.Accessibility = matching.Accessibility{StepFree: true, AccessibleToilet: true, HearingLoop: true, Parking: true}
				return v
			}},
			{"no accessibility flag", func() matching.Venue {
				v := newVenue(o.ID, "Up The Stairs", -41.2865, 174.7762)
				v.Accessibility = matching.Accessibility{}
				v.Timezone = "Pacific/Auckland"
				v.Address, v.Postcode = "", ""
				return v
			}},
			{"mixed flags, west and south", func() matching.Venue {
				v := newVenue(o.ID, "Mixed", -22.9068, -43.1729)
				v.Accessibility = matching.Accessibility{AccessibleToilet: true, Parking: true}
				v.Timezone = "America/Sao_Paulo"
				return v
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				v := tt.build()
				createVenue(t, db, &v)
				got, err := db.GetVenue(t.Context(), v.ID)
				if err != nil {
					t.Fatalf("GetVenue: %v", err)
				}
				checkVenue(t, got, &v)
			})
		}
	})
}

func TestCreateVenueConflicts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg("Owner", 52.0, 0.0)
		createOrg(t, db, &o, "")
		v := newVenue(o.ID, "First", 52.0, 0.0)
		createVenue(t, db, &v)

		missingOrg := newVenue(uuid.NewString(), "Orphan", 52.0, 0.0)
		checkErr(t, "CreateVenue for a missing organisation", db.CreateVenue(t.Context(), &missingOrg), matching.ErrConflict)
		dup := newVenue(o.ID, "Twin", 52.0, 0.0)
		dup.ID = v.ID
		checkErr(t, "CreateVenue with a taken ID", db.CreateVenue(t.Context(), &dup), matching.ErrConflict)
		checkCount(t, db, store.Counts{Organisations: 1, Venues: 1})
		got, err := db.GetVenue(t.Context(), v.ID)
		if err != nil {
			t.Fatalf("GetVenue: %v", err)
		}
		checkVenue(t, got, &v)
	})
}

func TestUpdateVenueMovesSpaces(t *testing.T) {
	clock := time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC)
	eachWithClock(t, clock, func(t *testing.T, db *store.DB) {
		o := newOrg("Owner", 52.0, 0.0)
		createOrg(t, db, &o, "")
		other := newOrg("Other", 53.0, 1.0)
		createOrg(t, db, &other, "")
		v := newVenue(o.ID, "Moving", 52.2, 0.12)
		createVenue(t, db, &v)
		still := newVenue(o.ID, "Still", 52.3, 0.13)
		createVenue(t, db, &still)
		var moving []matching.Space
		for _, n := range []string{"A", "B", "C"} {
			s := newSpace(v.ID, n)
			createSpace(t, db, &s)
			moving = append(moving, s)
		}
		stay := newSpace(still.ID, "Stay")
		createSpace(t, db, &stay)

		u := v
		u.Name = "Moved"
		u.Address = "2 New Street"
		u.Postcode = "CB2 1TN"
		u.Location = geo.MustPoint(52.1951, 0.1313)
		u.Timezone = "Europe/Dublin"
		u.Accessibility = matching.Accessibility{Parking: true}
		u.OrganisationID = other.ID // a venue keeps its owner
		u.CreatedAt = t0.Add(500 * time.Hour)
		if err := saveVenue(t.Context(), db, &u); err != nil {
			t.Fatalf("UpdateVenue: %v", err)
		}
		got, err := db.GetVenue(t.Context(), v.ID)
		if err != nil {
			t.Fatalf("GetVenue: %v", err)
		}
		want := u
		want.OrganisationID = o.ID
		want.CreatedAt = v.CreatedAt
		want.UpdatedAt = clock
		checkVenue(t, got, &want)

		for _, s := range moving {
			gs, err := db.GetSpace(t.Context(), s.ID)
			if err != nil {
				t.Fatalf("GetSpace(%s): %v", s.Name, err)
			}
			if gs.Location != u.Location {
				t.Errorf("space %s Location: got %v, want the venue's new %v", s.Name, gs.Location, u.Location)
			}
			if gs.OrganisationID != o.ID {
				t.Errorf("space %s OrganisationID: got %q, want %q", s.Name, gs.OrganisationID, o.ID)
			}
		}
		gs, err := db.GetSpace(t.Context(), stay.ID)
		if err != nil {
			t.Fatalf("GetSpace(stay): %v", err)
		}
		if gs.Location != still.Location {
			t.Errorf("space in the other venue Location: got %v, want unchanged %v", gs.Location, still.Location)
		}
		// A radius search at the new place finds the moved spaces.
		b := geo.BoundAround(u.Location, 100)
		found, err := db.ListSpaces(t.Context(), matching.SpaceFilter{Within: &b})
		if err != nil {
			t.Fatalf("ListSpaces: %v", err)
		}
		if got, want := spaceIDs(found), sorted(spaceIDs(moving)); !equalStrings(got, want) {
			t.Errorf("ListSpaces near the new location: got %v, want %v", got, want)
		}
	})
}

func TestVenueMissing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg("Owner", 52.0, 0.0)
		createOrg(t, db, &o, "")
		v := newVenue(o.ID, "Never Created", 52.0, 0.0)
		_, err := db.GetVenue(t.Context(), v.ID)
		checkErr(t, "GetVenue", err, matching.ErrNotFound)
		checkErr(t, "UpdateVenue", saveVenue(t.Context(), db, &v), matching.ErrNotFound)
		checkErr(t, "DeleteVenue", db.DeleteVenue(t.Context(), v.ID), matching.ErrNotFound)
		checkCount(t, db, store.Counts{Organisations: 1})
	})
}

func TestDeleteVenueRemovesSpaces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg("Owner", 52.0, 0.0)
		createOrg(t, db, &o, "")
		gone := newVenue(o.ID, "Gone", 52.0, 0.0)
		createVenue(t, db, &gone)
		kept := newVenue(o.ID, "Kept", 52.1, 0.1)
		createVenue(t, db, &kept)
		s1, s2, s3 := newSpace(gone.ID, "G1"), newSpace(gone.ID, "G2"), newSpace(kept.ID, "K1")
		for _, s := range []*matching.Space{&s1, &s2, &s3} {
			createSpace(t, db, s)
		}
		checkCount(t, db, store.Counts{Organisations: 1, Venues: 2, Spaces: 3})

		if err := db.DeleteVenue(t.Context(), gone.ID); err != nil {
			t.Fatalf("DeleteVenue: %v", err)
		}
		checkCount(t, db, store.Counts{Organisations: 1, Venues: 1, Spaces: 1})
		_, err := db.GetVenue(t.Context(), gone.ID)
		checkErr(t, "GetVenue", err, matching.ErrNotFound)
		for _, s := range []matching.Space{s1, s2} {
			_, err := db.GetSpace(t.Context(), s.ID)
			checkErr(t, "GetSpace "+s.Name, err, matching.ErrNotFound)
		}
		got, err := db.GetSpace(t.Context(), s3.ID)
		if err != nil {
			t.Fatalf("GetSpace(K1): %v", err)
		}
		checkSpace(t, got, &s3)
		checkErr(t, "DeleteVenue twice", db.DeleteVenue(t.Context(), gone.ID), matching.ErrNotFound)
	})
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
