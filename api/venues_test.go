package api_test

import (
	"net/http"
	"reflect"
	"testing"

	"commonground/api"
	"commonground/store"
)

func TestCreateVenue(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		orgID, token := s.registerAt(t, "Hall keepers", cLat, cLon)
		for _, c := range []struct {
			name     string
			timezone any
			wantTZ   string
		}{
			{"default time zone", nil, "Europe/London"},
			{"explicit time zone", "Europe/Paris", "Europe/Paris"},
		} {
			t.Run(c.name, func(t *testing.T) {
				body := with(venueBody("St Barnabas Hall", 52.1990, 0.1380), "timezone", c.timezone)
				status, h, m := s.do(t, "POST", "/v1/venues", token, body)
				wantStatus(t, "POST /v1/venues", status, http.StatusCreated, m)
				v := as[api.Venue](t, m)
				want := api.Venue{
					ID: v.ID, OrganisationID: orgID, Name: "St Barnabas Hall", Address: "1 Mill Road, Cambridge",
					Postcode: "CB1 2AD", Location: api.Location{Lat: 52.1990, Lon: 0.1380}, Timezone: c.wantTZ,
					Accessibility: api.Accessibility{StepFree: true, AccessibleToilet: true},
					CreatedAt:     v.CreatedAt, UpdatedAt: v.UpdatedAt,
				}
				if v.ID == "" || v.CreatedAt == "" || !reflect.DeepEqual(v, want) {
					t.Errorf("POST answer:\n got %+v\nwant %+v", v, want)
				}
				if got := h.Get("Location"); got != "/v1/venues/"+v.ID {
					t.Errorf("Location: got %q, want /v1/venues/%s", got, v.ID)
				}
				if got := as[api.Venue](t, s.get(t, "/v1/venues/"+v.ID, "")); !reflect.DeepEqual(got, v) {
					t.Errorf("GET:\n got %+v\nwant %+v", got, v)
				}
			})
		}
		t.Run("bad fields", func(t *testing.T) {
			for _, c := range []struct {
				name  string
				body  map[string]any
				field string
			}{
				{"unknown time zone", with(venueBody("V", cLat, cLon), "timezone", "Mars/Olympus_Mons"), "timezone"},
				{"Local time zone", with(venueBody("V", cLat, cLon), "timezone", "Local"), "timezone"},
				{"no name", with(venueBody("V", cLat, cLon), "name", nil), "name"},
				{"no location", with(venueBody("V", cLat, cLon), "location", nil, "postcode", nil), "location"},
				{"no location, unknown postcode", with(venueBody("V", cLat, cLon), "location", nil), "postcode"},
				{"no location, not a postcode", with(venueBody("V", cLat, cLon), "location", nil, "postcode", "Mill Road"), "postcode"},
				{"no lon", with(venueBody("V", cLat, cLon), "location", map[string]any{"lat": 52}), "location.lon"},
				{"lat 91", with(venueBody("V", cLat, cLon), "location", map[string]any{"lat": 91, "lon": 0}), "location.lat"},
				{"lon -181", with(venueBody("V", cLat, cLon), "location", map[string]any{"lat": 0, "lon": -181}), "location.lon"},
				{"someone else's organisation_id", with(venueBody("V", cLat, cLon), "organisation_id", "x"), ""},
			} {
				t.Run(c.name, func(t *testing.T) {
					status, _, m := s.do(t, "POST", "/v1/venues", token, c.body)
					if c.field == "" {
						wantStatus(t, c.name, status, http.StatusForbidden, m)
						return
					}
					wantStatus(t, c.name, status, http.StatusBadRequest, m)
					if _, ok := fieldMessage(problem(t, m), c.field); !ok {
						t.Errorf("got fields %v, want %s", fieldNames(problem(t, m)), c.field)
					}
				})
			}
			if n := len(s.get(t, "/v1/venues?organisation_id="+orgID, "")["items"].([]any)); n != 2 {
				t.Errorf("after the bad requests: got %d venues, want the 2 made before", n)
			}
		})
	})
}

