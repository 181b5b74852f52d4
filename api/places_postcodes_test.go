package api_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"commonground/api"
	"commonground/geo"
	"commonground/matching"
	"commonground/store"
)

// importTestPostcodes imports a few postcodes around Ely and one in St
// Neots (made-up points) and returns them by name.
func importTestPostcodes(t *testing.T, db *store.DB) map[string]geo.Place {
	t.Helper()
	ps := []geo.Place{
		{Name: "CB7 4AA", Kind: geo.KindPostcode, Point: geo.MustPoint(52.398, 0.262)},
		{Name: "CB7 4AB", Kind: geo.KindPostcode, Point: geo.MustPoint(52.400, 0.266)},
		{Name: "CB7 5BA", Kind: geo.KindPostcode, Point: geo.MustPoint(52.335, 0.336)},
		{Name: "PE19 1AA", Kind: geo.KindPostcode, Point: geo.MustPoint(52.228, -0.270)},
	}
	if _, err := db.ImportPostcodes(t.Context(), ps); err != nil {
		t.Fatal(err)
	}
	out := map[string]geo.Place{}
	for _, p := range ps {
		out[p.Name] = p
	}
	return out
}

func TestPlacesPostcodes(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		pcs := importTestPostcodes(t, db)
		out := func(name string, kind string, lat, lon float64) api.PlaceOut {
			return api.PlaceOut{Name: name, Kind: kind, Lat: lat, Lon: lon}
		}
		cb7 := out("CB7", "postcode_district", (52.398+52.400+52.335)/3, (0.262+0.266+0.336)/3)
		tests := []struct {
			query string
			want  []api.PlaceOut
		}{
			{"q=cb74aa", []api.PlaceOut{out("CB7 4AA", "postcode", 52.398, 0.262)}},
			{"q=CB7+4AA", []api.PlaceOut{out("CB7 4AA", "postcode", 52.398, 0.262)}},
			{"q=%20cb7%20%204aa", []api.PlaceOut{out("CB7 4AA", "postcode", 52.398, 0.262)}},
			{"q=CB7+9ZZ", []api.PlaceOut{}},
			// The district of imported postcodes is at their mean, then its postcodes.
			{"q=cb7", []api.PlaceOut{cb7, out("CB7 4AA", "postcode", 52.398, 0.262),
				out("CB7 4AB", "postcode", 52.400, 0.266), out("CB7 5BA", "postcode", 52.335, 0.336)}},
			{"q=cb7&limit=2", []api.PlaceOut{cb7, out("CB7 4AA", "postcode", 52.398, 0.262)}},
			{"q=cb7+4", []api.PlaceOut{out("CB7 4AA", "postcode", 52.398, 0.262), out("CB7 4AB", "postcode", 52.400, 0.266)}},
			{"q=CB7+5B", []api.PlaceOut{out("CB7 5BA", "postcode", 52.335, 0.336)}},
			// A district with no imported postcode is the gazetteer's: at
			// the centre of its largest place, in the county.
			{"q=pe27", []api.PlaceOut{{Name: "PE27", Kind: "postcode_district", Lat: 52.334, Lon: -0.076, County: "Cambridgeshire"}}},
		}
		for _, tt := range tests {
			t.Run(tt.query, func(t *testing.T) {
				got := placesOf(t, s, tt.query)
				if len(got) != len(tt.want) {
					t.Fatalf("got %+v, want %+v", got, tt.want)
				}
				for i := range got {
					g, w := got[i], tt.want[i]
					if g.Name != w.Name || g.Kind != w.Kind || g.County != w.County || !nearly(g.Lat, w.Lat) || !nearly(g.Lon, w.Lon) {
						t.Errorf("item %d: got %+v, want %+v", i, g, w)
					}
				}
			})
		}

		// A postcode or district wherever a point is asked for answers as
		// its point does.
		_, token := s.registerAt(t, "Fen Dance", 52.39, 0.26)
		ely := s.venue(t, token, "Ely Hall", 52.399, 0.263)
		s.space(t, token, ely, spaceBody("Ely Studio"))
		pe19 := pcs["PE19 1AA"].Point
		same := []struct{ byPlace, byPoint string }{
			{"/v1/nearby?place=cb74aa&radius_km=5", "/v1/nearby?lat=52.398&lon=0.262&radius_km=5"},
			{"/v1/nearby?place=PE19+1AA&radius_km=50", fmt.Sprintf("/v1/nearby?lat=%v&lon=%v&radius_km=50", geo.Lat(pe19), geo.Lon(pe19))},
			{"/v1/venues?place=CB7+4AB", "/v1/venues?near=52.400,0.266"},
			{"/v1/spaces?place=CB7+4AA&radius_km=5", "/v1/spaces?near=52.398,0.262&radius_km=5"},
			{"/v1/organisations?place=cb7+4aa&radius_km=5", "/v1/organisations?near=52.398,0.262&radius_km=5"},
			{"/v1/nearby?place=PE27&radius_km=5&kind=venues", "/v1/nearby?lat=52.334&lon=-0.076&radius_km=5&kind=venues"},
		}
		for _, c := range same {
			t.Run(c.byPlace, func(t *testing.T) {
				got, want := s.get(t, c.byPlace, ""), s.get(t, c.byPoint, "")
				delete(got, "next_cursor")
				delete(want, "next_cursor")
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
			})
		}
		match := func(near any) map[string]any {
			return map[string]any{"near": near, "radius_km": 5, "group_size": 10, "activity": "contemporary",
				"sessions": []any{map[string]any{"start": "2027-01-18T10:00:00Z", "end": "2027-01-18T11:00:00Z"}}}
		}
		_, _, got := s.do(t, "POST", "/v1/match/venues", "", match(map[string]any{"place": "CB7 4AA"}))
		_, _, want := s.do(t, "POST", "/v1/match/venues", "", match(map[string]any{"lat": 52.398, "lon": 0.262}))
		if !reflect.DeepEqual(got, want) || len(want["matches"].([]any)) == 0 {
			t.Errorf("match near CB7 4AA: got %v, want %v (with matches)", got, want)
		}
		consortium := func(near any) map[string]any {
			return map[string]any{"requirements": []string{"space.dance-studio"}, "near": near, "radius_km": 10}
		}
		_, _, got = s.do(t, "POST", "/v1/match/consortium", "", consortium(map[string]any{"place": "cb7 4aa"}))
		_, _, want = s.do(t, "POST", "/v1/match/consortium", "", consortium(map[string]any{"lat": 52.398, "lon": 0.262}))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("consortium near cb7 4aa: got %v, want %v", got, want)
		}
		for _, c := range []badCase{
			{name: "unknown postcode on nearby", method: "GET", path: "/v1/nearby?place=CB7+9ZZ", field: "place", message: `"CB7 9ZZ"`},
			{name: "unknown district on spaces", method: "GET", path: "/v1/spaces?place=ZZ9", field: "place", message: `"ZZ9"`},
			{name: "unknown postcode in match", method: "POST", path: "/v1/match/venues", body: match(map[string]any{"place": "cb79zz"}),
				field: "near.place", message: "cb79zz"},
		} {
			c.want = http.StatusBadRequest
			t.Run(c.name, func(t *testing.T) { c.run(t, s, token) })
		}
	})
}

