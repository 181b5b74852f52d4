package api_test

import (
	"net/http"
	"slices"
	"testing"

	"commonground/api"
	"commonground/store"
)

// TestSpaceActivityFields creates and changes spaces through the API and
// reads back indoor, surface, rigging points, tap boards and the star
// breakdown.
func TestSpaceActivityFields(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		_, token := s.registerAt(t, "Riverside Trust", cLat, cLon)
		venueID := s.venue(t, token, "Riverside Centre", cLat, cLon)

		studio := s.space(t, token, venueID, spaceBody("Studio"))
		if !studio.Indoor || studio.Surface != nil || studio.TapBoards || len(studio.RiggingPoints) != 0 {
			t.Errorf("a studio by default: indoor %v, surface %v, tap boards %v, rigging %v; want indoor, none of the rest",
				studio.Indoor, studio.Surface, studio.TapBoards, studio.RiggingPoints)
		}
		if studio.FitToDance != 5 || studio.FitToDanceBreakdown == nil || len(studio.FitToDanceBreakdown) != 0 {
			t.Errorf("a five-star studio: %d stars, breakdown %v; want 5 and []", studio.FitToDance, studio.FitToDanceBreakdown)
		}

		field := s.space(t, token, venueID, with(spaceBody("Field"), "kind", "outdoor", "floor", "other", "surface", "grass",
			"ceiling_height_m", 0, "climate_control", false, "mirrors", false, "barres", false))
		if field.Indoor || field.Surface == nil || *field.Surface != "grass" {
			t.Errorf("a field: indoor %v, surface %v; want false, grass", field.Indoor, field.Surface)
		}
		lost := 0
		var criteria []string
		for _, x := range field.FitToDanceBreakdown {
			lost += x.StarsLost
			criteria = append(criteria, x.Criterion)
		}
		if want := []string{"floor", "heating_and_ventilation", "barres_or_mirrors"}; !slices.Equal(criteria, want) ||
			field.FitToDance != max(0, 5-lost) {
			t.Errorf("a field: %d stars, breakdown %+v; want criteria %v adding up", field.FitToDance, field.FitToDanceBreakdown, want)
		}

		rigged := s.space(t, token, venueID, with(spaceBody("Aerial Studio"), "indoor", true, "tap_boards", true,
			"rigging_points", []any{map[string]any{"rated_load_kg": 1000}, map[string]any{"rated_load_kg": 750.5}}))
		if !rigged.Indoor || !rigged.TapBoards || !slices.Equal(rigged.RiggingPoints, []api.RiggingPoint{{RatedLoadKg: 1000}, {RatedLoadKg: 750.5}}) {
			t.Errorf("rigged studio: %+v", rigged)
		}

		// PATCH: a new kind sets indoor again unless sent; an indoor space
		// drops its surface; lists are replaced whole.
		patch := func(id string, body map[string]any) api.Space {
			t.Helper()
			status, _, m := s.do(t, "PATCH", "/v1/spaces/"+id, token, body)
			wantStatus(t, "PATCH", status, http.StatusOK, m)
			return as[api.Space](t, m)
		}
		if got := patch(field.ID, map[string]any{"kind": "hall"}); !got.Indoor || got.Surface != nil {
			t.Errorf("field made a hall: indoor %v, surface %v; want indoor, no surface", got.Indoor, got.Surface)
		}
		if got := patch(field.ID, map[string]any{"indoor": false, "surface": "paving"}); got.Indoor || got.Surface == nil || *got.Surface != "paving" {
			t.Errorf("hall opened to the air: indoor %v, surface %v", got.Indoor, got.Surface)
		}
		if got := patch(field.ID, map[string]any{"surface": ""}); got.Indoor || got.Surface != nil {
			t.Errorf("surface cleared: indoor %v, surface %v", got.Indoor, got.Surface)
		}
		if got := patch(studio.ID, map[string]any{"kind": "outdoor"}); got.Indoor {
			t.Error("a studio made outdoor is still indoor")
		}
		if got := patch(rigged.ID, map[string]any{"rigging_points": []any{}, "tap_boards": false}); len(got.RiggingPoints) != 0 || got.TapBoards {
			t.Errorf("rigging cleared: %v, tap boards %v", got.RiggingPoints, got.TapBoards)
		}
		// And the store keeps it.
		status, _, m := s.do(t, "GET", "/v1/spaces/"+field.ID, "", nil)
		wantStatus(t, "GET", status, http.StatusOK, m)
		if got := as[api.Space](t, m); got.Indoor || got.Surface != nil {
			t.Errorf("GET after PATCH: indoor %v, surface %v", got.Indoor, got.Surface)
		}
	})
}

