package api_test

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"commonground/store"
)

// place is one organisation of the list fixture, with its venue and two
// spaces at its base.
type place struct {
	northKm, eastKm float64
	orgType         string
	offers, needs   []string

	lat, lon         float64
	orgID, token     string
	venueID          string
	hallID, studioID string
	hallCap          int
	studioBansAerial bool
}

// fixture registers organisations around the centre, each with a venue
// holding a studio and a hall. The spaces of one venue share a location,
// so rankings have ties that only the ID breaks.
func (s *server) fixture(t *testing.T) []*place {
	t.Helper()
	places := []*place{
		{northKm: 0.3, eastKm: 0.2, orgType: "arts", offers: []string{"skill.dance-teaching"}},
		{northKm: -1, eastKm: 0.5, orgType: "youth_service", needs: []string{"skill.dance-teaching"}},
		{northKm: 2, eastKm: -1.5, orgType: "community", offers: []string{"space.hall"}, needs: []string{"skill.bid-writing"}},
		{northKm: 0, eastKm: 3.2, orgType: "arts", offers: []string{"skill.dance-teaching", "skill.marketing"}},
		{northKm: -4, eastKm: -2, orgType: "school", offers: []string{"space.hall"}},
		{northKm: 5.5, eastKm: 1, orgType: "youth_service", needs: []string{"skill.bid-writing", "space.dance-studio"}},
		{northKm: -6.9, eastKm: 6.9, orgType: "council", offers: []string{"skill.bid-writing"}},
		{northKm: 9.8, eastKm: 0, orgType: "arts", needs: []string{"space.dance-studio"}},
		{northKm: 0, eastKm: -10.3, orgType: "community"}, // just outside 10 km
		{northKm: 12, eastKm: 5, orgType: "arts", offers: []string{"skill.dance-teaching"}},
		{northKm: -30, eastKm: 0, orgType: "youth_service", needs: []string{"skill.dance-teaching"}},
		{northKm: 60, eastKm: 60, orgType: "health"},
	}
	for i, p := range places {
		p.lat, p.lon = offset(cLat, cLon, p.northKm, p.eastKm)
		body := orgBody(fmt.Sprintf("Org %02d", i), p.lat, p.lon)
		body["type"] = p.orgType
		body["offers"] = items(p.offers)
		body["needs"] = items(p.needs)
		p.orgID, p.token = s.register(t, body)
		p.venueID = s.venue(t, p.token, fmt.Sprintf("Venue %02d", i), p.lat, p.lon)
		p.studioBansAerial = i%3 == 0
		prohibited := []string{}
		if p.studioBansAerial {
			prohibited = []string{"aerial", "tap"}
		}
		p.studioID = s.space(t, p.token, p.venueID, with(spaceBody(fmt.Sprintf("Studio %02d", i)),
			"capacity", 15, "prohibited_activities", prohibited)).ID
		p.hallCap = 10 * (i + 1)
		p.hallID = s.space(t, p.token, p.venueID, with(spaceBody(fmt.Sprintf("Hall %02d", i)),
			"kind", "hall", "capacity", p.hallCap, "prohibited_activities", []string{})).ID
	}
	return places
}

func items(categories []string) []any {
	out := []any{}
	for _, c := range categories {
		out = append(out, map[string]any{"category": c, "hours_per_month": 4})
	}
	return out
}

func (p *place) distanceKm() float64 { return distanceKm(cLat, cLon, p.lat, p.lon) }

// checkRanked checks items are within radius of the centre, nearest first,
// each with a distance_km that is its true distance.
func checkRanked(t *testing.T, what string, items []map[string]any, radiusKm float64) {
	t.Helper()
	prev := -1.0
	for i, it := range items {
		loc := it["location"].(map[string]any)
		true_ := distanceKm(cLat, cLon, loc["lat"].(float64), loc["lon"].(float64))
		d, ok := it["distance_km"].(float64)
		if !ok {
			t.Errorf("%s: item %d has no distance_km", what, i)
			continue
		}
		if math.Abs(d-true_) > 0.001 {
			t.Errorf("%s: item %d: got distance_km %v, want %.3f", what, i, d, true_)
		}
		if d > radiusKm {
			t.Errorf("%s: item %d at %v km, outside %v km", what, i, d, radiusKm)
		}
		if d < prev {
			t.Errorf("%s: item %d at %v km after one at %v km, want nearest first", what, i, d, prev)
		}
		prev = d
	}
}