// profile is a dance profile: the fields the fit-to-dance rubric reads.
type profile struct {
	floor                                  string
	area                                   float64
	climate, obstructions, barres, mirrors bool
}

func (p profile) body(name string) map[string]any {
	return with(spaceBody(name), "floor", p.floor, "floor_area_m2", p.area, "climate_control", p.climate,
		"obstructions", p.obstructions, "barres", p.barres, "mirrors", p.mirrors)
}

func TestFitToDance(t *testing.T) {
	// The rubric: start at 5; −2 for a floor that is not sprung (−1 if
	// semi-sprung); −1 below 75 m²; −1 without climate control; −1 for an
	// obstruction; −1 with neither barres nor mirrors; never below 0.
	cases := []struct {
		name string
		p    profile
		want int
	}{
		{"ideal studio", profile{"sprung", 120, true, false, false, true}, 5},
		{"75 m² is large enough", profile{"sprung", 75, true, false, true, false}, 5},
		{"just under 75 m²", profile{"sprung", 74.9, true, false, true, true}, 4},
		{"semi-sprung 60 m²", profile{"semi_sprung", 60, true, false, true, true}, 3},
		{"semi-sprung large", profile{"semi_sprung", 200, true, false, false, true}, 4},
		{"wood floor", profile{"wood", 100, true, false, true, false}, 3},
		{"vinyl with a pillar, no climate", profile{"vinyl", 80, false, true, false, true}, 1},
		{"sprung but nothing else", profile{"sprung", 40, false, true, false, false}, 1},
		{"concrete, small, bare", profile{"concrete", 50, false, false, false, false}, 0},
		{"carpet small no climate obstruction bare", profile{"carpet", 30, false, true, false, false}, 0},
		{"other floor, large", profile{"other", 90, true, false, true, true}, 3},
	}
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		_, token := s.registerAt(t, "Studios", cLat, cLon)
		venueID := s.venue(t, token, "Studio block", cLat, cLon)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				sp := s.space(t, token, venueID, c.p.body(c.name))
				if sp.FitToDance != c.want {
					t.Errorf("POST: got fit_to_dance %d, want %d", sp.FitToDance, c.want)
				}
				got := as[api.Space](t, s.get(t, "/v1/spaces/"+sp.ID, ""))
				if got.FitToDance != c.want {
					t.Errorf("GET: got fit_to_dance %d, want %d", got.FitToDance, c.want)
				}
				lost := 0
				for _, l := range got.FitToDanceBreakdown {
					lost += l.StarsLost
					if l.Criterion == "" || l.Detail == "" || l.StarsLost < 1 {
						t.Errorf("breakdown entry %+v: want a criterion, a detail and at least one star", l)
					}
				}
				if want := 5 - c.want; lost != want && c.want > 0 {
					t.Errorf("breakdown %+v loses %d stars, want %d", got.FitToDanceBreakdown, lost, want)
				}
			})
		}
		t.Run("recomputed on PATCH", func(t *testing.T) {
			sp := s.space(t, token, venueID, profile{"sprung", 120, true, false, true, true}.body("Changing"))
			for _, c := range []struct {
				patch map[string]any
				want  int
			}{
				{map[string]any{"floor": "carpet"}, 3},
				{map[string]any{"floor_area_m2": 20}, 2},
				{map[string]any{"obstructions": true, "climate_control": false}, 0},
				{map[string]any{"floor": "sprung", "floor_area_m2": 100, "obstructions": false, "climate_control": true}, 5},
			} {
				status, _, m := s.do(t, "PATCH", "/v1/spaces/"+sp.ID, token, c.patch)
				wantStatus(t, "PATCH", status, http.StatusOK, m)
				if got := as[api.Space](t, m).FitToDance; got != c.want {
					t.Errorf("after PATCH %v: got fit_to_dance %d, want %d", c.patch, got, c.want)
				}
			}
		})
	})
}

