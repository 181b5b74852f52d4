package api_test

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"commonground/geo"
	"commonground/matching"
	"commonground/seed"
	"commonground/store"
	"commonground/store/storetest"
)

// The read model must hold exactly what the database holds: these tests
// write through the API (and around it), then compare the engine's View
// with the store's own lists, with a fresh snapshot, and with a second
// replica's engine that follows the same database. The views and their
// comparison are in consistency_view_test.go, the burst of writes in
// consistency_burst_test.go.

// TestReadModelMatchesStoreAfterBurst writes through the API from many
// goroutines at once, then checks the API's read model holds exactly
// what the database holds, and (on PostgreSQL) that a second replica's
// engine, following the same database in the background from a snapshot
// taken before the burst, catches up within two seconds.
func TestReadModelMatchesStoreAfterBurst(t *testing.T) {
	const workers = 8
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.URL(t, d)
			db := openStore(t, url)
			s := newServer(t, db)
			tax := seed.Taxonomy()

			var replica *matching.Engine
			if d == store.Postgres {
				replica = matching.NewEngine(tax, matching.EngineOptions{})
				f := &store.Follower{DB: openStore(t, url), Engine: replica}
				if err := f.Load(t.Context()); err != nil {
					t.Fatalf("load the replica: %v", err)
				}
				follow(t, f, 100*time.Millisecond)
			}

			done := burst(t, s, workers)
			lastWrite := time.Now()
			for _, op := range burstOps {
				if done[op] == 0 {
					t.Errorf("the burst made no %q write (made %v)", op, done)
				}
			}
			t.Logf("burst: %v", done)

			e := engineOf(t, s)
			got := e.View()
			want := storeView(t, db, tax)
			booked := 0
			for _, sp := range want.Spaces {
				booked += len(sp.Booked)
			}
			if len(want.Spaces) < 8 || len(want.Venues) < 8 || len(want.Organisations) < workers || done["booked confirmed"] < 3 {
				t.Errorf("the burst left %d organisations, %d venues, %d spaces, and confirmed %d bookings: too few to prove much",
					len(want.Organisations), len(want.Venues), len(want.Spaces), done["booked confirmed"])
			}
			t.Logf("%d booked sessions remain", booked)
			checkView(t, "the API's engine against the store's lists", got, want)
			checkView(t, "the API's engine against a fresh snapshot", got, snapshotView(t, db))
			checkIndex(t, e, got)

			// The lists served from the index agree with the store.
			ids, _ := s.walk(t, fmt.Sprintf("/v1/spaces?near=%v,%v&radius_km=1000&limit=17", cLat, cLon))
			var all []string
			for _, sp := range want.Spaces {
				all = append(all, sp.ID)
			}
			if !sameSet(ids, all) || hasDuplicates(ids) {
				t.Errorf("GET /v1/spaces?near= found %d spaces, want each of the %d once", len(ids), len(all))
			}

			if replica == nil {
				return
			}
			for {
				if viewDiff(replica.View(), got) == nil {
					t.Logf("the replica caught up %v after the last write", time.Since(lastWrite).Round(time.Millisecond))
					break
				}
				if time.Since(lastWrite) > 2*time.Second {
					checkView(t, "the replica, 2 s after the last write, against the API's engine", replica.View(), got)
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// TestReplicaWritesReachTheReadModel writes to the database through a
// second store, as another replica of the service would, and checks the
// API's read model sees it: within the follower's interval when it runs,
// and at once after CatchUp.
func TestReplicaWritesReachTheReadModel(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.SharedURL(t, d)
			db := openStore(t, url)
			other := openStore(t, url)
			s := newServer(t, db)
			e := engineOf(t, s)
			tax := seed.Taxonomy()
			ctx := t.Context()

			_, token := s.registerAt(t, "Mill Road Arts", cLat, cLon)
			venueID := s.venue(t, token, "Mill Road Depot", cLat, cLon)

			// Another replica adds a studio and moves the venue 3 km north.
			studio := &matching.Space{ID: uuid.Must(uuid.NewV7()).String(), VenueID: venueID, Name: "Replica Studio",
				Kind: "studio", Capacity: 30, FloorAreaM2: 110.5, CeilingHeightM: 4.2, Floor: matching.FloorSprung,
				Mirrors: true, Barres: true, ClimateControl: true, ProhibitedActivities: []string{"aerial"},
				Prices:       []matching.Price{{Tier: "standard", PencePerHour: 2500}},
				OpeningHours: []matching.OpeningHours{{Day: "tue", Opens: 9 * 60, Closes: 22 * 60}},
				// As spaceBody's: the test clock reads 2024, the sessions 2027.
				BookingHorizonDays: matching.MaxBookingHorizonDays,
				CreatedAt:          time.Now(), UpdatedAt: time.Now()}
			if err := other.CreateSpace(ctx, studio); err != nil {
				t.Fatalf("replica: create space: %v", err)
			}
			lat, lon := offset(cLat, cLon, 3, 0)
			_, err := other.UpdateVenue(ctx, venueID, func(v *matching.Venue) error {
				v.Location = geo.MustPoint(lat, lon)
				return nil
			})
			if err != nil {
				t.Fatalf("replica: move venue: %v", err)
			}

			t.Run("seen within the follower's interval", func(t *testing.T) {
				follow(t, s.follower, 100*time.Millisecond)
				want := storeView(t, db, tax)
				wrote := time.Now()
				for viewDiff(e.View(), want) != nil {
					if time.Since(wrote) > 2*time.Second {
						checkView(t, "the API's engine, 2 s after a replica's write", e.View(), want)
						return
					}
					time.Sleep(20 * time.Millisecond)
				}
				// Served from the index: near the new place, not the old.
				ids, _ := s.walk(t, fmt.Sprintf("/v1/spaces?near=%v,%v&radius_km=0.5", lat, lon))
				if !slices.Equal(ids, []string{studio.ID}) {
					t.Errorf("spaces near the venue's new place: got %v, want the replica's studio %s", ids, studio.ID)
				}
				status, _, m := s.do(t, "POST", "/v1/match/venues", "", matchBody("radius_km", 5))
				wantStatus(t, "match", status, http.StatusOK, m)
				if got := matchIDs(m); !slices.Equal(got, []string{studio.ID}) {
					t.Errorf("matches: got %v, want the replica's studio %s", got, studio.ID)
				}
			}) // the background follower stops here

			// Without the follower, the engine learns of a replica's write
			// when CatchUp runs (as after the API's own next write).
			if err := other.DeleteSpace(ctx, studio.ID); err != nil {
				t.Fatalf("replica: delete space: %v", err)
			}
			owner := &matching.Organisation{ID: uuid.Must(uuid.NewV7()).String(), Name: "Replica Trust", Type: matching.OrgCommunity,
				Location: geo.MustPoint(cLat, cLon), Practices: []string{"gambling-sponsorship"}, CreatedAt: time.Now(), UpdatedAt: time.Now()}
			if err := other.CreateOrganisation(ctx, owner, ""); err != nil {
				t.Fatalf("replica: create organisation: %v", err)
			}
			if _, _, n := e.Counts(); n != 1 {
				t.Fatalf("before CatchUp the engine holds %d spaces, want still the 1 the replica has since deleted", n)
			}
			s.catchUp(t)
			checkView(t, "the API's engine after CatchUp", e.View(), storeView(t, db, tax))
			if _, _, n := e.Counts(); n != 0 {
				t.Errorf("after CatchUp the engine holds %d spaces, want 0", n)
			}
		})
	}
}

