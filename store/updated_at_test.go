package store_test

import (
	"context"
	"testing"
	"time"

	"commonground/store"
)

// TestUpdateReportsStoredUpdatedAt checks that after an update the value
// passed in carries the updated_at the row now holds, so an API answer and
// a later read agree.
func TestUpdateReportsStoredUpdatedAt(t *testing.T) {
	clock := time.Date(2027, 3, 1, 12, 0, 0, 123456789, time.UTC)
	eachWithClock(t, clock, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := newOrg("Clockwork Dance", 52.2, 0.12)
		createOrg(t, db, &o, "")
		v := newVenue(o.ID, "Clock Hall", 52.2, 0.12)
		createVenue(t, db, &v)
		s := newSpace(v.ID, "Clock Room")
		createSpace(t, db, &s)

		// Whatever updated_at the caller passes in, none or a stale one,
		// the store's clock stamps the row.
		for _, passed := range []struct {
			name string
			at   time.Time
		}{{"none", time.Time{}}, {"stale", time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)}} {
			t.Run(passed.name, func(t *testing.T) {
				o.UpdatedAt, v.UpdatedAt, s.UpdatedAt = passed.at, passed.at, passed.at
				if err := saveOrganisation(ctx, db, &o); err != nil {
					t.Fatal(err)
				}
				if err := saveVenue(ctx, db, &v); err != nil {
					t.Fatal(err)
				}
				if err := saveSpace(ctx, db, &s); err != nil {
					t.Fatal(err)
				}
				gotO, _ := db.GetOrganisation(ctx, o.ID)
				gotV, _ := db.GetVenue(ctx, v.ID)
				gotS, _ := db.GetSpace(ctx, s.ID)
				want := clock.Truncate(time.Microsecond)
				for _, c := range []struct {
					what           string
					passed, stored time.Time
				}{{"organisation", o.UpdatedAt, gotO.UpdatedAt}, {"venue", v.UpdatedAt, gotV.UpdatedAt}, {"space", s.UpdatedAt, gotS.UpdatedAt}} {
					if !c.passed.Equal(c.stored) || !c.stored.Equal(want) {
						t.Errorf("%s: value passed in has updated_at %v, stored %v, want both %v", c.what, c.passed, c.stored, want)
					}
				}
			})
		}
	})
}