func TestCreateSpace(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		orgID, token := s.registerAt(t, "Hall keepers", cLat, cLon)
		// The organisation is based elsewhere: a space's location is its venue's.
		vLat, vLon := offset(cLat, cLon, 3, -2)
		venueID := s.venue(t, token, "Ross Street Centre", vLat, vLon)
		status, h, m := s.do(t, "POST", "/v1/venues/"+venueID+"/spaces", token, with(spaceBody("Main hall"), "booking_horizon_days", nil))
		wantStatus(t, "POST space", status, http.StatusCreated, m)
		sp := as[api.Space](t, m)
		want := api.Space{
			ID: sp.ID, VenueID: venueID, OrganisationID: orgID, Location: api.Location{Lat: vLat, Lon: vLon},
			Name: "Main hall", Kind: "studio", Capacity: 30, FloorAreaM2: 120.5, CeilingHeightM: 4.5,
			Floor: "sprung", Mirrors: true, Barres: true, SoundSystem: true, ChangingRooms: true,
			ClimateControl: true, Obstructions: false, ProhibitedActivities: []string{"aerial"}, InstantBook: true,
			Prices: []api.Price{{Tier: "community", PencePerHour: 1500}, {Tier: "standard", PencePerHour: 2500}},
			OpeningHours: []api.OpeningHours{
				{Day: "mon", Opens: "09:00", Closes: "17:30"},
				{Day: "mon", Opens: "18:00", Closes: "22:00"},
				{Day: "sat", Opens: "10:00", Closes: "24:00"},
			},
			// Sent as local time (BST); kept and shown in UTC.
			Closures:   []api.Closure{{Start: "2027-08-29T23:00:00Z", End: "2027-08-30T23:00:00Z", Reason: "bank holiday"}},
			FitToDance: 5, CreatedAt: sp.CreatedAt, UpdatedAt: sp.UpdatedAt,
			Indoor: true, RiggingPoints: []api.RiggingPoint{}, FitToDanceBreakdown: []api.StarLoss{},
			BookingHorizonDays: 365, // the default
		}
		if sp.ID == "" || !reflect.DeepEqual(sp, want) {
			t.Errorf("POST answer:\n got %+v\nwant %+v", sp, want)
		}
		if got := h.Get("Location"); got != "/v1/spaces/"+sp.ID {
			t.Errorf("Location: got %q, want /v1/spaces/%s", got, sp.ID)
		}
		if got := as[api.Space](t, s.get(t, "/v1/spaces/"+sp.ID, "")); !reflect.DeepEqual(got, sp) {
			t.Errorf("GET:\n got %+v\nwant %+v", got, sp)
		}

		t.Run("minimal profile", func(t *testing.T) {
			sp := s.space(t, token, venueID, map[string]any{
				"name": "Back room", "kind": "meeting_room", "capacity": 8, "floor_area_m2": 20, "floor": "carpet",
			})
			if sp.ProhibitedActivities == nil || sp.Prices == nil || sp.OpeningHours == nil || sp.Closures == nil {
				t.Errorf("got nil lists %+v, want empty lists", sp)
			}
			if sp.FitToDance != 0 {
				t.Errorf("got fit_to_dance %d, want 0", sp.FitToDance)
			}
		})
		t.Run("unknown venue", func(t *testing.T) {
			status, _, m := s.do(t, "POST", "/v1/venues/no-such-venue/spaces", token, spaceBody("Lost"))
			wantStatus(t, "POST to an unknown venue", status, http.StatusNotFound, m)
		})
		t.Run("required fields", func(t *testing.T) {
			status, _, m := s.do(t, "POST", "/v1/venues/"+venueID+"/spaces", token, map[string]any{"mirrors": true})
			wantStatus(t, "POST without a profile", status, http.StatusBadRequest, m)
			got := fieldNames(problem(t, m))
			if want := []string{"capacity", "floor", "floor_area_m2", "kind", "name"}; !reflect.DeepEqual(got, want) {
				t.Errorf("got fields %v, want %v", got, want)
			}
		})
	})
}

