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

func fitToDanceColumn(t *testing.T, db *store.DB, id string) int {
	t.Helper()
	var n int
	if err := db.Gorm().Raw("SELECT fit_to_dance FROM spaces WHERE id = ?", id).Scan(&n).Error; err != nil {
		t.Fatalf("read fit_to_dance: %v", err)
	}
	return n
}

func TestCreateSpaceTakesVenueOwnerAndLocation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg("Owner", 52.0, 0.0)
		createOrg(t, db, &o, "")
		other := newOrg("Other", 51.0, -1.0)
		createOrg(t, db, &other, "")
		v := newVenue(o.ID, "Venue", 52.2053, 0.1218)
		createVenue(t, db, &v)

		s := newSpace(v.ID, "Studio")
		s.OrganisationID = other.ID              // ignored: the venue's owner wins
		s.Location = geo.MustPoint(-10.0, -10.0) // ignored: the venue's location wins
		createSpace(t, db, &s)
		if s.OrganisationID != o.ID {
			t.Errorf("OrganisationID written back: got %q, want %q", s.OrganisationID, o.ID)
		}
		if s.Location != v.Location {
			t.Errorf("Location written back: got %v, want %v", s.Location, v.Location)
		}
		got, err := db.GetSpace(t.Context(), s.ID)
		if err != nil {
			t.Fatalf("GetSpace: %v", err)
		}
		if got.OrganisationID != o.ID || got.Location != v.Location || got.VenueID != v.ID {
			t.Errorf("stored VenueID, OrganisationID, Location: got %q, %q, %v, want %q, %q, %v",
				got.VenueID, got.OrganisationID, got.Location, v.ID, o.ID, v.Location)
		}
	})
}

func TestSpaceRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg("Owner", 52.0, 0.0)
		createOrg(t, db, &o, "")
		v := newVenue(o.ID, "Venue", 52.2053, 0.1218)
		createVenue(t, db, &v)

		tests := []struct {
			name  string
			build func() matching.Space
		}{
			{"full", func() matching.Space { return newSpace(v.ID, "Full") }},
			{"every flag set", func() matching.Space {
				s := newSpace(v.ID, "Flags On")
				s.Mirrors, s.Barres, s.SoundSystem, s.ChangingRooms = true, true, true, true
				s.ClimateControl, s.Obstructions, s.InstantBook = true, true, true
				return s
			}},
			{"every flag clear, empty lists", func() matching.Space {
				s := newSpace(v.ID, "Flags Off")
				s.Mirrors, s.Barres, s.SoundSystem, s.ChangingRooms = false, false, false, false
				s.ClimateControl, s.Obstructions, s.InstantBook = false, false, false
				s.Kind, s.Floor, s.CeilingHeightM = "outdoor", matching.FloorConcrete, 0
				s.ProhibitedActivities = []string{}
				s.Prices = []matching.Price{}
				s.OpeningHours = []matching.OpeningHours{}
				s.Closures = []matching.Closure{}
				return s
			}},
			{"one free price, midnight hours", func() matching.Space {
				s := newSpace(v.ID, "Free")
				s.Prices = []matching.Price{{Tier: "community", PencePerHour: 0}}
				s.OpeningHours = []matching.OpeningHours{{Day: "sun", Opens: 0, Closes: 24 * 60}}
				return s
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := tt.build()
				createSpace(t, db, &s)
				got, err := db.GetSpace(t.Context(), s.ID)
				if err != nil {
					t.Fatalf("GetSpace: %v", err)
				}
				want := s
				want.OrganisationID, want.Location = o.ID, v.Location
				checkSpace(t, got, &want)
				checkFields(t, "space "+s.Name, []field{
					{"CreatedAt", got.CreatedAt, s.CreatedAt},
					{"UpdatedAt", got.UpdatedAt, s.UpdatedAt},
				})
				if got, want := fitToDanceColumn(t, db, s.ID), s.FitToDance(); got != want {
					t.Errorf("fit_to_dance column: got %d, want %d", got, want)
				}
			})
		}
	})
}

// TestSpaceNilLists stores a space whose lists are nil: they come back
// empty and non-nil, like organisations' lists.
func TestSpaceNilLists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg("Owner", 52.0, 0.0)
		createOrg(t, db, &o, "")
		v := newVenue(o.ID, "Venue", 52.0, 0.0)
		createVenue(t, db, &v)
		s := newSpace(v.ID, "Bare")
		s.ProhibitedActivities, s.Prices, s.OpeningHours, s.Closures = nil, nil, nil, nil
		createSpace(t, db, &s)
		got, err := db.GetSpace(t.Context(), s.ID)
		if err != nil {
			t.Fatalf("GetSpace: %v", err)
		}
		if got.ProhibitedActivities == nil || len(got.ProhibitedActivities) != 0 {
			t.Errorf("ProhibitedActivities: got %#v, want []string{}", got.ProhibitedActivities)
		}
		if got.Prices == nil || len(got.Prices) != 0 {
			t.Errorf("Prices: got %#v, want empty non-nil", got.Prices)
		}
		if got.OpeningHours == nil || len(got.OpeningHours) != 0 {
			t.Errorf("OpeningHours: got %#v, want empty non-nil", got.OpeningHours)
		}
		if got.Closures == nil || len(got.Closures) != 0 {
			t.Errorf("Closures: got %#v, want empty non-nil", got.Closures)
		}
	})
}

func TestCreateSpaceErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg("Owner", 52.0, 0.0)
		createOrg(t, db, &o, "")
		v := newVenue(o.ID, "Venue", 52.0, 0.0)
		createVenue(t, db, &v)
		s := newSpace(v.ID, "First")
		createSpace(t, db, &s)
		before := count(t, db)

		tests := []struct {
			name  string
			space func() matching.Space
			want  error
		}{
			{"missing venue", func() matching.Space { return newSpace(uuid.NewString(), "Nowhere") }, matching.ErrNotFound},
			{"no venue", func() matching.Space { return newSpace("", "Nowhere") }, matching.ErrNotFound},
			{"taken ID", func() matching.Space { x := newSpace(v.ID, "Twin"); x.ID = s.ID; return x }, matching.ErrConflict},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				x := tt.space()
				checkErr(t, "CreateSpace", db.CreateSpace(t.Context(), &x), tt.want)
				checkCount(t, db, before)
			})
		}
		got, err := db.GetSpace(t.Context(), s.ID)
		if err != nil {
			t.Fatalf("GetSpace: %v", err)
		}
		checkSpace(t, got, &s)
	})
}

func TestUpdateSpace(t *testing.T) {
	clock := time.Date(2027, 4, 1, 7, 15, 0, 0, time.UTC)
	eachWithClock(t, clock, func(t *testing.T, db *store.DB) {
		o := newOrg("Owner", 52.0, 0.0)
		createOrg(t, db, &o, "")
		other := newOrg("Other", 51.0, -1.0)
		createOrg(t, db, &other, "")
		v := newVenue(o.ID, "Venue", 52.2, 0.12)
		createVenue(t, db, &v)
		elsewhere := newVenue(other.ID, "Elsewhere", 51.5, -0.1)
		createVenue(t, db, &elsewhere)
		s := newSpace(v.ID, "Before")
		createSpace(t, db, &s)
		before := fitToDanceColumn(t, db, s.ID)

		u := s
		u.Name = "After"
		u.Kind = "hall"
		u.Capacity = 120
		u.FloorAreaM2 = 60
		u.CeilingHeightM = 8
		u.Floor = matching.FloorCarpet
		u.Mirrors, u.Barres, u.SoundSystem, u.ChangingRooms = false, false, false, true
		u.ClimateControl, u.Obstructions, u.InstantBook = false, true, false
		u.ProhibitedActivities = []string{"flamenco"}
		u.Prices = []matching.Price{{Tier: "commercial", PencePerHour: 9999}}
		u.OpeningHours = []matching.OpeningHours{{Day: "wed", Opens: 6 * 60, Closes: 7 * 60}}
		u.Closures = nil
		// None of these move a space: it stays in its venue.
		u.VenueID = elsewhere.ID
		u.OrganisationID = other.ID
		u.Location = elsewhere.Location
		u.CreatedAt = t0.Add(300 * time.Hour)
		if err := saveSpace(t.Context(), db, &u); err != nil {
			t.Fatalf("UpdateSpace: %v", err)
		}
		got, err := db.GetSpace(t.Context(), s.ID)
		if err != nil {
			t.Fatalf("GetSpace: %v", err)
		}
		want := u
		want.VenueID, want.OrganisationID, want.Location = v.ID, o.ID, v.Location
		want.Closures = []matching.Closure{}
		checkSpace(t, got, &want)
		checkFields(t, "space", []field{
			{"CreatedAt", got.CreatedAt, s.CreatedAt},
			{"UpdatedAt", got.UpdatedAt, clock},
		})
		after := fitToDanceColumn(t, db, s.ID)
		if after != u.FitToDance() || after == before {
			t.Errorf("fit_to_dance column: got %d (was %d), want %d", after, before, u.FitToDance())
		}
		list, err := db.ListSpaces(t.Context(), matching.SpaceFilter{VenueID: elsewhere.ID})
		if err != nil {
			t.Fatalf("ListSpaces: %v", err)
		}
		if len(list) != 0 {
			t.Errorf("ListSpaces in the other venue: got %v, want none", spaceIDs(list))
		}
	})
}

func TestSpaceMissing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSpace(uuid.NewString(), "Ghost")
		_, err := db.GetSpace(t.Context(), s.ID)
		checkErr(t, "GetSpace", err, matching.ErrNotFound)
		checkErr(t, "UpdateSpace", saveSpace(t.Context(), db, &s), matching.ErrNotFound)
		checkErr(t, "DeleteSpace", db.DeleteSpace(t.Context(), s.ID), matching.ErrNotFound)
	})
}

func TestDeleteSpace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg("Owner", 52.0, 0.0)
		createOrg(t, db, &o, "")
		v := newVenue(o.ID, "Venue", 52.0, 0.0)
		createVenue(t, db, &v)
		a, b := newSpace(v.ID, "A"), newSpace(v.ID, "B")
		createSpace(t, db, &a)
		createSpace(t, db, &b)
		if err := db.DeleteSpace(t.Context(), a.ID); err != nil {
			t.Fatalf("DeleteSpace: %v", err)
		}
		_, err := db.GetSpace(t.Context(), a.ID)
		checkErr(t, "GetSpace after delete", err, matching.ErrNotFound)
		checkErr(t, "DeleteSpace twice", db.DeleteSpace(t.Context(), a.ID), matching.ErrNotFound)
		checkCount(t, db, store.Counts{Organisations: 1, Venues: 1, Spaces: 1})
		if _, err := db.GetVenue(t.Context(), v.ID); err != nil {
			t.Errorf("GetVenue after deleting one of its spaces: %v", err)
		}
	})
}
