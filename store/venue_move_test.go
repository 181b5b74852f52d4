package store_test

import (
	"fmt"
	"sync"
	"testing"

	"commonground/geo"
	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

// TestSpacesCreatedWhileTheirVenueMoves creates spaces in a venue while
// the venue moves: after each round every space must be where its venue
// is (a space created during a move once kept the old place on
// PostgreSQL).
func TestSpacesCreatedWhileTheirVenueMoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		o := newOrg("Movers", 52.2, 0.12)
		createOrg(t, db, &o, "")
		v := newVenue(o.ID, "Travelling Hall", 52.2, 0.12)
		createVenue(t, db, &v)

		const rounds, creates = 30, 4
		for round := range rounds {
			var wg sync.WaitGroup
			errs := make(chan error, creates+1)
			for i := range creates {
				wg.Go(func() {
					s := newSpace(v.ID, fmt.Sprintf("Room %d.%d", round, i))
					errs <- db.CreateSpace(ctx, &s)
				})
			}
			wg.Go(func() {
				moved := v
				moved.Location = geo.MustPoint(52.2+float64(round+1)/1000, 0.12)
				errs <- saveVenue(ctx, db, &moved)
			})
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
			final, err := db.GetVenue(ctx, v.ID)
			if err != nil {
				t.Fatalf("get venue: %v", err)
			}
			spaces, err := db.ListSpaces(ctx, matching.SpaceFilter{VenueID: v.ID})
			if err != nil {
				t.Fatalf("list spaces: %v", err)
			}
			if len(spaces) != (round+1)*creates {
				t.Fatalf("round %d: got %d spaces, want %d", round, len(spaces), (round+1)*creates)
			}
			for _, s := range spaces {
				if s.Location != final.Location {
					t.Fatalf("round %d: space %s at %v, want its venue's place %v", round, s.Name, s.Location, final.Location)
				}
			}
		}
	})
}
