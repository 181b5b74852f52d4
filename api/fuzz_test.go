package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"commonground/api"
	"commonground/geo"
	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

// FuzzDecodeStrict checks the strict decoder on every request body type:
// it never panics, refuses with an ErrInvalid that names at least one
// problem, accepts only valid JSON, and what it accepts survives a round
// trip unchanged.
func FuzzDecodeStrict(f *testing.F) {
	for _, s := range []string{
		`{}`, `null`, ``, ` `, `[]`, `"x"`, `{"name": "x"}`, `{"name": 5}`, `{"nmae": "x"}`,
		validOrg, validOrg + ` x`, validOrg + validOrg, `{"location": {"lat": 1e400}}`,
		`{"capacity": 2.5}`, `{"opening_hours": [{"day": 1}]}`, `{"closures": [{"start": null}]}`,
		`{"accessibility": {"step_free": "yes"}}`, `{"name": "\u0000"}`, "{\"name\": \"\xff\"}",
		`{"prices": [{"tier": "community", "pence_per_hour": 99999999999999999999}]}`,
		`{"offers": [{"category": "skill.marketing", "description": "\u0000"}]}`, `{"name": "\\u0000"}`,
	} {
		f.Add([]byte(s))
	}
	for _, b := range []map[string]any{orgBody("Seed", cLat, cLon), venueBody("Seed", cLat, cLon), spaceBody("Seed")} {
		j, _ := json.Marshal(b)
		f.Add(j)
	}
	types := []func() any{
		func() any { return new(api.OrganisationIn) },
		func() any { return new(api.OrganisationPatch) },
		func() any { return new(api.ItemIn) },
		func() any { return new(api.VenueIn) },
		func() any { return new(api.SpaceIn) },
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkStrictDecode(t, body, types) })
}

// checkStrictDecode decodes body into each of types with DecodeStrict: a
// refusal must be a ValidationError naming at least one problem, each
// with a message; an acceptance must be of valid JSON with no NUL in any
// string, and survive a round trip unchanged.
func checkStrictDecode(t *testing.T, body []byte, types []func() any) {
	t.Helper()
	var generic any
	nul := json.Unmarshal(body, &generic) == nil && hasNUL(generic)
	for _, newDst := range types {
		dst := newDst()
		err := api.DecodeStrict(body, dst)
		if err != nil {
			var ve *matching.ValidationError
			if !errors.Is(err, matching.ErrInvalid) || !errors.As(err, &ve) || len(ve.Errors) == 0 {
				t.Fatalf("DecodeStrict(%q) into %T: got error %v (%T), want a ValidationError", body, dst, err, err)
			}
			for _, fe := range ve.Errors {
				if fe.Message == "" {
					t.Errorf("DecodeStrict(%q) into %T: field %q has no message", body, dst, fe.Field)
				}
			}
			continue
		}
		if !json.Valid(body) {
			t.Fatalf("DecodeStrict(%q) into %T: accepted invalid JSON", body, dst)
		}
		if nul {
			t.Fatalf("DecodeStrict(%q) into %T: accepted a NUL character", body, dst)
		}
		again, err := json.Marshal(dst)
		if err != nil {
			t.Fatalf("re-encode %T: %v", dst, err)
		}
		dst2 := newDst()
		if err := api.DecodeStrict(again, dst2); err != nil {
			t.Fatalf("DecodeStrict(%s) of its own output: %v", again, err)
		}
		if !reflect.DeepEqual(dst, dst2) {
			t.Fatalf("round trip of %T changed it:\n got %+v\nwant %+v", dst, dst2, dst)
		}
	}
}

// hasNUL reports whether a decoded JSON value holds a NUL character in
// any string or object key.
func hasNUL(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.ContainsRune(v, 0)
	case []any:
		return slices.ContainsFunc(v, hasNUL)
	case map[string]any:
		for k, x := range v {
			if strings.ContainsRune(k, 0) || hasNUL(x) {
				return true
			}
		}
	}
	return false
}

// fuzzServer is a server on an in-memory SQLite store for fuzzing, or on
// PostgreSQL when FUZZ_DIALECT=postgres (and TEST_DATABASE_URL is set).
func fuzzServer(f *testing.F) (*server, *store.DB) {
	d := store.SQLite
	if os.Getenv("FUZZ_DIALECT") == string(store.Postgres) {
		d = store.Postgres
	}
	db := storetest.Open(f, d)
	return newServer(f, db), db
}

// serve sends one request straight to the router.
func (s *server) serve(method, target, token string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/", bytes.NewReader(body))
	u, err := url.ParseRequestURI(target)
	if err != nil {
		panic(err)
	}
	req.URL = u
	req.RequestURI = target
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return rec
}