// storeOnly hides the store's type from newServer, which then builds a
// server without a read model: lists are served by the store alone.
type storeOnly struct{ *store.DB }

// TestListsNearFromIndexMatchStore checks that GET /v1/spaces and
// /v1/venues with near, served from the read model's index, answer
// exactly as the store alone does, for every filter, page by page.
func TestListsNearFromIndexMatchStore(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		plain := newServer(t, storeOnly{db})
		places := s.fixture(t)
		first, second := places[0], places[1]
		nowhere := uuid.Must(uuid.NewV7()).String()
		near := fmt.Sprintf("near=%v,%v", cLat, cLon)
		paths := []string{
			"/v1/spaces?" + near,
			"/v1/spaces?" + near + "&radius_km=3",
			"/v1/spaces?" + near + "&radius_km=1000",
			"/v1/spaces?" + near + "&radius_km=1000&kind=hall",
			"/v1/spaces?" + near + "&radius_km=1000&kind=theatre",
			"/v1/spaces?" + near + "&radius_km=20&min_capacity=40",
			"/v1/spaces?" + near + "&radius_km=20&activity=aerial",
			"/v1/spaces?" + near + "&radius_km=20&activity=tap&kind=studio&min_capacity=15",
			"/v1/spaces?" + near + "&radius_km=20&venue_id=" + first.venueID,
			"/v1/spaces?" + near + "&radius_km=0.1&venue_id=" + second.venueID,
			"/v1/spaces?" + near + "&radius_km=20&organisation_id=" + second.orgID,
			"/v1/spaces?" + near + "&radius_km=20&organisation_id=" + second.orgID + "&venue_id=" + second.venueID + "&kind=hall",
			"/v1/spaces?" + near + "&radius_km=20&organisation_id=" + first.orgID + "&venue_id=" + second.venueID,
			"/v1/spaces?" + near + "&radius_km=20&venue_id=" + nowhere,
			"/v1/spaces?" + near + "&radius_km=20&organisation_id=" + nowhere,
			"/v1/venues/" + first.venueID + "/spaces?" + near + "&radius_km=20",
			"/v1/venues/" + first.venueID + "/spaces?" + near + "&radius_km=20&kind=studio",
			"/v1/venues?" + near,
			"/v1/venues?" + near + "&radius_km=1000",
			"/v1/venues?" + near + "&radius_km=1000&organisation_id=" + second.orgID,
			"/v1/venues?" + near + "&radius_km=0.1&organisation_id=" + second.orgID,
			"/v1/venues?" + near + "&radius_km=1000&organisation_id=" + nowhere,
		}
		for _, path := range paths {
			t.Run(path, func(t *testing.T) {
				for _, limit := range []string{"1", "3", "500"} {
					gotIDs, got := s.walk(t, path+"&limit="+limit)
					wantIDs, want := plain.walk(t, path+"&limit="+limit)
					if !slices.Equal(gotIDs, wantIDs) {
						t.Errorf("limit=%s: from the index %v, from the store %v", limit, gotIDs, wantIDs)
					} else if !reflect.DeepEqual(got, want) {
						t.Errorf("limit=%s: same items, different bodies:\n index %v\n store %v", limit, got, want)
					}
				}
			})
		}
	})
}
