package matching_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"commonground/geo"
	"commonground/matching"
)

// nearbyModel is a small random county: 6 organisations, 15 venues and
// 60 spaces within 12 km of Cambridge, some venues sharing a place so
// rankings have ties only the ID breaks.
func nearbyModel(t *testing.T) (*matching.Engine, matching.View) {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 7))
	var orgs []matching.Organisation
	var venues []matching.Venue
	var spaces []matching.Space
	for i := range 6 {
		orgs = append(orgs, matching.Organisation{ID: uuidN(1 + i), Name: fmt.Sprintf("Org %d", i), Type: matching.OrgArts, Location: cambridge})
	}
	for i := range 15 {
		loc := offsetKm(cambridge, r.Float64()*24-12, r.Float64()*24-12)
		if i%5 == 4 {
			loc = venues[i-1].Location
		}
		venues = append(venues, matching.Venue{ID: uuidN(100 + i), OrganisationID: orgs[r.IntN(len(orgs))].ID,
			Name: fmt.Sprintf("Venue %d", i), Location: loc, Timezone: "Europe/London"})
	}
	for i := range 60 {
		v := venues[r.IntN(len(venues))]
		var prohibited []string
		if r.IntN(3) == 0 {
			prohibited = []string{"aerial"}
		}
		spaces = append(spaces, matching.Space{ID: uuidN(1000 + i), VenueID: v.ID, Name: fmt.Sprintf("Space %d", i),
			Kind: matching.SpaceKinds[r.IntN(3)], Capacity: 5 + r.IntN(60), FloorAreaM2: 80, Floor: matching.FloorWood,
			ProhibitedActivities: prohibited})
	}
	e := matching.NewEngine(viewTaxonomy(), matching.EngineOptions{})
	loadView(t, e, 1, orgs, venues, spaces, nil)
	return e, e.View()
}

// walkNearby pages through a query limit at a time and returns the IDs
// and distances in order.
func walkNearby[T any](t *testing.T, q matching.NearbyQuery, limit int, find func(matching.NearbyQuery) ([]T, bool),
	at func(T) geo.Ranked) []geo.Ranked {
	t.Helper()
	q.Limit = limit
	var out []geo.Ranked
	for pages := 0; ; pages++ {
		if pages > 5000 {
			t.Fatalf("more than 5000 pages")
		}
		items, more := find(q)
		for _, it := range items {
			out = append(out, at(it))
		}
		if !more {
			return out
		}
		if len(items) == 0 {
			t.Fatalf("an empty page says more remain")
		}
		last := out[len(out)-1]
		q.After = &last
	}
}