func nearly(a, b float64) bool { d := a - b; return d < 1e-6 && d > -1e-6 }

// TestVenuePlacedByPostcode: a venue sent with a postcode and no location
// is placed at the postcode, and moved when a PATCH changes the postcode
// without a location.
func TestVenuePlacedByPostcode(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		importTestPostcodes(t, db)
		_, token := s.registerAt(t, "Fen Dance", 52.39, 0.26)
		loc := func(m map[string]any) [2]float64 {
			l, _ := m["location"].(map[string]any)
			lat, _ := l["lat"].(float64)
			lon, _ := l["lon"].(float64)
			return [2]float64{lat, lon}
		}
		body := with(venueBody("Cathedral Hall", 0, 0), "location", nil, "postcode", "cb74aa")
		status, _, v := s.do(t, "POST", "/v1/venues", token, body)
		wantStatus(t, "create by postcode", status, http.StatusCreated, v)
		if got := loc(v); got != [2]float64{52.398, 0.262} {
			t.Errorf("placed at %v, want CB7 4AA's 52.398, 0.262", got)
		}
		id := v["id"].(string)
		// The read model has it where the postcode is.
		near := s.get(t, "/v1/venues?place=CB7+4AA&radius_km=1", "")
		if items := near["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != id {
			t.Errorf("venues near CB7 4AA: %v, want the new venue", items)
		}

		steps := []struct {
			name   string
			patch  map[string]any
			status int
			want   [2]float64
		}{
			{"same postcode spelled otherwise stays", map[string]any{"postcode": "CB7 4AA"}, 200, [2]float64{52.398, 0.262}},
			{"moved by hand", map[string]any{"location": map[string]any{"lat": 52.3985, "lon": 0.2625}}, 200, [2]float64{52.3985, 0.2625}},
			{"new postcode moves it", map[string]any{"postcode": "CB7 5BA"}, 200, [2]float64{52.335, 0.336}},
			{"postcode with a location takes the location", map[string]any{"postcode": "PE19 1AA", "location": map[string]any{"lat": 52.23, "lon": -0.27}}, 200, [2]float64{52.23, -0.27}},
			{"unknown new postcode", map[string]any{"postcode": "PE19 9ZZ"}, 400, [2]float64{52.23, -0.27}},
			{"not a postcode", map[string]any{"postcode": "St Neots"}, 400, [2]float64{52.23, -0.27}},
			{"postcode cleared stays", map[string]any{"postcode": ""}, 200, [2]float64{52.23, -0.27}},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				status, _, m := s.do(t, "PATCH", "/v1/venues/"+id, token, st.patch)
				wantStatus(t, st.name, status, st.status, m)
				if status == http.StatusBadRequest {
					if _, ok := fieldMessage(problem(t, m), "postcode"); !ok {
						t.Errorf("got fields %v, want postcode", fieldNames(problem(t, m)))
					}
				}
				if got := loc(s.get(t, "/v1/venues/"+id, "")); got != st.want {
					t.Errorf("at %v, want %v", got, st.want)
				}
			})
		}
	})
}