// checkAnswer fails t on a 5xx or a status outside allowed, and checks that
// answers other than success are problems.
func checkAnswer(t *testing.T, what string, rec *httptest.ResponseRecorder, success int, allowed ...int) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%s: got status %d: %s", what, rec.Code, rec.Body.Bytes())
	}
	if rec.Code != success && !contains(allowed, rec.Code) {
		t.Fatalf("%s: got status %d, want %d or one of %v: %s", what, rec.Code, success, allowed, rec.Body.Bytes())
	}
	if rec.Code == success {
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("%s: %d body is not a JSON object: %v", what, success, err)
		}
		return
	}
	checkProblem(t, what, rec.Code, rec.Header(), rec.Body.Bytes())
	if t.Failed() {
		t.FailNow()
	}
}

func contains(list []int, x int) bool {
	for _, y := range list {
		if x == y {
			return true
		}
	}
	return false
}

func counts(t testing.TB, db *store.DB) store.Counts {
	t.Helper()
	c, err := db.Count(t.Context())
	if err != nil {
		t.Fatalf("Count: %v", err)
	}
	return c
}

// addBodySeeds adds bodies every request fuzzer starts from.
func addBodySeeds(f *testing.F, valid map[string]any, extra ...string) {
	j, _ := json.Marshal(valid)
	f.Add(j)
	for _, s := range append([]string{``, `{}`, `null`, `[]`, `{"name": 5}`, `{"x": 1}`, `{"name": "x"} x`}, extra...) {
		f.Add([]byte(s))
	}
}

// FuzzOrganisationRequest posts arbitrary registrations: never a 5xx, a
// problem for anything but 201, and a refused body stores nothing.
func FuzzOrganisationRequest(f *testing.F) {
	s, db := fuzzServer(f)
	addBodySeeds(f, orgBody("Seed", cLat, cLon),
		`{"name": "x", "type": "arts", "location": {"lat": 91, "lon": 0}}`,
		`{"name": "x", "type": "arts", "location": {"lat": 1, "lon": 2}, "values": ["greed"]}`,
		`{"name": "x", "type": "arts", "location": {"lat": 1, "lon": 2}, "offers": [{"category": "skill.marketing", "hours_per_month": -1}]}`,
		`{"name": "\u0000", "type": "arts", "location": {"lat": 1, "lon": 2}}`,
		`{"name": "x", "type": "arts", "location": {"place": "St. Ives"}}`,
		`{"name": "x", "type": "arts", "location": {"place": "cb7 4dl", "lon": 2}}`,
		`{"name": "x", "type": "arts", "location": {"place": ""}}`,
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		before := counts(t, db)
		rec := s.serve("POST", "/v1/organisations", "", body)
		checkAnswer(t, "POST /v1/organisations", rec, http.StatusCreated, http.StatusBadRequest)
		after := counts(t, db)
		if rec.Code != http.StatusCreated && after != before {
			t.Fatalf("a refused registration changed the store: %+v → %+v", before, after)
		}
		if rec.Code == http.StatusCreated && after.Organisations != before.Organisations+1 {
			t.Fatalf("a registration added %d organisations", after.Organisations-before.Organisations)
		}
	})
}

// FuzzVenueRequest posts arbitrary venues and patches one with the same
// body: never a 5xx, a problem on refusal, and a refused PATCH changes
// nothing.
func FuzzVenueRequest(f *testing.F) {
	s, db := fuzzServer(f)
	_, token := s.registerAt(f, "Fuzz owner", cLat, cLon)
	venueID := s.venue(f, token, "Fuzz hall", cLat, cLon)
	addBodySeeds(f, venueBody("Seed", cLat, cLon),
		`{"name": "x", "location": {"lat": 1, "lon": 2}, "timezone": "Mars/Base"}`,
		`{"name": "x", "location": {"lat": 1, "lon": 2}, "timezone": "../../etc/passwd"}`,
		`{"name": "x", "location": {"lat": 1, "lon": 2}, "organisation_id": "other"}`,
		`{"location": {"lat": 91, "lon": 0}}`,
		`{"accessibility": {"parking": true}}`,
		`{"name": "x", "postcode": "cb7 4aa"}`,
		`{"name": "x", "postcode": "CB7 9ZZ"}`,
		`{"name": "x", "postcode": "CB7"}`,
		`{"postcode": "CB74AA", "location": {"lat": 1, "lon": 2}}`,
		`{"name": "x", "location": {"place": "CB7"}}`,
	)
	if _, err := db.ImportPostcodes(f.Context(), []geo.Place{{Name: "CB7 4AA", Kind: geo.KindPostcode, Point: geo.MustPoint(52.398, 0.262)}}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		before := counts(t, db)
		rec := s.serve("POST", "/v1/venues", token, body)
		checkAnswer(t, "POST /v1/venues", rec, http.StatusCreated, http.StatusBadRequest, http.StatusForbidden)
		if after := counts(t, db); rec.Code != http.StatusCreated && after != before {
			t.Fatalf("a refused venue changed the store: %+v → %+v", before, after)
		}

		was := s.serve("GET", "/v1/venues/"+venueID, "", nil).Body.String()
		rec = s.serve("PATCH", "/v1/venues/"+venueID, token, body)
		checkAnswer(t, "PATCH /v1/venues/{id}", rec, http.StatusOK, http.StatusBadRequest)
		if now := s.serve("GET", "/v1/venues/"+venueID, "", nil).Body.String(); rec.Code != http.StatusOK && now != was {
			t.Fatalf("a refused PATCH changed the venue:\n%s\n→\n%s", was, now)
		}
	})
}