func TestListsNear(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		places := s.fixture(t)
		for _, radius := range []float64{0.5, 3, 10, 35, 1000} {
			var wantOrgs, wantVenues, wantSpaces []string
			for _, p := range places {
				if p.distanceKm() <= radius {
					wantOrgs = append(wantOrgs, p.orgID)
					wantVenues = append(wantVenues, p.venueID)
					wantSpaces = append(wantSpaces, p.hallID, p.studioID)
				}
			}
			for _, c := range []struct {
				list string
				want []string
			}{
				{"organisations", wantOrgs},
				{"venues", wantVenues},
				{"spaces", wantSpaces},
			} {
				t.Run(fmt.Sprintf("%s within %v km", c.list, radius), func(t *testing.T) {
					path := fmt.Sprintf("/v1/%s?near=%v,%v&radius_km=%v", c.list, cLat, cLon, radius)
					allIDs, all := s.walk(t, path+"&limit=500")
					checkRanked(t, path, all, radius)
					if !sameSet(allIDs, c.want) {
						t.Errorf("got %d items %v, want %d %v", len(allIDs), allIDs, len(c.want), c.want)
					}
					for _, limit := range []int{1, 2, 3, 7} {
						ids, items := s.walk(t, fmt.Sprintf("%s&limit=%d", path, limit))
						if !slices.Equal(ids, allIDs) {
							t.Errorf("limit=%d: walked %v, want %v", limit, ids, allIDs)
						}
						if hasDuplicates(ids) {
							t.Errorf("limit=%d: an item came twice: %v", limit, ids)
						}
						checkRanked(t, path, items, radius)
					}
				})
			}
		}
		t.Run("default radius is 10 km", func(t *testing.T) {
			ids, _ := s.walk(t, fmt.Sprintf("/v1/venues?near=%v,%v", cLat, cLon))
			want, _ := s.walk(t, fmt.Sprintf("/v1/venues?near=%v,%v&radius_km=10", cLat, cLon))
			if !slices.Equal(ids, want) || len(ids) != 8 {
				t.Errorf("got %v, want the 8 venues within 10 km %v", ids, want)
			}
		})
	})
}

func TestListsInIDOrder(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		places := s.fixture(t)
		var orgs, venues, spaces []string
		for _, p := range places {
			orgs = append(orgs, p.orgID)
			venues = append(venues, p.venueID)
			spaces = append(spaces, p.hallID, p.studioID)
		}
		for _, c := range []struct {
			list string
			want []string
		}{
			{"organisations", orgs},
			{"venues", venues},
			{"spaces", spaces},
		} {
			want := slices.Clone(c.want)
			sort.Strings(want)
			for _, limit := range []string{"", "limit=1", "limit=5", "limit=12", "limit=500"} {
				t.Run(c.list+" "+limit, func(t *testing.T) {
					path := "/v1/" + c.list
					if limit != "" {
						path += "?" + limit
					}
					ids, items := s.walk(t, path)
					if !slices.Equal(ids, want) {
						t.Errorf("got %v, want every item once in ID order %v", ids, want)
					}
					for _, it := range items {
						if _, ok := it["distance_km"]; ok {
							t.Errorf("item %v has a distance_km without near", it["id"])
						}
					}
				})
			}
		}
		t.Run("page sizes", func(t *testing.T) {
			m := s.get(t, "/v1/spaces?limit=5", "")
			if n := len(m["items"].([]any)); n != 5 || m["next_cursor"] == nil {
				t.Errorf("first page: got %d items, next_cursor %v, want 5 and a cursor", n, m["next_cursor"])
			}
			m = s.get(t, "/v1/spaces?limit=24", "")
			if n := len(m["items"].([]any)); n != 24 || m["next_cursor"] != nil {
				t.Errorf("exact page: got %d items, next_cursor %v, want 24 and null", n, m["next_cursor"])
			}
			m = s.get(t, "/v1/spaces", "")
			if n := len(m["items"].([]any)); n != 24 || m["next_cursor"] != nil {
				t.Errorf("default page: got %d items, next_cursor %v, want all 24 and null", n, m["next_cursor"])
			}
		})
	})
}