func TestPatchSpace(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		_, token := s.registerAt(t, "Hall keepers", cLat, cLon)
		venueID := s.venue(t, token, "Centre", cLat, cLon)
		before := s.space(t, token, venueID, spaceBody("Studio 1"))
		status, _, m := s.do(t, "PATCH", "/v1/spaces/"+before.ID, token, map[string]any{
			"capacity":      45,
			"opening_hours": []any{map[string]any{"day": "tue", "opens": "07:00", "closes": "09:00"}},
			"prices":        []any{},
		})
		wantStatus(t, "PATCH", status, http.StatusOK, m)
		got := as[api.Space](t, m)
		want := before
		want.Capacity = 45
		want.OpeningHours = []api.OpeningHours{{Day: "tue", Opens: "07:00", Closes: "09:00"}}
		want.Prices = []api.Price{}
		want.UpdatedAt = got.UpdatedAt
		if !reflect.DeepEqual(got, want) {
			t.Errorf("PATCH answer:\n got %+v\nwant %+v", got, want)
		}
		if got.UpdatedAt <= before.UpdatedAt {
			t.Errorf("updated_at: got %s, want after %s", got.UpdatedAt, before.UpdatedAt)
		}
		if again := as[api.Space](t, s.get(t, "/v1/spaces/"+before.ID, "")); !reflect.DeepEqual(again, got) {
			t.Errorf("GET after PATCH:\n got %+v\nwant %+v", again, got)
		}
		// A space cannot be moved out of its venue by PATCH.
		status, _, m = s.do(t, "PATCH", "/v1/spaces/"+before.ID, token, map[string]any{"venue_id": "elsewhere"})
		wantStatus(t, "PATCH venue_id", status, http.StatusBadRequest, m)
	})
}

func TestPatchVenueMovesItsSpaces(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		orgID, token := s.registerAt(t, "Movers", cLat, cLon)
		venueID := s.venue(t, token, "Old site", cLat, cLon)
		otherVenue := s.venue(t, token, "Stays put", cLat, cLon)
		a := s.space(t, token, venueID, spaceBody("A"))
		b := s.space(t, token, venueID, spaceBody("B"))
		stay := s.space(t, token, otherVenue, spaceBody("C"))
		before := as[api.Venue](t, s.get(t, "/v1/venues/"+venueID, ""))

		nLat, nLon := 52.5740, -0.2400 // Peterborough
		status, _, m := s.do(t, "PATCH", "/v1/venues/"+venueID, token, map[string]any{
			"location": map[string]any{"lat": nLat, "lon": nLon}, "accessibility": map[string]any{"parking": true},
		})
		wantStatus(t, "PATCH venue", status, http.StatusOK, m)
		v := as[api.Venue](t, m)
		want := before
		want.Location = api.Location{Lat: nLat, Lon: nLon}
		want.Accessibility.Parking = true // the other flags are kept
		want.UpdatedAt = v.UpdatedAt
		if !reflect.DeepEqual(v, want) {
			t.Errorf("PATCH answer:\n got %+v\nwant %+v", v, want)
		}
		if again := as[api.Venue](t, s.get(t, "/v1/venues/"+venueID, "")); !reflect.DeepEqual(again, v) {
			t.Errorf("GET after PATCH:\n got %+v\nwant %+v", again, v)
		}
		for _, c := range []struct {
			id   string
			want api.Location
		}{
			{a.ID, api.Location{Lat: nLat, Lon: nLon}},
			{b.ID, api.Location{Lat: nLat, Lon: nLon}},
			{stay.ID, api.Location{Lat: cLat, Lon: cLon}},
		} {
			sp := as[api.Space](t, s.get(t, "/v1/spaces/"+c.id, ""))
			if sp.Location != c.want || sp.OrganisationID != orgID {
				t.Errorf("space %s: got location %+v organisation %s, want %+v %s", sp.Name, sp.Location, sp.OrganisationID, c.want, orgID)
			}
		}
		// Location searches follow: the moved spaces are near Peterborough now.
		ids, _ := s.walk(t, "/v1/spaces?near=52.5740,-0.2400&radius_km=1")
		if !sameSet(ids, []string{a.ID, b.ID}) {
			t.Errorf("spaces near the new site: got %v, want %v", ids, []string{a.ID, b.ID})
		}
		ids, _ = s.walk(t, "/v1/spaces?near=52.2053,0.1218&radius_km=1")
		if !sameSet(ids, []string{stay.ID}) {
			t.Errorf("spaces near the old site: got %v, want %v", ids, []string{stay.ID})
		}

		for _, c := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"organisation_id", map[string]any{"organisation_id": "someone-else"}, "organisation_id"},
			{"lat 91", map[string]any{"location": map[string]any{"lat": 91, "lon": 0}}, "location.lat"},
			{"empty name", map[string]any{"name": ""}, "name"},
		} {
			status, _, m := s.do(t, "PATCH", "/v1/venues/"+venueID, token, c.body)
			wantStatus(t, "PATCH "+c.name, status, http.StatusBadRequest, m)
			if _, ok := fieldMessage(problem(t, m), c.field); !ok {
				t.Errorf("PATCH %s: got fields %v, want %s", c.name, fieldNames(problem(t, m)), c.field)
			}
		}
		if again := as[api.Venue](t, s.get(t, "/v1/venues/"+venueID, "")); !reflect.DeepEqual(again, v) {
			t.Errorf("GET after bad PATCHes:\n got %+v\nwant %+v", again, v)
		}
	})
}

