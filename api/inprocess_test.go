package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"commonground/api"
	"commonground/matching"
	"commonground/seed"
)

// inProcess makes a request through the router as the web pages do,
// taking the answer as a Go value.
func inProcess(t *testing.T, s *server, method, target, body string) (*httptest.ResponseRecorder, *api.Answer) {
	t.Helper()
	ctx, answer := api.InProcess(t.Context())
	req := httptest.NewRequestWithContext(ctx, method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return rec, answer
}

// newCountyServer serves the demo county's organisations, venues and
// rooms from the read model alone.
func newCountyServer(t *testing.T) *server {
	t.Helper()
	h := api.NewRouter(api.Config{Engine: countyEngine(t), Taxonomy: seed.Taxonomy(), Places: seed.PlaceIndex()})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &server{handler: h, url: ts.URL, client: ts.Client()}
}

// countyEngine is a read model of the demo county's organisations, venues
// and rooms.
func countyEngine(t *testing.T) *matching.Engine {
	t.Helper()
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	l := e.Load()
	ds := seed.Demo(1)
	for i := range ds.Organisations {
		if err := l.Organisation(&ds.Organisations[i]); err != nil {
			t.Fatal(err)
		}
	}
	for i := range ds.Venues {
		if err := l.Venue(&ds.Venues[i]); err != nil {
			t.Fatal(err)
		}
	}
	for i := range ds.Spaces {
		if err := l.Space(&ds.Spaces[i]); err != nil {
			t.Fatal(err)
		}
	}
	l.Commit(1)
	return e
}

// sameJSON reports whether two JSON documents hold the same values.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%v: %.300s", err, a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%v: %.300s", err, b)
	}
	return reflect.DeepEqual(x, y)
}

// TestInProcessAnswers: a venue match and a nearby search taken in
// process hold what the wire carries, whether read as the API's own type
// or through JSON; and a failure is written as a problem as ever.
func TestInProcessAnswers(t *testing.T) {
	s := newCountyServer(t)
	match := `{"near":{"lat":52.2053,"lon":0.1218},"radius_km":15,"group_size":12,"activity":"contemporary",` +
		`"weekly":{"day":"tue","start":"18:00","end":"20:00","from":"2027-03-02","count":6},"tier":"community","limit":20,` +
		`"explain_space_id":"00000000-0000-4000-8000-000000000000"}`
	cases := []struct {
		name, method, path, body string
		// typed is a new value of the API type the answer is taken as.
		typed func() any
	}{
		{"venue match", http.MethodPost, "/v1/match/venues", match, func() any { return new(api.VenueMatchResult) }},
		{"nearby rooms", http.MethodGet, "/v1/nearby?lat=52.2053&lon=0.1218&radius_km=20&limit=30&kind=spaces", "",
			func() any { return new(api.NearbySpaces) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, _, wire := s.send(t, request{method: c.method, path: c.path, body: c.body})
			if status != http.StatusOK || !strings.Contains(string(wire), `"venue_id"`) {
				t.Fatalf("over the wire: %d %.300s; want rooms", status, wire)
			}
			rec, answer := inProcess(t, s, c.method, c.path, c.body)
			if rec.Code != http.StatusOK || !answer.Taken() || rec.Body.Len() != 0 {
				t.Fatalf("in process: status %d, taken %v, %d bytes written; want 200, taken, nothing written",
					rec.Code, answer.Taken(), rec.Body.Len())
			}
			// As the handler built it, its JSON is the wire's.
			got, err := json.Marshal(answer.Value())
			if err != nil {
				t.Fatal(err)
			}
			if !sameJSON(t, got, wire) {
				t.Errorf("the value's JSON differs from the wire's:\n%.600s\n%.600s", got, wire)
			}
			// Taken as its own type: the very value.
			typed := c.typed()
			if err := answer.Into(typed); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(reflect.ValueOf(typed).Interface(), answer.Value()) {
				t.Errorf("Into its own type changed the value")
			}
			// Taken as another type: through JSON, as a client reads it.
			var generic map[string]any
			if err := answer.Into(&generic); err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(generic)
			if !sameJSON(t, b, wire) {
				t.Errorf("read as JSON, the answer differs from the wire's")
			}
		})
	}

	t.Run("a failure is a problem", func(t *testing.T) {
		rec, answer := inProcess(t, s, http.MethodPost, "/v1/match/venues", `{"radius_km":"far"}`)
		if rec.Code != http.StatusBadRequest || answer.Taken() {
			t.Fatalf("status %d, taken %v; want 400, not taken", rec.Code, answer.Taken())
		}
		var p api.Problem
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != http.StatusBadRequest {
			t.Errorf("body %q is not a problem: %v", rec.Body, err)
		}
	})
}
