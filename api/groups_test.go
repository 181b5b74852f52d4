package api_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"commonground/api"
	"commonground/store"
)

// roomNeedBody is a need for a room saying everything it may.
func roomNeedBody(category string, size int, activity string, budget int, windows ...[3]string) map[string]any {
	ws := []any{}
	for _, w := range windows {
		ws = append(ws, map[string]any{"day": w[0], "start": w[1], "end": w[2]})
	}
	return map[string]any{"category": category, "description": "a room", "hours_per_month": 8, "group_size": size,
		"activity": activity, "max_pence_per_hour": budget, "windows": ws}
}

// groupsCounty is a studio (spaceBody: £25 an hour standard, 30 people,
// 120.5 m², sprung, no aerial, open Monday evenings and Saturdays) and
// groups around it.
type groupsCounty struct {
	space                                   string
	fits, aerial, poor, tuesday, far, later string
	fitsToken                               string
}

func newGroupsCounty(t *testing.T, s *server) *groupsCounty {
	t.Helper()
	gc := &groupsCounty{}
	_, ownerToken := s.register(t, partnerBody("Arbury Youth Service", "youth_service", 0, 0, []string{"skill.youth-work"}, nil))
	venue := s.venue(t, ownerToken, "Arbury Community Centre", cLat, cLon)
	gc.space = s.space(t, ownerToken, venue, spaceBody("Studio")).ID
	var token string
	group := func(name string, northKm float64, need map[string]any) string {
		lat, lon := offset(cLat, cLon, northKm, 0)
		var id string
		id, token = s.register(t, with(orgBody(name, lat, lon), "needs", []any{need}))
		return id
	}
	monday := [3]string{"mon", "18:30", "20:30"}
	gc.fits = group("Fen Edge Dance", 1, roomNeedBody("space.rehearsal", 20, "contemporary", 3000, monday))
	gc.fitsToken = token
	gc.aerial = group("Cambridge Aerial", 1, roomNeedBody("space.rehearsal", 10, "aerial", 3000, monday))
	gc.poor = group("Shoestring Dance", 1, roomNeedBody("space.rehearsal", 10, "jazz", 2000, monday))
	gc.tuesday = group("Tuesday Tappers", 1, roomNeedBody("space.rehearsal", 10, "tap", 3000, [3]string{"tue", "18:00", "20:00"}))
	gc.far = group("St Ives Dance", 15, roomNeedBody("space.rehearsal", 10, "jazz", 3000, monday))
	// One need added later through its own endpoint, saying only its size.
	gc.later, token = s.register(t, with(orgBody("Histon Ballroom", cLat+0.01, cLon), "needs", []any{}))
	status, _, m := s.do(t, "POST", "/v1/organisations/"+gc.later+"/needs", token,
		map[string]any{"category": "space.rehearsal", "group_size": 12})
	wantStatus(t, "POST needs", status, http.StatusCreated, m)
	return gc
}

