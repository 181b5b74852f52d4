package api_test

import (
	"net/http"
	"slices"
	"testing"

	"commonground/store"
)

// weeklyTue is ten Tuesday evenings, 18:00–20:00 London time, from
// 5 January 2027.
var weeklyTue = map[string]any{"day": "tue", "start": "18:00", "end": "20:00", "from": "2027-01-05", "count": 10}

func matchBody(kv ...any) map[string]any {
	return with(map[string]any{
		"near": map[string]any{"lat": cLat, "lon": cLon}, "radius_km": 15, "group_size": 24,
		"activity": "contemporary", "weekly": weeklyTue,
	}, kv...)
}

func hours(days ...string) []any {
	out := []any{}
	for _, d := range days {
		out = append(out, map[string]any{"day": d, "opens": "09:00", "closes": "22:00"})
	}
	return out
}

func TestMatchVenues(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		// A requester that will not work with animal testing.
		me, _ := s.register(t, with(orgBody("Fen Edge Dance", cLat, cLon), "values", []string{"animal-welfare"}))
		// The best studio in town belongs to a company that tests on animals.
		_, labToken := s.register(t, with(orgBody("Lab Arts", cLat, cLon), "practices", []string{"animal-testing"}, "exclusions", []string{}))
		labVenue := s.venue(t, labToken, "Lab Studios", cLat+0.001, cLon)
		best := s.space(t, labToken, labVenue, with(spaceBody("Perfect Studio"), "opening_hours", hours("tue"), "prohibited_activities", []string{}))
		// A good hall nearby, open on Tuesdays.
		_, hallToken := s.registerAt(t, "Romsey Hall Trust", cLat, cLon)
		hallVenue := s.venue(t, hallToken, "Romsey Hall", cLat+0.01, cLon+0.01)
		hall := s.space(t, hallToken, hallVenue, with(spaceBody("Main Hall"), "floor", "wood", "opening_hours", hours("tue")))
		// A studio open only on Mondays, and one too small for 24.
		monday := s.space(t, hallToken, hallVenue, with(spaceBody("Monday Studio"), "opening_hours", hours("mon")))
		s.space(t, hallToken, hallVenue, with(spaceBody("Box Room"), "capacity", 10, "opening_hours", hours("tue")))
		// Far away: 40 km north.
		farLat, farLon := offset(cLat, cLon, 40, 0)
		farVenue := s.venue(t, hallToken, "Far Hall", farLat, farLon)
		s.space(t, hallToken, farVenue, with(spaceBody("Far Studio"), "opening_hours", hours("tue")))

		t.Run("without requester the best studio wins", func(t *testing.T) {
			status, _, m := s.do(t, "POST", "/v1/match/venues", "", matchBody())
			wantStatus(t, "match", status, http.StatusOK, m)
			got := matchIDs(m)
			if len(got) != 2 || got[0] != best.ID || got[1] != hall.ID {
				t.Fatalf("got matches %v, want [%s (studio) %s (hall)]", got, best.ID, hall.ID)
			}
			ex := m["excluded"].(map[string]any)
			for reason, want := range map[string]float64{"too_small": 1, "unavailable": 1, "too_far": 0, "values_conflict": 0} {
				if ex[reason] != want {
					t.Errorf("excluded[%s] = %v, want %v (all: %v)", reason, ex[reason], want, ex)
				}
			}
			first := m["matches"].([]any)[0].(map[string]any)
			if first["sessions_requested"] != 10.0 || first["sessions_available"] != 10.0 {
				t.Errorf("sessions: got %v of %v, want 10 of 10", first["sessions_available"], first["sessions_requested"])
			}
			if sc := first["score"].(float64); sc <= 0 || sc > 1 {
				t.Errorf("score %v outside (0, 1]", sc)
			}
			if rs := first["reasons"].([]any); len(rs) < 5 {
				t.Errorf("got %d reasons, want every factor", len(rs))
			}
			if first["price_pence_per_hour"] != 2500.0 {
				t.Errorf("price: got %v, want the standard tier's 2500", first["price_pence_per_hour"])
			}
		})

		t.Run("values conflict excludes the best studio", func(t *testing.T) {
			status, _, m := s.do(t, "POST", "/v1/match/venues", "", matchBody("organisation_id", me))
			wantStatus(t, "match", status, http.StatusOK, m)
			if got := matchIDs(m); len(got) != 1 || got[0] != hall.ID {
				t.Fatalf("got matches %v, want only the hall %s", got, hall.ID)
			}
			if ex := m["excluded"].(map[string]any); ex["values_conflict"] != 1.0 {
				t.Errorf("excluded values_conflict = %v, want 1", ex["values_conflict"])
			}
		})

		t.Run("explain a space that is not matched", func(t *testing.T) {
			status, _, m := s.do(t, "POST", "/v1/match/venues", "", matchBody("explain_space_id", monday.ID))
			wantStatus(t, "match", status, http.StatusOK, m)
			ex := m["explanation"].(map[string]any)
			if ex["matched"] != false {
				t.Fatalf("explanation says matched")
			}
			fails := ex["failures"].([]any)
			if len(fails) != 1 || fails[0].(map[string]any)["reason"] != "unavailable" {
				t.Errorf("failures %v, want one: unavailable", fails)
			}
			conflicts := ex["conflicts"].([]any)
			if len(conflicts) != 10 || conflicts[0].(map[string]any)["reason"] != "outside_hours" {
				t.Errorf("conflicts %v, want 10 sessions outside hours", conflicts)
			}
		})

		t.Run("a new space is matched at once", func(t *testing.T) {
			fresh := s.space(t, hallToken, hallVenue, with(spaceBody("New Studio"), "opening_hours", hours("tue"), "capacity", 40))
			status, _, m := s.do(t, "POST", "/v1/match/venues", "", matchBody())
			wantStatus(t, "match", status, http.StatusOK, m)
			if !slices.Contains(matchIDs(m), fresh.ID) {
				t.Errorf("the space created just before is not matched: %v", matchIDs(m))
			}
			status, _, _ = s.do(t, "DELETE", "/v1/spaces/"+fresh.ID, hallToken, nil)
			wantStatus(t, "delete", status, http.StatusNoContent, nil)
			_, _, m = s.do(t, "POST", "/v1/match/venues", "", matchBody())
			if slices.Contains(matchIDs(m), fresh.ID) {
				t.Errorf("a deleted space is still matched")
			}
		})
	})
}

