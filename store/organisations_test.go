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

func TestOrganisationRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg("Cambridge Dance Collective", 52.205337, 0.121817)
		o.Type = matching.OrgYouthService
		o.Location = geo.MustPoint(52.20533712345678, 0.12181723456789) // every digit of a float64 survives
		o.Offers = []matching.Offer{
			newOffer(o.ID, "skill.dance-teaching"),
			newOffer(o.ID, "space.dance-studio"),
			newOffer(o.ID, "resource.minibus"),
		}
		o.Needs = []matching.Need{
			newNeed(o.ID, "skill.bid-writing"),
			newNeed(o.ID, "skill.safeguarding"),
		}
		createOrg(t, db, &o, "token-hash-1")

		got, err := db.GetOrganisation(t.Context(), o.ID)
		if err != nil {
			t.Fatalf("GetOrganisation: %v", err)
		}
		checkOrganisation(t, got, &o)
		if got.Location != o.Location {
			t.Errorf("Location: got %v, want exactly %v", got.Location, o.Location)
		}
		for i := 1; i < len(got.Offers); i++ {
			if got.Offers[i-1].ID >= got.Offers[i].ID {
				t.Errorf("Offers: got IDs %q before %q, want ID order", got.Offers[i-1].ID, got.Offers[i].ID)
			}
		}
		checkCount(t, db, store.Counts{Organisations: 1, Offers: 3, Needs: 2, APIKeys: 1})
	})
}

func TestOrganisationEmptyLists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg("Quiet Org", 52.0, 0.0)
		o.Values, o.Practices, o.Exclusions, o.Offers, o.Needs = nil, nil, nil, nil, nil
		o.Website, o.Email, o.Phone, o.Description = "", "", "", ""
		createOrg(t, db, &o, "")
		got, err := db.GetOrganisation(t.Context(), o.ID)
		if err != nil {
			t.Fatalf("GetOrganisation: %v", err)
		}
		// Empty lists come back empty, not nil, so they render as [] in JSON.
		for name, l := range map[string][]string{"Values": got.Values, "Practices": got.Practices, "Exclusions": got.Exclusions} {
			if l == nil || len(l) != 0 {
				t.Errorf("%s: got %#v, want []string{}", name, l)
			}
		}
		if got.Offers == nil || len(got.Offers) != 0 {
			t.Errorf("Offers: got %#v, want empty non-nil", got.Offers)
		}
		if got.Needs == nil || len(got.Needs) != 0 {
			t.Errorf("Needs: got %#v, want empty non-nil", got.Needs)
		}
		if got.Website != "" || got.Email != "" || got.Phone != "" || got.Description != "" {
			t.Errorf("text fields: got %q %q %q %q, want all empty", got.Website, got.Email, got.Phone, got.Description)
		}
	})
}

func TestOrganisationTimestampsDefaultToClock(t *testing.T) {
	clock := time.Date(2027, 1, 5, 18, 0, 0, 250000000, time.UTC)
	eachWithClock(t, clock, func(t *testing.T, db *store.DB) {
		o := newOrg("No Times", 52.0, 0.0)
		o.CreatedAt, o.UpdatedAt = time.Time{}, time.Time{}
		createOrg(t, db, &o, "")
		got, err := db.GetOrganisation(t.Context(), o.ID)
		if err != nil {
			t.Fatalf("GetOrganisation: %v", err)
		}
		if !got.CreatedAt.Equal(clock) || !got.UpdatedAt.Equal(clock) {
			t.Errorf("CreatedAt, UpdatedAt: got %v, %v, want %v for both", got.CreatedAt, got.UpdatedAt, clock)
		}
	})
}

func TestOrganisationTokenHash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newOrg("A", 52.0, 0.0)
		createOrg(t, db, &a, "hash-a")
		b := newOrg("B", 52.1, 0.1)
		createOrg(t, db, &b, "hash-b")
		// Organisations without a token (demo data) do not collide.
		c := newOrg("C", 52.2, 0.2)
		createOrg(t, db, &c, "")
		d := newOrg("D", 52.3, 0.3)
		createOrg(t, db, &d, "")

		tests := []struct {
			hash, want string
			err        error
		}{
			{"hash-a", a.ID, nil},
			{"hash-b", b.ID, nil},
			{"hash-c", "", matching.ErrNotFound},
			{"", "", matching.ErrNotFound},
			{"HASH-A", "", matching.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.hash, func(t *testing.T) {
				got, err := db.OrganisationIDByTokenHash(t.Context(), tt.hash)
				if tt.err != nil {
					checkErr(t, "OrganisationIDByTokenHash("+tt.hash+")", err, tt.err)
					return
				}
				if err != nil {
					t.Fatalf("OrganisationIDByTokenHash(%q): %v", tt.hash, err)
				}
				if got != tt.want {
					t.Errorf("OrganisationIDByTokenHash(%q): got %q, want %q", tt.hash, got, tt.want)
				}
			})
		}
	})
}