func TestVenueSpaces(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		_, token := s.registerAt(t, "Owner", cLat, cLon)
		v1 := s.venue(t, token, "One", cLat, cLon)
		v2 := s.venue(t, token, "Two", cLat, cLon)
		var want []string
		for _, name := range []string{"Hall", "Studio", "Room"} {
			want = append(want, s.space(t, token, v1, spaceBody(name)).ID)
		}
		s.space(t, token, v2, spaceBody("Elsewhere"))

		ids, items := s.walk(t, "/v1/venues/"+v1+"/spaces?limit=2")
		if !sameSet(ids, want) || len(ids) != len(want) {
			t.Errorf("GET /v1/venues/{id}/spaces: got %v, want %v", ids, want)
		}
		for _, it := range items {
			if it["venue_id"] != v1 {
				t.Errorf("space %v: got venue_id %v, want %s", it["name"], it["venue_id"], v1)
			}
		}
		status, _, m := s.do(t, "GET", "/v1/venues/no-such-venue/spaces", "", nil)
		wantStatus(t, "spaces of an unknown venue", status, http.StatusNotFound, m)

		// Deleting a space, then its venue.
		status, _, m = s.do(t, "DELETE", "/v1/spaces/"+want[0], token, nil)
		wantStatus(t, "DELETE space", status, http.StatusNoContent, m)
		if ids, _ := s.walk(t, "/v1/venues/"+v1+"/spaces"); !sameSet(ids, want[1:]) {
			t.Errorf("after DELETE space: got %v, want %v", ids, want[1:])
		}
		status, _, m = s.do(t, "DELETE", "/v1/venues/"+v1, token, nil)
		wantStatus(t, "DELETE venue", status, http.StatusNoContent, m)
		for _, id := range want[1:] {
			status, _, m := s.do(t, "GET", "/v1/spaces/"+id, "", nil)
			wantStatus(t, "GET a space of a deleted venue", status, http.StatusNotFound, m)
		}
		status, _, m = s.do(t, "GET", "/v1/venues/"+v1, "", nil)
		wantStatus(t, "GET deleted venue", status, http.StatusNotFound, m)
	})
}