// FuzzSpaceRequest posts arbitrary spaces into a venue and patches one
// with the same body: never a 5xx, a problem on refusal, and a refused
// write leaves nothing behind.
func FuzzSpaceRequest(f *testing.F) {
	s, db := fuzzServer(f)
	_, token := s.registerAt(f, "Fuzz owner", cLat, cLon)
	venueID := s.venue(f, token, "Fuzz hall", cLat, cLon)
	spaceID := s.space(f, token, venueID, spaceBody("Fuzz studio")).ID
	addBodySeeds(f, spaceBody("Seed"),
		`{"opening_hours": [{"day": "mon", "opens": "18:00", "closes": "09:00"}]}`,
		`{"opening_hours": [{"day": "funday", "opens": "25:00", "closes": "9:00"}]}`,
		`{"opening_hours": [{"day": "thu", "opens": "09:00", "closes": "13:00"}, {"day": "thu", "opens": "12:00", "closes": "18:00"}]}`,
		`{"closures": [{"start": "2027-05-02T00:00:00Z", "end": "2027-05-01T00:00:00Z"}]}`,
		`{"closures": [{"start": "0000-01-01T00:00:00Z", "end": "9999-12-31T23:59:59Z"}]}`,
		`{"prices": [{"tier": "vip", "pence_per_hour": -1}], "prohibited_activities": ["moonwalk"]}`,
		`{"floor_area_m2": 1e308, "capacity": 2147483648, "ceiling_height_m": -0}`,
		`{"kind": "outdoor", "indoor": true, "surface": "grass"}`,
		`{"indoor": false, "surface": "paving", "tap_boards": true, "rigging_points": [{"rated_load_kg": 1000}, {"rated_load_kg": -1}]}`,
		`{"surface": "", "rigging_points": [{"rated_load_kg": 1e400}], "indoor": null}`,
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		before := counts(t, db)
		rec := s.serve("POST", "/v1/venues/"+venueID+"/spaces", token, body)
		checkAnswer(t, "POST /v1/venues/{id}/spaces", rec, http.StatusCreated, http.StatusBadRequest)
		if after := counts(t, db); rec.Code != http.StatusCreated && after != before {
			t.Fatalf("a refused space changed the store: %+v → %+v", before, after)
		}

		was := s.serve("GET", "/v1/spaces/"+spaceID, "", nil).Body.String()
		rec = s.serve("PATCH", "/v1/spaces/"+spaceID, token, body)
		checkAnswer(t, "PATCH /v1/spaces/{id}", rec, http.StatusOK, http.StatusBadRequest)
		if now := s.serve("GET", "/v1/spaces/"+spaceID, "", nil).Body.String(); rec.Code != http.StatusOK && now != was {
			t.Fatalf("a refused PATCH changed the space:\n%s\n→\n%s", was, now)
		}
	})
}

// queryFixture gives the list and nearby fuzzers something to find.
func queryFixture(f *testing.F) *server {
	s, _ := fuzzServer(f)
	for i := range 4 {
		lat, lon := offset(cLat, cLon, float64(i), float64(-i))
		_, token := s.registerAt(f, fmt.Sprintf("Org %d", i), lat, lon)
		venueID := s.venue(f, token, fmt.Sprintf("Venue %d", i), lat, lon)
		s.space(f, token, venueID, spaceBody(fmt.Sprintf("Studio %d", i)))
		s.space(f, token, venueID, with(spaceBody(fmt.Sprintf("Hall %d", i)), "kind", "hall", "prohibited_activities", []string{}))
	}
	return s
}

// withCursor returns the raw query with cursor set to next, parsed the
// way the server parses it.
func withCursor(raw, next string) string {
	q, _ := url.ParseQuery(raw)
	q.Set("cursor", next)
	return q.Encode()
}

// target builds a request target from a path and a raw query, or reports
// that no client could send it.
func target(path, raw string) (string, bool) {
	t := path + "?" + raw
	if strings.ContainsAny(raw, "# \t\r\n\x00\x7f") {
		return "", false
	}
	if _, err := url.ParseRequestURI(t); err != nil {
		return "", false
	}
	return t, true
}