func TestCreateOrganisationConflicts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		existing := newOrg("Existing", 52.0, 0.0)
		existing.Offers = []matching.Offer{newOffer(existing.ID, "skill.marketing")}
		createOrg(t, db, &existing, "taken-hash")
		before := count(t, db)

		tests := []struct {
			name  string
			build func() (matching.Organisation, string)
		}{
			{"same token hash", func() (matching.Organisation, string) {
				o := newOrg("Thief", 52.1, 0.1)
				o.Offers = []matching.Offer{newOffer(o.ID, "skill.youth-work")}
				return o, "taken-hash"
			}},
			{"same ID", func() (matching.Organisation, string) {
				o := newOrg("Twin", 52.1, 0.1)
				o.ID = existing.ID
				return o, "fresh-hash-1"
			}},
			{"offer with a taken ID", func() (matching.Organisation, string) {
				o := newOrg("Copycat", 52.1, 0.1)
				off := newOffer(o.ID, "skill.youth-work")
				off.ID = existing.Offers[0].ID
				o.Offers = []matching.Offer{off}
				return o, "fresh-hash-2"
			}},
			{"offer of another, missing organisation", func() (matching.Organisation, string) {
				o := newOrg("Confused", 52.1, 0.1)
				o.Needs = []matching.Need{newNeed(o.ID, "skill.bid-writing")}
				o.Offers = []matching.Offer{newOffer(uuid.NewString(), "skill.youth-work")}
				return o, "fresh-hash-3"
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				o, hash := tt.build()
				err := db.CreateOrganisation(t.Context(), &o, hash)
				checkErr(t, "CreateOrganisation", err, matching.ErrConflict)
				// Nothing of the failed organisation is written.
				checkCount(t, db, before)
				if o.ID != existing.ID {
					_, err := db.GetOrganisation(t.Context(), o.ID)
					checkErr(t, "GetOrganisation of the failed one", err, matching.ErrNotFound)
				}
			})
		}
		got, err := db.GetOrganisation(t.Context(), existing.ID)
		if err != nil {
			t.Fatalf("GetOrganisation(existing): %v", err)
		}
		checkOrganisation(t, got, &existing)
		id, err := db.OrganisationIDByTokenHash(t.Context(), "taken-hash")
		if err != nil || id != existing.ID {
			t.Errorf("OrganisationIDByTokenHash: got %q, %v, want %q, nil", id, err, existing.ID)
		}
	})
}

func TestUpdateOrganisation(t *testing.T) {
	clock := time.Date(2027, 2, 1, 12, 30, 0, 0, time.UTC)
	eachWithClock(t, clock, func(t *testing.T, db *store.DB) {
		o := newOrg("Before", 52.0, 0.0)
		o.Offers = []matching.Offer{newOffer(o.ID, "skill.dance-teaching")}
		o.Needs = []matching.Need{newNeed(o.ID, "space.hall")}
		createOrg(t, db, &o, "the-token")
		other := newOrg("Bystander", 51.0, -1.0)
		createOrg(t, db, &other, "other-token")

		u := o
		u.Name = "After"
		u.Type = matching.OrgSchool
		u.Description = "new description"
		u.Website = "http://after.example"
		u.Email = "after@example.org"
		u.Phone = "07000 000000"
		u.Location = geo.MustPoint(-33.8688, 151.2093)
		u.ServiceRadiusKm = 0
		u.Values = []string{"animal-welfare"}
		u.Practices = nil
		u.Exclusions = []string{"gambling-sponsorship"}
		u.CapacityHoursPerMonth = 0
		u.Offers, u.Needs = nil, nil // not touched by UpdateOrganisation
		u.CreatedAt = t0.Add(1000 * time.Hour)
		if err := saveOrganisation(t.Context(), db, &u); err != nil {
			t.Fatalf("UpdateOrganisation: %v", err)
		}

		got, err := db.GetOrganisation(t.Context(), o.ID)
		if err != nil {
			t.Fatalf("GetOrganisation: %v", err)
		}
		want := u
		want.Practices = []string{}
		want.Offers, want.Needs = o.Offers, o.Needs // kept
		want.CreatedAt = o.CreatedAt                // kept
		want.UpdatedAt = clock                      // the store's clock (Options.Now)
		checkOrganisation(t, got, &want)

		id, err := db.OrganisationIDByTokenHash(t.Context(), "the-token")
		if err != nil || id != o.ID {
			t.Errorf("OrganisationIDByTokenHash after update: got %q, %v, want %q, nil", id, err, o.ID)
		}
		gotOther, err := db.GetOrganisation(t.Context(), other.ID)
		if err != nil {
			t.Fatalf("GetOrganisation(other): %v", err)
		}
		checkOrganisation(t, gotOther, &other)
	})
}