// unavailablePostcodes is a store whose postcodes cannot be read.
type unavailablePostcodes struct{ *store.DB }

func (unavailablePostcodes) Postcode(context.Context, string) (geo.Place, error) {
	return geo.Place{}, fmt.Errorf("postcode: %w", matching.ErrUnavailable)
}

func (unavailablePostcodes) PostcodeDistrict(context.Context, string) (geo.Place, error) {
	return geo.Place{}, fmt.Errorf("postcode district: %w", matching.ErrUnavailable)
}

func (unavailablePostcodes) SearchPostcodes(context.Context, string, int) ([]geo.Place, error) {
	return nil, fmt.Errorf("postcodes: %w", matching.ErrUnavailable)
}

// TestPlacesWhenPostcodesUnavailable: a postcode that cannot be looked up
// is a 503, not a 400 saying it is unknown; a place name needs no database.
func TestPlacesWhenPostcodesUnavailable(t *testing.T) {
	eachServer(t, func(t *testing.T, _ *server, db *store.DB) {
		s := newServer(t, unavailablePostcodes{db})
		_, token := s.registerAt(t, "Fen Dance", 52.39, 0.26)
		for _, r := range []request{
			{method: "GET", path: "/v1/places?q=CB7+4AA"},
			{method: "GET", path: "/v1/places?q=CB7"},
			{method: "GET", path: "/v1/nearby?place=CB7+4AA"},
			{method: "GET", path: "/v1/spaces?place=CB7+4AA&radius_km=zero"},
			{method: "POST", path: "/v1/match/venues", body: map[string]any{"near": map[string]any{"place": "CB7 4AA"}, "radius_km": 5,
				"group_size": 10, "activity": "contemporary", "sessions": []any{}}},
			{method: "POST", path: "/v1/venues", token: token, body: with(venueBody("V", 0, 0), "location", nil, "postcode", "CB7 4AA")},
		} {
			status, _, raw := s.send(t, r)
			if status != http.StatusServiceUnavailable {
				t.Errorf("%s %s: got %d, want 503; body %s", r.method, r.path, status, raw)
			}
		}
		for _, path := range []string{"/v1/places?q=Ely", "/v1/nearby?place=Ely", "/v1/places?q=el"} {
			if status, _, raw := s.send(t, request{method: "GET", path: path}); status != http.StatusOK {
				t.Errorf("%s: got %d, want 200; body %s", path, status, raw)
			}
		}
	})
}