// FuzzListQuery sends arbitrary query strings to the lists: 200 or 400
// only, a list shape on 200, and the cursor a 200 hands out is accepted.
func FuzzListQuery(f *testing.F) {
	s := queryFixture(f)
	for _, q := range []string{
		"", "limit=1", "limit=0", "limit=501", "near=52.2053,0.1218&radius_km=5&limit=2", "near=abc",
		"near=91,0", "radius_km=-1", "cursor=%25%25", "kind=hall&min_capacity=10&activity=aerial",
		"foo=bar", "limit=1&limit=2", "near=NaN,Inf", "organisation_id=%FF", "venue_id=%00",
		"cursor=eyJxIjoieCIsImkiOiJ5IiwiZCI6LTF9", "near=-90,180&radius_km=1000",
		"place=Cambridge&radius_km=3", "place=CB7+4DL", "place=cb7", "place=Atlantis&near=1,2", "place=SW1A+1",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, path := range []string{"/v1/spaces", "/v1/venues", "/v1/organisations"} {
			tg, ok := target(path, raw)
			if !ok {
				return
			}
			rec := s.serve("GET", tg, "", nil)
			checkAnswer(t, "GET "+tg, rec, http.StatusOK, http.StatusBadRequest)
			if rec.Code != http.StatusOK {
				continue
			}
			var page struct {
				Items      []map[string]any `json:"items"`
				NextCursor *string          `json:"next_cursor"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || page.Items == nil {
				t.Fatalf("GET %s: got %s, want a list", tg, rec.Body.Bytes())
			}
			if page.NextCursor != nil {
				next := path + "?" + withCursor(raw, *page.NextCursor)
				rec := s.serve("GET", next, "", nil)
				if rec.Code != http.StatusOK {
					t.Fatalf("GET %s with the cursor it handed out: got status %d: %s", tg, rec.Code, rec.Body.Bytes())
				}
			}
		}
	})
}

// FuzzNearbyQuery sends arbitrary query strings to GET /v1/nearby: 200 or
// 400 only, GeoJSON on 200, and its cursor is accepted.
func FuzzNearbyQuery(f *testing.F) {
	s := queryFixture(f)
	for _, q := range []string{
		"lat=52.2&lon=0.12", "lat=52.2&lon=0.12&radius_km=5&kind=venues&limit=1", "lat=91&lon=0",
		"lat=0&lon=181", "lat=52.2&lon=0.12&kind=bogus", "lat=52.2&lon=0.12&kind=offers&category=skill.dance-teaching",
		"lat=52.2&lon=0.12&kind=organisations&type=arts", "lat=52.2&lon=0.12&kind=spaces&activity=aerial&min_capacity=5",
		"lat=NaN&lon=Inf", "lat=-90&lon=-180&radius_km=1000", "lat=52.2&lon=0.12&cursor=abc", "",
		"lat=52.2&lon=0.12&free_from=2027-01-11T18:00:00Z&free_until=2027-01-11T20:00:00%2B01:00&min_stars=2&limit=1",
		"lat=52.2&lon=0.12&free_from=2027-01-11T18:00:00Z&free_until=2027-01-25T18:00:00Z",
		"lat=52.2&lon=0.12&kind=venues&free_from=2027-01-11T18:00:00Z&min_stars=9",
		"place=Ely&radius_km=20", "place=CB7", "place=cb74dl&lat=1", "place=st.+ives&kind=venues", "place=pe19+1",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tg, ok := target("/v1/nearby", raw)
		if !ok {
			return
		}
		rec := s.serve("GET", tg, "", nil)
		if rec.Code >= 500 || (rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest) {
			t.Fatalf("GET %s: got status %d, want 200 or 400: %s", tg, rec.Code, rec.Body.Bytes())
		}
		if rec.Code != http.StatusOK {
			checkProblem(t, "GET "+tg, rec.Code, rec.Header(), rec.Body.Bytes())
			return
		}
		if mt, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type")); mt != "application/geo+json" {
			t.Fatalf("GET %s: got Content-Type %q", tg, rec.Header().Get("Content-Type"))
		}
		var fc featureCollection
		if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil || fc.Type != "FeatureCollection" || fc.Features == nil {
			t.Fatalf("GET %s: got %s, want a FeatureCollection", tg, rec.Body.Bytes())
		}
		if rec.Header().Get("ETag") == "" {
			t.Fatalf("GET %s: no ETag", tg)
		}
		if fc.NextCursor != nil {
			next := "/v1/nearby?" + withCursor(raw, *fc.NextCursor)
			if rec := s.serve("GET", next, "", nil); rec.Code != http.StatusOK {
				t.Fatalf("GET %s with the cursor it handed out: got status %d: %s", tg, rec.Code, rec.Body.Bytes())
			}
		}
	})
}