// TestSpaceActivityFieldsBadInput refuses what makes no sense, naming the
// field, and changes nothing.
func TestSpaceActivityFieldsBadInput(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		_, token := s.registerAt(t, "Riverside Trust", cLat, cLon)
		venueID := s.venue(t, token, "Riverside Centre", cLat, cLon)
		existing := s.space(t, token, venueID, spaceBody("Studio"))
		tests := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"surface on an indoor space", with(spaceBody("S"), "surface", "grass"), "surface"},
			{"surface when indoor is sent", with(spaceBody("S"), "kind", "other", "indoor", true, "surface", "tarmac"), "surface"},
			{"unknown surface", with(spaceBody("S"), "kind", "outdoor", "surface", "sand"), "surface"},
			{"surface not a string", with(spaceBody("S"), "kind", "outdoor", "surface", 3), "surface"},
			{"indoor for kind outdoor", with(spaceBody("S"), "kind", "outdoor", "indoor", true), "indoor"},
			{"negative rated load", with(spaceBody("S"), "rigging_points", []any{map[string]any{"rated_load_kg": -5}}), "rigging_points[0].rated_load_kg"},
			{"zero rated load", with(spaceBody("S"), "rigging_points", []any{map[string]any{"rated_load_kg": 1000}, map[string]any{}}), "rigging_points[1].rated_load_kg"},
			{"huge rated load", with(spaceBody("S"), "rigging_points", []any{map[string]any{"rated_load_kg": 1e9}}), "rigging_points[0].rated_load_kg"},
			{"rated load not a number", with(spaceBody("S"), "rigging_points", []any{map[string]any{"rated_load_kg": "heavy"}}), "rigging_points.rated_load_kg"},
			{"unknown rigging field", with(spaceBody("S"), "rigging_points", []any{map[string]any{"load": 500}}), "load"},
			{"tap boards not yes/no", with(spaceBody("S"), "tap_boards", "some"), "tap_boards"},
			{"indoor not yes/no", with(spaceBody("S"), "indoor", "outside"), "indoor"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := counts(t, db)
				status, h, raw := s.send(t, request{method: "POST", path: "/v1/venues/" + venueID + "/spaces", token: token, body: tt.body})
				p := checkProblem(t, tt.name, status, h, raw)
				if status != http.StatusBadRequest {
					t.Fatalf("got %d %s, want 400", status, raw)
				}
				if names := fieldNames(p); !slices.Contains(names, tt.field) {
					t.Errorf("got fields %v, want %s", names, tt.field)
				}
				if after := counts(t, db); after != before {
					t.Errorf("a refused space changed the store: %+v → %+v", before, after)
				}
				status, _, raw = s.send(t, request{method: "PATCH", path: "/v1/spaces/" + existing.ID, token: token, body: tt.body})
				if status != http.StatusBadRequest {
					t.Errorf("PATCH: got %d %s, want 400", status, raw)
				}
			})
		}
	})
}

// TestMatchVenuesAllowOutdoor offers an outdoor space only to a request
// that allows it, and counts it under activity_not_allowed otherwise; tap
// needs a tap floor or boards.
func TestMatchVenuesAllowOutdoor(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		_, token := s.registerAt(t, "Riverside Trust", cLat, cLon)
		venueID := s.venue(t, token, "Riverside Centre", cLat, cLon)
		open := hours("mon", "tue", "wed", "thu", "fri", "sat", "sun")
		field := s.space(t, token, venueID, with(spaceBody("Field"), "kind", "outdoor", "floor", "other", "surface", "tarmac",
			"capacity", 200, "floor_area_m2", 3000, "prohibited_activities", []string{}, "opening_hours", open, "closures", []any{}))
		vinyl := s.space(t, token, venueID, with(spaceBody("Vinyl Hall"), "kind", "hall", "floor", "vinyl",
			"prohibited_activities", []string{}, "opening_hours", open, "closures", []any{}))
		match := func(body map[string]any) map[string]any {
			t.Helper()
			status, _, m := s.do(t, "POST", "/v1/match/venues", "", body)
			wantStatus(t, "match", status, http.StatusOK, m)
			return m
		}
		excluded := func(m map[string]any) float64 {
			n, _ := m["excluded"].(map[string]any)["activity_not_allowed"].(float64)
			return n
		}
		m := match(matchBody("activity", "hip-hop", "group_size", 10))
		if slices.Contains(matchIDs(m), field.ID) || excluded(m) < 1 {
			t.Errorf("outdoor not allowed: matches %v, activity_not_allowed %v; want the field excluded", matchIDs(m), excluded(m))
		}
		m = match(matchBody("activity", "hip-hop", "group_size", 10, "allow_outdoor", true))
		if !slices.Contains(matchIDs(m), field.ID) {
			t.Errorf("outdoor allowed: matches %v, want the field %s", matchIDs(m), field.ID)
		}
		m = match(matchBody("activity", "tap", "group_size", 10, "allow_outdoor", true))
		if ids := matchIDs(m); slices.Contains(ids, field.ID) || slices.Contains(ids, vinyl.ID) || excluded(m) != 2 {
			t.Errorf("tap without a tap floor: matches %v, activity_not_allowed %v; want neither, 2", ids, excluded(m))
		}
		status, _, raw := s.send(t, request{method: "PATCH", path: "/v1/spaces/" + vinyl.ID, token: token, body: map[string]any{"tap_boards": true}})
		wantStatus(t, "PATCH", status, http.StatusOK, string(raw))
		if m = match(matchBody("activity", "tap", "group_size", 10)); !slices.Contains(matchIDs(m), vinyl.ID) {
			t.Errorf("tap with boards: matches %v, want %s", matchIDs(m), vinyl.ID)
		}
		status, h, raw := s.send(t, request{method: "POST", path: "/v1/match/venues", body: matchBody("allow_outdoor", "yes")})
		if p := checkProblem(t, "allow_outdoor", status, h, raw); status != http.StatusBadRequest || !slices.Contains(fieldNames(p), "allow_outdoor") {
			t.Errorf("allow_outdoor \"yes\": got %d %s, want 400 naming it", status, raw)
		}
	})
}