func TestSpaceGroups(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		gc := newGroupsCounty(t, s)
		status, _, m := s.do(t, "GET", "/v1/spaces/"+gc.space+"/groups?radius_km=10", "", nil)
		wantStatus(t, "GET groups", status, http.StatusOK, m)
		for _, k := range []string{"matches", "excluded", "total_matches"} {
			if _, ok := m[k]; !ok {
				t.Errorf("body has no %q: %v", k, m)
			}
		}
		res := as[api.GroupResult](t, m)
		var ids []string
		for _, g := range res.Matches {
			ids = append(ids, g.OrganisationID)
		}
		if want := []string{gc.fits, gc.later}; !slices.Equal(ids, want) {
			t.Fatalf("matches: got %v, want %v (the group that fits, then the one that said only its size)", ids, want)
		}
		want := map[string]int{"too_far": 1, "values_conflict": 0, "too_small": 0, "activity_not_allowed": 1, "over_budget": 1, "unavailable": 1}
		for k, n := range want {
			if res.Excluded[k] != n {
				t.Errorf("excluded[%s]: got %d, want %d (%v)", k, res.Excluded[k], n, res.Excluded)
			}
		}
		fits := res.Matches[0]
		if fits.Category != "space.rehearsal" || fits.GroupSize != 20 || fits.Activity != "contemporary" || fits.NeedID == "" || fits.Name != "Fen Edge Dance" {
			t.Errorf("match: got %+v", fits)
		}
		// Four Mondays from the test clock's Monday 8 January 2024, 09:00
		// UTC, all in winter time.
		var free []string
		for _, w := range fits.FreeWindows {
			free = append(free, w.Start+"/"+w.End)
		}
		wantFree := []string{"2024-01-08T18:30:00Z/2024-01-08T20:30:00Z", "2024-01-15T18:30:00Z/2024-01-15T20:30:00Z",
			"2024-01-22T18:30:00Z/2024-01-22T20:30:00Z", "2024-01-29T18:30:00Z/2024-01-29T20:30:00Z"}
		if !slices.Equal(free, wantFree) {
			t.Errorf("free windows: got %v, want %v", free, wantFree)
		}
		if len(fits.Reasons) == 0 || fits.Score <= 0 || fits.Score > 1 {
			t.Errorf("score %v, reasons %v", fits.Score, fits.Reasons)
		}
		if later := res.Matches[1]; len(later.FreeWindows) != 0 || later.Activity != "" {
			t.Errorf("a need with no windows: got %+v", later)
		}
		if m := res.Matches[0].FreeWindows; len(m) > 0 {
			if _, err := time.Parse(time.RFC3339, m[0].Start); err != nil {
				t.Error(err)
			}
		}

		// The needs show on the profile as they were sent.
		o := as[api.Organisation](t, s.get(t, "/v1/organisations/"+gc.fits, ""))
		if len(o.Needs) != 1 || o.Needs[0].GroupSize != 20 || o.Needs[0].MaxPencePerHour != 3000 ||
			!slices.Equal(o.Needs[0].Windows, []api.Window{{Day: "mon", Start: "18:30", End: "20:30"}}) {
			t.Errorf("profile needs: got %+v", o.Needs)
		}

		// A wider radius finds the far group too; a limit keeps the best.
		res = as[api.GroupResult](t, s.get(t, "/v1/spaces/"+gc.space+"/groups?radius_km=50&limit=1", ""))
		if len(res.Matches) != 1 || res.TotalMatches != 3 || res.Matches[0].OrganisationID != gc.fits {
			t.Fatalf("radius 50, limit 1: got %d of %d, first %v", len(res.Matches), res.TotalMatches, res.Matches)
		}

		// A need deleted is no longer matched, at once.
		status, _, m = s.do(t, "DELETE", "/v1/needs/"+res.Matches[0].NeedID, gc.fitsToken, nil)
		wantStatus(t, "DELETE need", status, http.StatusNoContent, m)
		res = as[api.GroupResult](t, s.get(t, "/v1/spaces/"+gc.space+"/groups?radius_km=50", ""))
		for _, g := range res.Matches {
			if g.OrganisationID == gc.fits {
				t.Errorf("the deleted need is still matched: %+v", g)
			}
		}
		if res.TotalMatches != 2 {
			t.Errorf("after the delete: %d matches, want 2", res.TotalMatches)
		}
	})
}

