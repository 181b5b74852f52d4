package matching_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/paulmach/orb"

	"commonground/geo"
	"commonground/matching"
)

// TestNearbyMatchesBruteForce checks the two-pass nearest selection
// against exact distances to every space, on a county with dense clusters
// (many spaces at one place, so only IDs break ties), for many centres,
// radii, limits and filters, walking every page with cursors. It also
// runs where the flat approximation is not used (near a pole, across the
// antimeridian) so both paths are held to the same answer, on the grid
// cells of a small model and of a large one.
func TestNearbyMatchesBruteForce(t *testing.T) {
	for _, place := range []struct {
		name   string
		centre orb.Point
	}{{"cambridge", cambridge}, {"near the pole", orb.Point{20, 89.3}}, {"antimeridian", orb.Point{179.99, -17}}} {
		for _, dense := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/dense=%v", place.name, dense), func(t *testing.T) {
				r := rand.New(rand.NewPCG(11, 12))
				var orgs []matching.Organisation
				var venues []matching.Venue
				var spaces []matching.Space
				for i := range 4 {
					orgs = append(orgs, matching.Organisation{ID: uuidN(1 + i), Name: fmt.Sprintf("Org %d", i), Type: matching.OrgArts, Location: place.centre})
				}
				for i := range 300 {
					loc := wrapOffset(place.centre, r.NormFloat64()*6, r.NormFloat64()*6)
					if i%4 == 3 {
						loc = venues[i-1].Location // shared places
					}
					venues = append(venues, matching.Venue{ID: uuidN(100 + i), OrganisationID: orgs[r.IntN(len(orgs))].ID,
						Name: fmt.Sprintf("Venue %d", i), Location: loc, Timezone: "Europe/London"})
				}
				for i := range 2000 {
					v := venues[r.IntN(len(venues))]
					spaces = append(spaces, matching.Space{ID: uuidN(10000 + i), VenueID: v.ID, Name: fmt.Sprintf("Space %d", i),
						Kind: matching.SpaceKinds[r.IntN(3)], Capacity: 5 + r.IntN(60), FloorAreaM2: 80, Floor: matching.FloorWood})
				}
				e := matching.NewEngine(viewTaxonomy(), matching.EngineOptions{})
				if dense {
					matching.SetDenseSpaces(e, 0)
				}
				loadView(t, e, 1, orgs, venues, spaces, nil)
				view := e.View()
				spaceAt := func(s matching.NearbySpace) geo.Ranked { return geo.Ranked{ID: s.ID, DistanceM: s.DistanceM} }
				venueAt := func(v matching.NearbyVenue) geo.Ranked { return geo.Ranked{ID: v.ID, DistanceM: v.DistanceM} }
				queries := 0
				for range 25 {
					centre := wrapOffset(place.centre, r.NormFloat64()*5, r.NormFloat64()*5)
					radius := []float64{300, 2000, 5000, 12000, 40000}[r.IntN(5)]
					minCap := []int{0, 0, 40, 63}[r.IntN(4)]
					for _, limit := range []int{1, 7, 50} {
						if limit == 1 && radius > 5000 {
							// Pages of one over the whole sample cost a walk a
							// space; wider pages cover the large radii.
							continue
						}
						q := matching.NearbyQuery{Centre: centre, RadiusM: radius, MinCapacity: minCap}
						var want []geo.Ranked
						for _, s := range view.Spaces {
							if d := geo.DistanceM(centre, s.Location); d <= radius && s.Capacity >= minCap {
								want = append(want, geo.Ranked{ID: s.ID, DistanceM: d})
							}
						}
						sort.Slice(want, func(i, j int) bool { return want[i].Less(want[j]) })
						if got := walkNearby(t, q, limit, e.NearbySpaces, spaceAt); !slices.Equal(got, want) {
							t.Fatalf("spaces within %.0f m of %v (capacity ≥ %d), %d a page: got %d, want %d\n got %v\nwant %v",
								radius, centre, minCap, limit, len(got), len(want), head(got), head(want))
						}
						want = want[:0]
						for _, v := range view.Venues {
							if d := geo.DistanceM(centre, v.Location); d <= radius {
								want = append(want, geo.Ranked{ID: v.ID, DistanceM: d})
							}
						}
						sort.Slice(want, func(i, j int) bool { return want[i].Less(want[j]) })
						q.MinCapacity = 0
						if got := walkNearby(t, q, limit, e.NearbyVenues, venueAt); !slices.Equal(got, want) {
							t.Fatalf("venues within %.0f m of %v, %d a page: got %d, want %d", radius, centre, limit, len(got), len(want))
						}
						queries++
					}
				}
				t.Logf("%d queries, every page equal to a brute-force ranking", queries)
			})
		}
	}
}

func head(rs []geo.Ranked) []geo.Ranked { return rs[:min(len(rs), 5)] }

// wrapOffset moves p north and east by kilometres, wrapping longitude
// across the antimeridian and stopping short of the pole.
func wrapOffset(p orb.Point, northKm, eastKm float64) orb.Point {
	lat := min(89.99, max(-89.99, p[1]+northKm/111.195))
	lon := p[0] + eastKm/(111.195*math.Cos(lat*math.Pi/180))
	for lon >= 180 {
		lon -= 360
	}
	for lon < -180 {
		lon += 360
	}
	return geo.MustPoint(lat, lon)
}