func TestOrganisationMissing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		kept := newOrg("Kept", 52.0, 0.0)
		createOrg(t, db, &kept, "")
		missing := newOrg("Missing", 52.0, 0.0)

		_, err := db.GetOrganisation(t.Context(), missing.ID)
		checkErr(t, "GetOrganisation", err, matching.ErrNotFound)
		checkErr(t, "UpdateOrganisation", saveOrganisation(t.Context(), db, &missing), matching.ErrNotFound)
		checkErr(t, "DeleteOrganisation", db.DeleteOrganisation(t.Context(), missing.ID), matching.ErrNotFound)
		checkErr(t, "DeleteOrganisation('')", db.DeleteOrganisation(t.Context(), ""), matching.ErrNotFound)
		checkCount(t, db, store.Counts{Organisations: 1})

		if err := db.DeleteOrganisation(t.Context(), kept.ID); err != nil {
			t.Fatalf("DeleteOrganisation: %v", err)
		}
		checkErr(t, "DeleteOrganisation twice", db.DeleteOrganisation(t.Context(), kept.ID), matching.ErrNotFound)
		_, err = db.GetOrganisation(t.Context(), kept.ID)
		checkErr(t, "GetOrganisation after delete", err, matching.ErrNotFound)
	})
}

// TestDeleteOrganisationCascades deletes an organisation that owns offers,
// needs, venues and spaces: all of them go, and nobody else's.
func TestDeleteOrganisationCascades(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		type owned struct {
			org    matching.Organisation
			venues []matching.Venue
			spaces []matching.Space
		}
		build := func(name string, lat float64) owned {
			o := newOrg(name, lat, 0.1)
			o.Offers = []matching.Offer{newOffer(o.ID, "skill.dance-teaching"), newOffer(o.ID, "space.hall")}
			o.Needs = []matching.Need{newNeed(o.ID, "skill.marketing")}
			createOrg(t, db, &o, "token-"+name)
			w := owned{org: o}
			for _, vn := range []string{"North", "South"} {
				v := newVenue(o.ID, name+" "+vn, lat+0.01, 0.11)
				createVenue(t, db, &v)
				w.venues = append(w.venues, v)
				for _, sn := range []string{"Studio", "Hall"} {
					s := newSpace(v.ID, v.Name+" "+sn)
					createSpace(t, db, &s)
					w.spaces = append(w.spaces, s)
				}
			}
			return w
		}
		gone := build("Gone", 52.0)
		stays := build("Stays", 53.0)
		checkCount(t, db, store.Counts{Organisations: 2, Offers: 4, Needs: 2, Venues: 4, Spaces: 8, APIKeys: 2})

		if err := db.DeleteOrganisation(t.Context(), gone.org.ID); err != nil {
			t.Fatalf("DeleteOrganisation: %v", err)
		}
		// Its API key went with it.
		checkCount(t, db, store.Counts{Organisations: 1, Offers: 2, Needs: 1, Venues: 2, Spaces: 4, APIKeys: 1})

		ctx := t.Context()
		_, err := db.GetOrganisation(ctx, gone.org.ID)
		checkErr(t, "GetOrganisation", err, matching.ErrNotFound)
		for _, x := range gone.org.Offers {
			_, err := db.GetOffer(ctx, x.ID)
			checkErr(t, "GetOffer", err, matching.ErrNotFound)
		}
		for _, x := range gone.org.Needs {
			_, err := db.GetNeed(ctx, x.ID)
			checkErr(t, "GetNeed", err, matching.ErrNotFound)
		}
		for _, v := range gone.venues {
			_, err := db.GetVenue(ctx, v.ID)
			checkErr(t, "GetVenue", err, matching.ErrNotFound)
		}
		for _, s := range gone.spaces {
			_, err := db.GetSpace(ctx, s.ID)
			checkErr(t, "GetSpace", err, matching.ErrNotFound)
		}
		_, err = db.OrganisationIDByTokenHash(ctx, "token-Gone")
		checkErr(t, "OrganisationIDByTokenHash", err, matching.ErrNotFound)

		got, err := db.GetOrganisation(ctx, stays.org.ID)
		if err != nil {
			t.Fatalf("GetOrganisation(stays): %v", err)
		}
		checkOrganisation(t, got, &stays.org)
		for _, s := range stays.spaces {
			if _, err := db.GetSpace(ctx, s.ID); err != nil {
				t.Errorf("GetSpace(%s) of the other organisation: %v", s.Name, err)
			}
		}
	})
}