func TestSpaceGroupsBadRequests(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		gc := newGroupsCounty(t, s)
		for _, path := range []string{"/v1/spaces/00000000-0000-4000-8000-000000000000/groups", "/v1/spaces/nope/groups"} {
			status, h, raw := s.send(t, request{method: "GET", path: path})
			if status != http.StatusNotFound {
				t.Fatalf("%s: got %d %s, want 404", path, status, raw)
			}
			checkProblem(t, path, status, h, raw)
		}
		for _, tt := range []struct{ query, field string }{
			{"radius_km=0", "radius_km"}, {"radius_km=-3", "radius_km"}, {"radius_km=201", "radius_km"},
			{"radius_km=NaN", "radius_km"}, {"radius_km=far", "radius_km"}, {"limit=0", "limit"},
			{"limit=101", "limit"}, {"limit=ten", "limit"}, {"near=52.2,0.1", "near"},
		} {
			status, h, raw := s.send(t, request{method: "GET", path: "/v1/spaces/" + gc.space + "/groups?" + tt.query})
			if status != http.StatusBadRequest {
				t.Fatalf("%s: got %d %s, want 400", tt.query, status, raw)
			}
			if names := fieldNames(checkProblem(t, tt.query, status, h, raw)); !slices.Contains(names, tt.field) {
				t.Errorf("%s: got fields %v, want %s", tt.query, names, tt.field)
			}
		}
	})
}

// TestRoomNeedsBadInput: each bad field of a need for a room is named,
// in a registration and through the needs endpoint, and nothing is
// written.
func TestRoomNeedsBadInput(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		id, token := s.registerAt(t, "Fen Edge Dance", cLat, cLon)
		before := as[api.Organisation](t, s.get(t, "/v1/organisations/"+id, "")).Needs
		for _, tt := range []struct {
			need   map[string]any
			fields []string
			// regFields, when set, are the fields a registration names
			// (a JSON type error names the path without indexes).
			regFields []string
		}{
			{roomNeedBody("skill.dance-teaching", 10, "tap", 100), []string{"group_size", "activity", "max_pence_per_hour"}, nil},
			{roomNeedBody("space.hall", 0, "juggling", -1), []string{"activity", "max_pence_per_hour"}, nil},
			{roomNeedBody("space.hall", 10, "", 0, [3]string{"funday", "25:00", "7pm"}), []string{"windows[0].day", "windows[0].start", "windows[0].end"}, nil},
			{roomNeedBody("space.hall", 10, "", 0, [3]string{"mon", "20:00", "18:00"}), []string{"windows[0].end"}, nil},
			{roomNeedBody("space.hall", 10, "", 0, [3]string{"mon", "18:00", "20:00"}, [3]string{"mon", "19:00", "21:00"}), []string{"windows[1]"}, nil},
			{with(roomNeedBody("space.hall", 10, "", 0), "windows", []any{map[string]any{"day": "mon", "start": "18:00", "end": "20:00", "room": 1}}), nil, nil},
			{with(roomNeedBody("space.hall", 10, "", 0), "windows", "mondays"), []string{"windows"}, []string{"needs.windows"}},
		} {
			status, h, raw := s.send(t, request{method: "POST", path: "/v1/organisations/" + id + "/needs", token: token, body: tt.need})
			if status != http.StatusBadRequest {
				t.Fatalf("%v: got %d %s, want 400", tt.need, status, raw)
			}
			names := fieldNames(checkProblem(t, "needs", status, h, raw))
			for _, f := range tt.fields {
				if !slices.Contains(names, f) {
					t.Errorf("%v: got fields %v, want %s", tt.need, names, f)
				}
			}
			body := with(orgBody("Another", cLat, cLon), "needs", []any{tt.need})
			status, h, raw = s.send(t, request{method: "POST", path: "/v1/organisations", body: body})
			if status != http.StatusBadRequest {
				t.Fatalf("register %v: got %d %s, want 400", tt.need, status, raw)
			}
			names = fieldNames(checkProblem(t, "register", status, h, raw))
			regFields := tt.regFields
			if regFields == nil {
				for _, f := range tt.fields {
					regFields = append(regFields, "needs[0]."+f)
				}
			}
			for _, f := range regFields {
				if !slices.Contains(names, f) {
					t.Errorf("register %v: got fields %v, want %s", tt.need, names, f)
				}
			}
		}
		if after := as[api.Organisation](t, s.get(t, "/v1/organisations/"+id, "")).Needs; len(after) != len(before) {
			t.Errorf("needs written: got %+v, had %+v", after, before)
		}
	})
}