func TestNearbyFilters(t *testing.T) {
	e, view := nearbyModel(t)
	centre := offsetKm(cambridge, 1, -1)
	someVenue, someOrg := view.Venues[3], view.Organisations[2]
	otherOrg := view.Organisations[0].ID
	if otherOrg == someVenue.OrganisationID {
		otherOrg = view.Organisations[1].ID
	}
	spaceAt := func(s matching.NearbySpace) geo.Ranked { return geo.Ranked{ID: s.ID, DistanceM: s.DistanceM} }
	venueAt := func(v matching.NearbyVenue) geo.Ranked { return geo.Ranked{ID: v.ID, DistanceM: v.DistanceM} }
	// oracle ranks the View's records that keep passes, by true distance.
	oracle := func(radiusM float64, n int, at func(i int) (string, bool, float64)) []geo.Ranked {
		var out []geo.Ranked
		for i := range n {
			id, keep, d := at(i)
			if keep && d <= radiusM {
				out = append(out, geo.Ranked{ID: id, DistanceM: d})
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
		return out
	}

	spaceCases := []struct {
		name string
		q    matching.NearbyQuery
		keep func(s matching.SpaceView) bool
	}{
		{"all", matching.NearbyQuery{RadiusM: 50e3}, func(matching.SpaceView) bool { return true }},
		{"within 5 km", matching.NearbyQuery{RadiusM: 5e3}, func(matching.SpaceView) bool { return true }},
		{"halls", matching.NearbyQuery{RadiusM: 50e3, Kind: "hall"}, func(s matching.SpaceView) bool { return s.Kind == "hall" }},
		{"theatres", matching.NearbyQuery{RadiusM: 50e3, Kind: "theatre"}, func(s matching.SpaceView) bool { return s.Kind == "theatre" }},
		{"unknown kind", matching.NearbyQuery{RadiusM: 50e3, Kind: "ballroom"}, func(matching.SpaceView) bool { return false }},
		{"aerial for 30", matching.NearbyQuery{RadiusM: 50e3, Activity: "aerial", MinCapacity: 30}, func(s matching.SpaceView) bool {
			return s.Capacity >= 30 && !breaksActivityRule(spaceOfView(s), "aerial", 30, false)
		}},
		{"tap for 10", matching.NearbyQuery{RadiusM: 50e3, Activity: "tap", MinCapacity: 10}, func(s matching.SpaceView) bool {
			return s.Capacity >= 10 && !breaksActivityRule(spaceOfView(s), "tap", 10, false)
		}},
		{"one venue", matching.NearbyQuery{RadiusM: 50e3, VenueID: someVenue.ID}, func(s matching.SpaceView) bool { return s.VenueID == someVenue.ID }},
		{"one venue within 1 m", matching.NearbyQuery{RadiusM: 1, VenueID: someVenue.ID}, func(s matching.SpaceView) bool { return false }},
		{"one venue and its owner", matching.NearbyQuery{RadiusM: 50e3, VenueID: someVenue.ID, OrganisationID: someVenue.OrganisationID},
			func(s matching.SpaceView) bool { return s.VenueID == someVenue.ID }},
		{"one venue and another owner", matching.NearbyQuery{RadiusM: 50e3, VenueID: someVenue.ID, OrganisationID: otherOrg},
			func(matching.SpaceView) bool { return false }},
		{"one owner's studios", matching.NearbyQuery{RadiusM: 50e3, OrganisationID: someOrg.ID, Kind: "studio"},
			func(s matching.SpaceView) bool { return s.OrganisationID == someOrg.ID && s.Kind == "studio" }},
		{"unknown venue", matching.NearbyQuery{RadiusM: 50e3, VenueID: uuidN(999999)}, func(matching.SpaceView) bool { return false }},
		{"venue id not a UUID", matching.NearbyQuery{RadiusM: 50e3, VenueID: "venue-1"}, func(matching.SpaceView) bool { return false }},
		{"unknown owner", matching.NearbyQuery{RadiusM: 50e3, OrganisationID: uuidN(999999)}, func(matching.SpaceView) bool { return false }},
	}
	for _, c := range spaceCases {
		t.Run("spaces/"+c.name, func(t *testing.T) {
			c.q.Centre = centre
			want := oracle(c.q.RadiusM, len(view.Spaces), func(i int) (string, bool, float64) {
				s := view.Spaces[i]
				return s.ID, c.keep(s), geo.DistanceM(centre, s.Location)
			})
			for _, limit := range []int{0, 1, 4, 100} {
				got := walkNearby(t, c.q, limit, e.NearbySpaces, spaceAt)
				if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
					t.Errorf("limit %d: got %v, want %v", limit, got, want)
				}
			}
		})
	}

	venueCases := []struct {
		name string
		q    matching.NearbyQuery
		keep func(v matching.VenueView) bool
	}{
		{"all", matching.NearbyQuery{RadiusM: 50e3}, func(matching.VenueView) bool { return true }},
		{"within 4 km", matching.NearbyQuery{RadiusM: 4e3}, func(matching.VenueView) bool { return true }},
		{"one owner", matching.NearbyQuery{RadiusM: 50e3, OrganisationID: someOrg.ID}, func(v matching.VenueView) bool { return v.OrganisationID == someOrg.ID }},
		{"one owner within 9 km", matching.NearbyQuery{RadiusM: 9e3, OrganisationID: someOrg.ID}, func(v matching.VenueView) bool { return v.OrganisationID == someOrg.ID }},
		{"unknown owner", matching.NearbyQuery{RadiusM: 50e3, OrganisationID: uuidN(999999)}, func(matching.VenueView) bool { return false }},
	}
	for _, c := range venueCases {
		t.Run("venues/"+c.name, func(t *testing.T) {
			c.q.Centre = centre
			want := oracle(c.q.RadiusM, len(view.Venues), func(i int) (string, bool, float64) {
				v := view.Venues[i]
				return v.ID, c.keep(v), geo.DistanceM(centre, v.Location)
			})
			for _, limit := range []int{0, 1, 4, 100} {
				got := walkNearby(t, c.q, limit, e.NearbyVenues, venueAt)
				if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
					t.Errorf("limit %d: got %v, want %v", limit, got, want)
				}
			}
		})
	}
}
