package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"commonground/store"
)

// TestMatchVenuesPages checks paging of POST /v1/match/venues: pages of 2
// walk the same matches as one page of 20, each once, in order; without
// the count excluded and total_matches are null and the matches the
// same; a cursor passed with another request's filters, or one not issued
// here, is a 400; and Accept: application/geo+json answers a
// FeatureCollection of the same matches.
func TestMatchVenuesPages(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, _ *store.DB) {
		_, token := s.registerAt(t, "Paging Hall Trust", cLat, cLon)
		for i := range 7 {
			venue := s.venue(t, token, fmt.Sprintf("Paging Hall %d", i), cLat+float64(i)*0.004, cLon)
			s.space(t, token, venue, with(spaceBody(fmt.Sprintf("Paging Studio %d", i)), "opening_hours", hours("tue"),
				"capacity", 24+i))
		}
		status, _, all := s.do(t, "POST", "/v1/match/venues", "", matchBody("limit", 20))
		wantStatus(t, "match", status, http.StatusOK, all)
		want := matchIDs(all)
		if len(want) != 7 || all["next_cursor"] != nil {
			t.Fatalf("one page of 20: %d matches, next_cursor %v; want 7 and null", len(want), all["next_cursor"])
		}
		for _, counted := range []bool{true, false} {
			t.Run(fmt.Sprintf("count_excluded=%v", counted), func(t *testing.T) {
				var got []string
				cursor := ""
				for page := 0; ; page++ {
					if page > 10 {
						t.Fatal("more than 10 pages")
					}
					body := matchBody("limit", 2, "count_excluded", counted)
					if cursor != "" {
						body["cursor"] = cursor
					}
					status, _, m := s.do(t, "POST", "/v1/match/venues", "", body)
					wantStatus(t, "page", status, http.StatusOK, m)
					if counted && (m["excluded"] == nil || m["total_matches"] != 7.0) {
						t.Errorf("page %d: excluded %v, total_matches %v; want counts and 7", page, m["excluded"], m["total_matches"])
					}
					if !counted && (m["excluded"] != nil || m["total_matches"] != nil) {
						t.Errorf("page %d: excluded %v, total_matches %v; want null without the count", page, m["excluded"], m["total_matches"])
					}
					got = append(got, matchIDs(m)...)
					next, _ := m["next_cursor"].(string)
					if next == "" {
						break
					}
					cursor = next
				}
				if !slices.Equal(got, want) {
					t.Errorf("pages of 2 hold %v, want %v", got, want)
				}
			})
		}

		t.Run("a cursor belongs to its request", func(t *testing.T) {
			_, _, first := s.do(t, "POST", "/v1/match/venues", "", matchBody("limit", 2))
			cur, _ := first["next_cursor"].(string)
			if cur == "" {
				t.Fatal("no next_cursor after 2 of 7")
			}
			// Another page size and the count left out keep the ranking.
			status, _, m := s.do(t, "POST", "/v1/match/venues", "", matchBody("limit", 3, "count_excluded", false, "cursor", cur))
			wantStatus(t, "same filters", status, http.StatusOK, m)
			if got := matchIDs(m); !slices.Equal(got, want[2:5]) {
				t.Errorf("after 2, 3 more: %v, want %v", got, want[2:5])
			}
			for _, bad := range []map[string]any{
				matchBody("group_size", 20, "cursor", cur),
				matchBody("radius_km", 14, "cursor", cur),
				matchBody("cursor", "not-a-cursor"),
				matchBody("cursor", strings.Repeat("A", 2000)),
			} {
				status, _, m := s.do(t, "POST", "/v1/match/venues", "", bad)
				wantStatus(t, "foreign cursor", status, http.StatusBadRequest, m)
				if !strings.Contains(fmt.Sprint(m["errors"]), "cursor") {
					t.Errorf("400 without naming cursor: %v", m)
				}
			}
		})

		t.Run("GeoJSON", func(t *testing.T) {
			status, h, raw := s.send(t, request{method: "POST", path: "/v1/match/venues", body: matchBody("limit", 3),
				header: map[string]string{"Accept": "application/geo+json"}})
			if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/geo+json") {
				t.Fatalf("status %d, Content-Type %q; want 200 application/geo+json: %s", status, h.Get("Content-Type"), raw)
			}
			var fc struct {
				Type     string `json:"type"`
				Features []struct {
					Type     string `json:"type"`
					ID       string `json:"id"`
					Geometry struct {
						Type        string     `json:"type"`
						Coordinates [2]float64 `json:"coordinates"`
					} `json:"geometry"`
					Properties map[string]any `json:"properties"`
				} `json:"features"`
				NextCursor   *string        `json:"next_cursor"`
				Excluded     map[string]int `json:"excluded"`
				TotalMatches *int           `json:"total_matches"`
			}
			if err := json.Unmarshal(raw, &fc); err != nil {
				t.Fatal(err)
			}
			_, _, plain := s.do(t, "POST", "/v1/match/venues", "", matchBody("limit", 3))
			matches := plain["matches"].([]any)
			if fc.Type != "FeatureCollection" || len(fc.Features) != len(matches) || fc.NextCursor == nil ||
				*fc.NextCursor != plain["next_cursor"] || fc.TotalMatches == nil || *fc.TotalMatches != 7 || fc.Excluded == nil {
				t.Fatalf("collection %s, want the JSON answer's 3 matches, next_cursor and counts", raw)
			}
			for i, f := range fc.Features {
				m := matches[i].(map[string]any)
				loc := m["location"].(map[string]any)
				if f.Type != "Feature" || f.ID != m["space_id"] || f.Geometry.Type != "Point" ||
					f.Geometry.Coordinates != [2]float64{loc["lon"].(float64), loc["lat"].(float64)} {
					t.Errorf("feature %d: %s %q %s %v; want Feature %q Point [lon, lat] of %v", i, f.Type, f.ID,
						f.Geometry.Type, f.Geometry.Coordinates, m["space_id"], loc)
				}
				if !jsonEqual(t, f.Properties, m) {
					t.Errorf("feature %d: properties %v, want the match %v", i, f.Properties, m)
				}
			}
		})
	})
}

