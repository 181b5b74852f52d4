package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"commonground/api"
	"commonground/geo"
	"commonground/seed"
	"commonground/store"
)

func placesOf(t *testing.T, s *server, query string) []api.PlaceOut {
	t.Helper()
	status, _, raw := s.send(t, request{method: "GET", path: "/v1/places?" + query})
	if status != http.StatusOK {
		t.Fatalf("places?%s: got status %d, want 200; body %s", query, status, raw)
	}
	var page struct {
		Items *[]api.PlaceOut `json:"items"`
	}
	if err := json.Unmarshal(raw, &page); err != nil || page.Items == nil {
		t.Fatalf("places?%s: got %s, want {\"items\": [...]}", query, raw)
	}
	return *page.Items
}

func TestPlaces(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, _ *store.DB) {
		t.Run("exact name first", func(t *testing.T) {
			got := placesOf(t, s, "q=Ely")
			want := api.PlaceOut{Name: "Ely", Kind: "city", Lat: 52.399, Lon: 0.262, County: "Cambridgeshire"}
			if len(got) == 0 || got[0] != want {
				t.Fatalf("got %+v, want %+v first", got, want)
			}
		})
		names := func(ps []api.PlaceOut) []string {
			out := make([]string, len(ps))
			for i, p := range ps {
				out[i] = p.Name
			}
			return out
		}
		tests := []struct {
			query string
			want  []string
		}{
			// The county's places first (towns, then villages), then the
			// rest of Great Britain's (cities, then towns).
			{"q=st", []string{"St Ives", "St Neots", "Steeple Morden", "Stetchworth", "Stilton", "Stow cum Quy", "Stretham",
				"Saint Asaph", "Saint Davids", "St Albans"}},
			{"q=SAINT+NEOTS", []string{"St Neots"}},
			{"q=little&limit=1", []string{"Littleport"}},
			{"q=little&limit=4", []string{"Littleport", "Little Paxton", "Little Bookham", "Little Hulton"}},
			{"q=stow+cum", []string{"Stow cum Quy"}},
			{"q=sutton&limit=2", []string{"Sutton", "Sutton"}},
			{"q=cb7", []string{"CB7"}},
			{"q=zzz", []string{}},
			{"q=%21%21", []string{}},
		}
		for _, tt := range tests {
			t.Run(tt.query, func(t *testing.T) {
				if got := names(placesOf(t, s, tt.query)); !reflect.DeepEqual(got, tt.want) {
					t.Errorf("got %v, want %v", got, tt.want)
				}
			})
		}
		t.Run("default limit 10", func(t *testing.T) {
			if got := len(placesOf(t, s, "q=a")); got != 10 {
				t.Errorf("got %d places, want 10", got)
			}
			if got := len(placesOf(t, s, "q=a&limit=50")); got <= 10 {
				t.Errorf("got %d places with limit=50, want more than 10", got)
			}
		})
	})
}

func TestPlacesBadQueries(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, _ *store.DB) {
		long := strings.Repeat("a", 101)
		cases := []badCase{
			{name: "no q", path: "/v1/places", field: "q", message: "required"},
			{name: "empty q", path: "/v1/places?q=", field: "q", message: "required"},
			{name: "blank q", path: "/v1/places?q=+++", field: "q", message: "required"},
			{name: "q too long", path: "/v1/places?q=" + long, field: "q", message: "at most 100"},
			{name: "q with NUL", path: "/v1/places?q=E%00ly", field: "q", message: "NUL"},
			{name: "q not UTF-8", path: "/v1/places?q=%FF", field: "q", message: "UTF-8"},
			{name: "q twice", path: "/v1/places?q=a&q=b", field: "q", message: "once"},
			{name: "limit=0", path: "/v1/places?q=Ely&limit=0", field: "limit", message: "between 1 and 50"},
			{name: "limit=51", path: "/v1/places?q=Ely&limit=51", field: "limit", message: "between 1 and 50"},
			{name: "unknown parameter", path: "/v1/places?q=Ely&near=1,2", field: "near", message: "unknown query parameter"},
		}
		for _, c := range cases {
			c.method, c.want = "GET", http.StatusBadRequest
			t.Run(c.name, func(t *testing.T) { c.run(t, s, "") })
		}
		t.Run("100 characters is allowed", func(t *testing.T) {
			placesOf(t, s, "q="+url.QueryEscape(strings.Repeat("é", 100)))
		})
	})
}

