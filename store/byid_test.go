package store_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/uuid"

	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

func TestSpacesAndVenuesByID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		o := newOrg("Many Rooms", 52.2, 0.12)
		createOrg(t, db, &o, "")
		var venues []matching.Venue
		var spaces []matching.Space
		for i := range 3 {
			v := newVenue(o.ID, fmt.Sprintf("Venue %d", i), 52.2+float64(i)/100, 0.12)
			venues = append(venues, v)
		}
		// More than one query's worth (500 IDs) of spaces.
		for i := range 600 {
			v := venues[i%len(venues)]
			s := newSpace(v.ID, fmt.Sprintf("Room %d", i))
			s.OrganisationID, s.Location = o.ID, v.Location
			spaces = append(spaces, s)
		}
		if err := db.InsertBatch(ctx, nil, venues, spaces); err != nil {
			t.Fatalf("insert batch: %v", err)
		}

		r := rand.New(rand.NewPCG(1, 2))
		var want []string
		for _, i := range r.Perm(len(spaces))[:560] {
			want = append(want, spaces[i].ID)
		}
		ask := slices.Clone(want)
		ask = slices.Insert(ask, 10, uuid.NewString())
		ask = append(ask, uuid.NewString())
		got, err := db.SpacesByID(ctx, ask)
		if err != nil {
			t.Fatalf("SpacesByID: %v", err)
		}
		if ids := spaceIDs(got); !slices.Equal(ids, want) {
			t.Fatalf("got %d spaces, want the %d that exist, in the order asked", len(ids), len(want))
		}
		for _, i := range []int{0, 499, 500, 559} {
			one, err := db.GetSpace(ctx, got[i].ID)
			if err != nil {
				t.Fatalf("GetSpace: %v", err)
			}
			checkSpace(t, &got[i], one)
		}

		vs, err := db.VenuesByID(ctx, []string{venues[2].ID, uuid.NewString(), venues[0].ID})
		if err != nil {
			t.Fatalf("VenuesByID: %v", err)
		}
		if ids := venueIDs(vs); !slices.Equal(ids, []string{venues[2].ID, venues[0].ID}) {
			t.Fatalf("got venues %v, want %s then %s", ids, venues[2].ID, venues[0].ID)
		}
		one, err := db.GetVenue(ctx, venues[2].ID)
		if err != nil {
			t.Fatalf("GetVenue: %v", err)
		}
		checkVenue(t, &vs[0], one)

		for _, ids := range [][]string{nil, {}, {uuid.NewString()}} {
			if got, err := db.SpacesByID(ctx, ids); err != nil || len(got) != 0 {
				t.Errorf("SpacesByID(%v): got %v, %v; want none", ids, got, err)
			}
			if got, err := db.VenuesByID(ctx, ids); err != nil || len(got) != 0 {
				t.Errorf("VenuesByID(%v): got %v, %v; want none", ids, got, err)
			}
		}
	})
}