func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	x, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(x) == string(y)
}

// FuzzMatchVenuesRequest posts arbitrary venue match bodies, cursors
// among them: never a 5xx, and a problem body for anything but 200.
func FuzzMatchVenuesRequest(f *testing.F) {
	s, _ := fuzzServer(f)
	_, token := s.registerAt(f, "Fuzz hall trust", cLat, cLon)
	venue := s.venue(f, token, "Fuzz hall", cLat, cLon)
	s.space(f, token, venue, with(spaceBody("Fuzz studio"), "opening_hours", hours("tue")))
	s.space(f, token, venue, with(spaceBody("Fuzz studio two"), "opening_hours", hours("tue")))
	first := s.serve("POST", "/v1/match/venues", "", mustJSON(matchBody("limit", 1)))
	var page struct {
		NextCursor string `json:"next_cursor"`
	}
	_ = json.Unmarshal(first.Body.Bytes(), &page)
	addBodySeeds(f, matchBody("limit", 1, "cursor", page.NextCursor),
		string(mustJSON(matchBody("count_excluded", false, "cursor", page.NextCursor))),
		string(mustJSON(matchBody("cursor", page.NextCursor+"x"))),
		string(mustJSON(matchBody("cursor", "eyJxIjoiIiwiaSI6IngiLCJkIjotMSwicyI6Mn0"))),
		string(mustJSON(matchBody("count_excluded", "no"))),
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := s.serve("POST", "/v1/match/venues", "", body)
		checkAnswer(t, "POST /v1/match/venues", rec, http.StatusOK, http.StatusBadRequest)
	})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