// TestPlaceInsteadOfPoint checks that place=NAME in queries and
// {"place": NAME} in bodies answer as the place's centre would (Cambridge
// is at cLat, cLon), and that unknown or doubled places are 400s.
func TestPlaceInsteadOfPoint(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, _ *store.DB) {
		_, token := s.registerAt(t, "Place Dance", cLat, cLon)
		venueID := s.venue(t, token, "Place Hall", cLat+0.01, cLon)
		s.space(t, token, venueID, spaceBody("Place Studio"))
		far := s.venue(t, token, "Ely Hall", 52.399, 0.262)
		s.space(t, token, far, spaceBody("Ely Studio"))

		same := []struct{ byPlace, byPoint string }{
			{"/v1/nearby?place=Cambridge&radius_km=5", "/v1/nearby?lat=52.2053&lon=0.1218&radius_km=5"},
			{"/v1/nearby?place=ely&radius_km=5&kind=venues", "/v1/nearby?lat=52.399&lon=0.262&radius_km=5&kind=venues"},
			{"/v1/spaces?place=Cambridge&radius_km=5", "/v1/spaces?near=52.2053,0.1218&radius_km=5"},
			{"/v1/venues?place=ELY", "/v1/venues?near=52.399,0.262"},
			{"/v1/organisations?place=Cambridge&radius_km=3", "/v1/organisations?near=52.2053,0.1218&radius_km=3"},
		}
		for _, c := range same {
			t.Run(c.byPlace, func(t *testing.T) {
				got, want := s.get(t, c.byPlace, ""), s.get(t, c.byPoint, "")
				delete(got, "next_cursor")
				delete(want, "next_cursor")
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
				if b, _ := json.Marshal(got); !strings.Contains(string(b), "Studio") && !strings.Contains(string(b), "Hall") && !strings.Contains(string(b), "Dance") {
					t.Errorf("got %s, want something found", b)
				}
			})
		}

		match := func(near any) map[string]any {
			return map[string]any{"near": near, "radius_km": 5, "group_size": 10, "activity": "contemporary",
				"sessions": []any{map[string]any{"start": "2027-01-18T10:00:00Z", "end": "2027-01-18T11:00:00Z"}}}
		}
		t.Run("match body", func(t *testing.T) {
			_, _, got := s.do(t, "POST", "/v1/match/venues", "", match(map[string]any{"place": "Cambridge"}))
			_, _, want := s.do(t, "POST", "/v1/match/venues", "", match(map[string]any{"lat": cLat, "lon": cLon}))
			if !reflect.DeepEqual(got, want) || len(want["matches"].([]any)) == 0 {
				t.Errorf("got %v, want %v (with matches)", got, want)
			}
		})

		cases := []badCase{
			{name: "unknown place on nearby", method: "GET", path: "/v1/nearby?place=Atlantis", field: "place", message: `"Atlantis"`},
			{name: "unknown place on spaces", method: "GET", path: "/v1/spaces?place=Atlantis", field: "place", message: "unknown place"},
			{name: "place and lat", method: "GET", path: "/v1/nearby?place=Ely&lat=52&lon=0", field: "place", message: "not both"},
			{name: "place and near", method: "GET", path: "/v1/venues?place=Ely&near=52,0", field: "place", message: "not both"},
			{name: "empty place", method: "GET", path: "/v1/spaces?place=", field: "place", message: "required"},
			{name: "place twice", method: "GET", path: "/v1/spaces?place=Ely&place=March", field: "place", message: "once"},
			{name: "unknown place in match", method: "POST", path: "/v1/match/venues", body: match(map[string]any{"place": "CB7 4DL"}),
				field: "near.place", message: `"CB7 4DL"`},
			{name: "place and lat in match", method: "POST", path: "/v1/match/venues", body: match(map[string]any{"place": "Ely", "lat": 52.0}),
				field: "near.place", message: "not both"},
			{name: "unknown place in consortium", method: "POST", path: "/v1/match/consortium",
				body:  map[string]any{"requirements": []string{"skill.dance-teaching"}, "near": map[string]any{"place": "Atlantis"}, "radius_km": 10},
				field: "near.place", message: "Atlantis"},
		}
		for _, c := range cases {
			c.want = http.StatusBadRequest
			t.Run(c.name, func(t *testing.T) { c.run(t, s, token) })
		}
	})
}

// FuzzPlacesQuery drives GET /v1/places with any q and limit: the answer
// is a 200 with at most limit places, each of whose normalised names holds
// the normalised q, or a 400 problem; never anything else.
func FuzzPlacesQuery(f *testing.F) {
	for _, s := range [][2]string{{"Ely", "10"}, {"st.", "1"}, {"", ""}, {"\x00", "5"}, {"\xff", "2"}, {"Saint Ives", "50"}, {"ély", "0"}, {"a", "51"},
		{"cb74dl", "3"}, {"CB7 4", "5"}, {"c b 7", ""}, {"SW1A", "1"}} {
		f.Add(s[0], s[1])
	}
	h := api.NewRouter(api.Config{Taxonomy: seed.Taxonomy(), Places: seed.PlaceIndex()})
	f.Fuzz(func(t *testing.T, q, limit string) {
		v := url.Values{"q": {q}}
		if limit != "" {
			v.Set("limit", limit)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/places?"+v.Encode(), nil))
		switch rec.Code {
		case http.StatusBadRequest:
			return
		case http.StatusOK:
		default:
			t.Fatalf("q=%q limit=%q: got status %d, want 200 or 400; body %s", q, limit, rec.Code, rec.Body)
		}
		if strings.TrimSpace(q) == "" || !utf8.ValidString(q) || strings.ContainsRune(q, 0) || utf8.RuneCountInString(q) > 100 {
			t.Fatalf("q=%q: got 200, want 400", q)
		}
		var page api.PlacesPage
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || page.Items == nil {
			t.Fatalf("q=%q: body %s is not a places page", q, rec.Body)
		}
		max := 10
		if limit != "" {
			max = 50
		}
		if len(page.Items) > max {
			t.Fatalf("q=%q limit=%q: got %d places", q, limit, len(page.Items))
		}
		compact := func(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), "")) }
		for _, p := range page.Items {
			// A postcode or district matches however q spaces it.
			postcode := (p.Kind == "postcode" || p.Kind == "postcode_district") && strings.HasPrefix(compact(p.Name), compact(q))
			if !postcode && !strings.Contains(geo.NormalisePlaceName(p.Name), geo.NormalisePlaceName(q)) {
				t.Fatalf("q=%q: got %q, which does not hold it", q, p.Name)
			}
		}
	})
}