// TestLocationByPlace: an organisation's or a venue's location may be sent
// as {"place": …}, and is stored as that place's centre.
func TestLocationByPlace(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		importTestPostcodes(t, db)
		loc := func(m map[string]any) [2]float64 {
			l, _ := m["location"].(map[string]any)
			lat, _ := l["lat"].(float64)
			lon, _ := l["lon"].(float64)
			return [2]float64{lat, lon}
		}
		status, _, reg := s.do(t, "POST", "/v1/organisations", "", with(orgBody("Ely Movers", 0, 0), "location", map[string]any{"place": "Ely"}))
		wantStatus(t, "register by place", status, http.StatusCreated, reg)
		org := reg["organisation"].(map[string]any)
		token := reg["token"].(string)
		if got := loc(org); got != [2]float64{52.399, 0.262} {
			t.Errorf("organisation at %v, want Ely's centre 52.399, 0.262", got)
		}
		status, _, m := s.do(t, "PATCH", "/v1/organisations/"+org["id"].(string), token, map[string]any{"location": map[string]any{"place": "PE19 1AA"}})
		wantStatus(t, "move by postcode", status, http.StatusOK, m)
		if got := loc(m); got != [2]float64{52.228, -0.270} {
			t.Errorf("organisation moved to %v, want PE19 1AA's 52.228, -0.27", got)
		}
		status, _, v := s.do(t, "POST", "/v1/venues", token, with(venueBody("Hall", 0, 0), "location", map[string]any{"place": "cb7 4ab"}))
		wantStatus(t, "venue by place", status, http.StatusCreated, v)
		if got := loc(v); got != [2]float64{52.400, 0.266} {
			t.Errorf("venue at %v, want CB7 4AB's 52.4, 0.266", got)
		}
		status, _, v = s.do(t, "PATCH", "/v1/venues/"+v["id"].(string), token, map[string]any{"location": map[string]any{"place": "Cambridge"}})
		wantStatus(t, "venue moved by place", status, http.StatusOK, v)
		if got := loc(v); got != [2]float64{cLat, cLon} {
			t.Errorf("venue moved to %v, want Cambridge's centre", got)
		}
		for _, c := range []badCase{
			{name: "unknown place", method: "POST", path: "/v1/organisations",
				body: with(orgBody("Lost", 0, 0), "location", map[string]any{"place": "Atlantis"}), field: "location.place", message: "Atlantis"},
			{name: "place and lat", method: "POST", path: "/v1/venues", owner: true,
				body: with(venueBody("Both", 0, 0), "location", map[string]any{"place": "Ely", "lat": 52.0}), field: "location.place", message: "not both"},
			{name: "unknown postcode on PATCH", method: "PATCH", path: "/v1/organisations/" + org["id"].(string), owner: true,
				body: map[string]any{"location": map[string]any{"place": "CB7 9ZZ"}}, field: "location.place", message: "CB7 9ZZ"},
		} {
			c.want = http.StatusBadRequest
			t.Run(c.name, func(t *testing.T) { c.run(t, s, token) })
		}
	})
}