func TestListFilters(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		places := s.fixture(t)
		pick := func(keep func(p *place) bool, id func(p *place) []string) []string {
			out := []string{}
			for _, p := range places {
				if keep(p) {
					out = append(out, id(p)...)
				}
			}
			return out
		}
		org := func(p *place) []string { return []string{p.orgID} }
		venue := func(p *place) []string { return []string{p.venueID} }
		hall := func(p *place) []string { return []string{p.hallID} }
		studio := func(p *place) []string { return []string{p.studioID} }
		both := func(p *place) []string { return []string{p.hallID, p.studioID} }
		all := func(*place) bool { return true }
		within := func(km float64) func(p *place) bool { return func(p *place) bool { return p.distanceKm() <= km } }
		near := fmt.Sprintf("near=%v,%v&radius_km=10", cLat, cLon)
		first := places[0]

		for _, c := range []struct {
			path string
			want []string
		}{
			{"/v1/organisations?type=youth_service", pick(func(p *place) bool { return p.orgType == "youth_service" }, org)},
			{"/v1/organisations?type=health", pick(func(p *place) bool { return p.orgType == "health" }, org)},
			{"/v1/organisations?type=faith", []string{}},
			{"/v1/organisations?offers=skill.dance-teaching", pick(func(p *place) bool { return slices.Contains(p.offers, "skill.dance-teaching") }, org)},
			{"/v1/organisations?needs=skill.bid-writing", pick(func(p *place) bool { return slices.Contains(p.needs, "skill.bid-writing") }, org)},
			{"/v1/organisations?offers=space.hall&needs=skill.bid-writing", pick(func(p *place) bool {
				return slices.Contains(p.offers, "space.hall") && slices.Contains(p.needs, "skill.bid-writing")
			}, org)},
			{"/v1/organisations?type=arts&offers=skill.dance-teaching&" + near, pick(func(p *place) bool {
				return p.orgType == "arts" && slices.Contains(p.offers, "skill.dance-teaching") && p.distanceKm() <= 10
			}, org)},
			{"/v1/venues?organisation_id=" + first.orgID, []string{first.venueID}},
			{"/v1/venues?" + near, pick(within(10), venue)},
			{"/v1/spaces?kind=hall", pick(all, hall)},
			{"/v1/spaces?kind=studio&" + near, pick(within(10), studio)},
			{"/v1/spaces?kind=theatre", []string{}},
			{"/v1/spaces?min_capacity=50", pick(func(p *place) bool { return p.hallCap >= 50 }, hall)},
			{"/v1/spaces?min_capacity=15", append(pick(all, studio), pick(func(p *place) bool { return p.hallCap >= 15 }, hall)...)},
			{"/v1/spaces?min_capacity=16&kind=studio", []string{}},
			// Sprung floors and no rigging: tap is kept out by a ban alone.
			{"/v1/spaces?activity=tap", append(pick(all, hall), pick(func(p *place) bool { return !p.studioBansAerial }, studio)...)},
			{"/v1/spaces?activity=ballet", pick(all, both)},
			{"/v1/spaces?activity=tap&kind=studio&" + near, pick(func(p *place) bool { return !p.studioBansAerial && p.distanceKm() <= 10 }, studio)},
			{"/v1/spaces?venue_id=" + first.venueID, both(first)},
			{"/v1/spaces?organisation_id=" + first.orgID, both(first)},
			{"/v1/venues/" + first.venueID + "/spaces?kind=hall", hall(first)},
		} {
			t.Run(c.path, func(t *testing.T) {
				for _, limit := range []string{"2", "500"} {
					ids, items := s.walk(t, c.path+"&limit="+limit)
					if !sameSet(ids, c.want) || hasDuplicates(ids) {
						t.Errorf("limit=%s: got %d %v, want %d %v", limit, len(ids), ids, len(c.want), c.want)
					}
					if strings.Contains(c.path, "near=") {
						checkRanked(t, c.path, items, 10)
					}
				}
			})
		}
	})
}