func TestMatchVenuesBadInput(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		tests := []struct {
			name  string
			body  any
			field string
		}{
			{"no near", with(matchBody(), "near", nil), "near"},
			{"latitude out of range", matchBody("near", map[string]any{"lat": 95, "lon": 0}), "near.lat"},
			{"no radius", with(matchBody(), "radius_km", nil), "radius_km"},
			{"radius zero", matchBody("radius_km", 0), "radius_km"},
			{"no group", with(matchBody(), "group_size", nil), "group_size"},
			{"unknown activity", matchBody("activity", "moshing"), "activity"},
			{"no sessions", with(matchBody(), "weekly", nil), "sessions"},
			{"both sessions and weekly", matchBody("sessions", []any{map[string]any{"start": "2027-01-05T18:00:00Z", "end": "2027-01-05T20:00:00Z"}}), "sessions"},
			{"weekly bad day", matchBody("weekly", with(weeklyTue, "day", "funday")), "weekly.day"},
			{"weekly bad from", matchBody("weekly", with(weeklyTue, "from", "5/1/2027")), "weekly.from"},
			{"weekly ends before start", matchBody("weekly", with(weeklyTue, "end", "17:00")), "weekly.end"},
			{"weekly unknown zone", matchBody("weekly", with(weeklyTue, "timezone", "Mars/Base")), "weekly.timezone"},
			{"session ends before start", with(matchBody(), "weekly", nil, "sessions", []any{map[string]any{"start": "2027-01-05T18:00:00Z", "end": "2027-01-05T17:00:00Z"}}), "sessions[0].end"},
			{"unknown tier", matchBody("tier", "vip"), "tier"},
			{"unknown requester", matchBody("organisation_id", "0190f5e4-0000-7000-8000-00000000dead"), "organisation_id"},
			{"unknown field", matchBody("radius", 5), "radius"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, h, raw := s.send(t, request{method: "POST", path: "/v1/match/venues", body: tt.body})
				if status != http.StatusBadRequest {
					t.Fatalf("got %d %s, want 400", status, raw)
				}
				p := checkProblem(t, tt.name, status, h, raw)
				if names := fieldNames(p); !slices.Contains(names, tt.field) {
					t.Errorf("got fields %v, want %s", names, tt.field)
				}
			})
		}
	})
}

func matchIDs(m map[string]any) []string {
	var ids []string
	for _, x := range m["matches"].([]any) {
		ids = append(ids, x.(map[string]any)["space_id"].(string))
	}
	return ids
}
