package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"commonground/api"
	"commonground/geo"
	"commonground/matching"
	"commonground/password"
	"commonground/seed"
	"commonground/store"
	"commonground/store/storetest"
)

// t0 is where the API's test clock starts; it moves one second per reading
// so timestamps the API sets are distinct and known. It lies in the past:
// the store stamps updated_at on updates with the real clock, which is
// therefore always later.
var t0 = time.Date(2024, 1, 8, 9, 0, 0, 0, time.UTC)

// adminToken is the operator token of every test server.
const adminToken = "operator-token-for-tests-0123456789"

// testPasswords are cheap argon2id costs for tests.
var testPasswords = password.Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32}

// badToken looks like a token but belongs to nobody.
const badToken = "cg_0000000000000000000000000000000000000000000000000000000000000000"

// Cambridge's market square: the centre of most located tests.
const cLat, cLon = 52.2053, 0.1218

// server is the real router in front of a real store, served over HTTP.
type server struct {
	follower *store.Follower
	store    api.Store
	handler  http.Handler
	url      string
	client   *http.Client
}

// eachServer runs fn on a fresh server per database (see storetest.Each).
func eachServer(t *testing.T, fn func(t *testing.T, s *server, db *store.DB)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fn(t, newServer(t, db), db)
	})
}

// newServer builds the router on st with the test taxonomy, clock and
// operator token, changed by opts. Warnings and errors it logs are shown
// if t fails.
func newServer(t testing.TB, st api.Store, opts ...func(*api.Config)) *server {
	t.Helper()
	logs := &logBuffer{}
	t.Cleanup(func() {
		if t.Failed() && logs.Len() > 0 {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := api.Config{
		Store:      st,
		Taxonomy:   seed.Taxonomy(),
		Logger:     log,
		AdminToken: adminToken,
		Now:        newClock(),
		Places:     seed.PlaceIndex(),
		// Cheap hashes: the service's own take 40 ms each, far more under
		// the race detector (BenchmarkHash in package password measures
		// them).
		PasswordParams: testPasswords,
	}
	for _, o := range opts {
		o(&cfg)
	}
	// On a real store, run with the read model as the service does.
	var follower *store.Follower
	if db, ok := st.(*store.DB); ok {
		cfg.Engine = matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
		f := &store.Follower{DB: db, Engine: cfg.Engine, Log: log}
		if err := f.Load(t.Context()); err != nil {
			t.Fatalf("load read model: %v", err)
		}
		cfg.Follower = f
		follower = f
	}
	h := api.NewRouter(cfg)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &server{follower: follower, store: st, handler: h, url: ts.URL, client: ts.Client()}
}

// catchUp brings the read model up to date with writes made to the store
// directly, as the background follower does in the service.
func (s *server) catchUp(t testing.TB) {
	t.Helper()
	if s.follower != nil {
		if err := s.follower.CatchUp(t.Context()); err != nil {
			t.Fatalf("catch up: %v", err)
		}
	}
}

func newClock() func() time.Time {
	var n atomic.Int64
	return func() time.Time { return t0.Add(time.Duration(n.Add(1)) * time.Second) }
}

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// request is one HTTP request for send.
type request struct {
	method, path, token string
	// body is nil (none), a string or []byte (sent as is), or any other
	// value (sent as JSON).
	body any
	// header adds or overrides headers; Content-Type defaults to
	// application/json when there is a body.
	header map[string]string
	// chunked sends the body without a Content-Length.
	chunked bool
}

// send makes one request and returns the status, headers and raw body. It
// fails t on a 500 and checks every 4xx/5xx body is a proper problem.
func (s *server) send(t testing.TB, r request) (int, http.Header, []byte) {
	t.Helper()
	var body io.Reader
	switch b := r.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("encode request body: %v", err)
		}
		body = bytes.NewReader(j)
	}
	if r.chunked && body != nil {
		body = io.MultiReader(body) // hides the length from NewRequest
	}
	req, err := http.NewRequestWithContext(t.Context(), r.method, s.url+r.path, body)
	if err != nil {
		t.Fatalf("new request %s %s: %v", r.method, r.path, err)
	}
	if r.chunked {
		req.ContentLength = -1
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", r.method, r.path, err)
	}
	if resp.StatusCode == http.StatusInternalServerError {
		t.Errorf("%s %s: got status 500, never acceptable; body %s", r.method, r.path, raw)
	}
	if resp.Header.Get("X-Request-ID") == "" {
		t.Errorf("%s %s: got no X-Request-ID header", r.method, r.path)
	}
	if resp.StatusCode >= 400 && r.method != http.MethodHead { // HEAD: no body to check
		checkProblem(t, fmt.Sprintf("%s %s", r.method, r.path), resp.StatusCode, resp.Header, raw)
	}
	return resp.StatusCode, resp.Header, raw
}

// do sends a request with an optional bearer token and body, and returns
// the status, the headers and the JSON body decoded (nil when empty).
func (s *server) do(t testing.TB, method, path, token string, body any) (int, http.Header, map[string]any) {
	t.Helper()
	status, h, raw := s.send(t, request{method: method, path: path, token: token, body: body})
	return status, h, decode(t, method+" "+path, raw)
}

func decode(t testing.TB, what string, raw []byte) map[string]any {
	t.Helper()
	if len(raw) == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: body is not a JSON object: %v: %s", what, err, raw)
	}
	return m
}

// as converts a decoded body to one of the API's typed shapes.
func as[T any](t testing.TB, m map[string]any) T {
	t.Helper()
	var v T
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("re-encode body: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("body does not fit %T: %v: %s", v, err, b)
	}
	return v
}

// checkProblem checks an error answer is RFC 9457 problem+json whose status
// is the HTTP status and whose request_id is the X-Request-ID header, with
// no stack trace or SQL in it.
func checkProblem(t testing.TB, what string, status int, h http.Header, raw []byte) api.Problem {
	t.Helper()
	if mt, _, _ := mime.ParseMediaType(h.Get("Content-Type")); mt != "application/problem+json" {
		t.Errorf("%s: got Content-Type %q, want application/problem+json", what, h.Get("Content-Type"))
	}
	var p api.Problem
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Errorf("%s: problem body does not decode: %v: %s", what, err, raw)
		return p
	}
	if p.Status != status {
		t.Errorf("%s: got problem status %d, want the HTTP status %d", what, p.Status, status)
	}
	if p.Type == "" || p.Title == "" {
		t.Errorf("%s: got problem type %q title %q, want both set", what, p.Type, p.Title)
	}
	if p.RequestID == "" || p.RequestID != h.Get("X-Request-ID") {
		t.Errorf("%s: got request_id %q, want the X-Request-ID header %q", what, p.RequestID, h.Get("X-Request-ID"))
	}
	lower := strings.ToLower(string(raw))
	for _, leak := range []string{"goroutine ", ".go:", "sqlstate", "select ", "insert into", "update \"", "sqlite", "pq:", "panic"} {
		if strings.Contains(lower, leak) {
			t.Errorf("%s: problem body leaks %q: %s", what, leak, raw)
		}
	}
	return p
}

// problem reads a decoded body as a problem.
func problem(t testing.TB, m map[string]any) api.Problem { t.Helper(); return as[api.Problem](t, m) }

// fieldMessage returns the message the problem gives for field and whether
// it names the field at all.
func fieldMessage(p api.Problem, field string) (string, bool) {
	for _, e := range p.Errors {
		if e.Field == field {
			return e.Message, true
		}
	}
	return "", false
}

func fieldNames(p api.Problem) []string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

// wantStatus fails t unless got is want.
func wantStatus(t testing.TB, what string, got, want int, body any) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: got status %d, want %d; body %v", what, got, want, body)
	}
}

// orgBody is a complete registration body at lat, lon.
func orgBody(name string, lat, lon float64) map[string]any {
	return map[string]any{
		"name":                     name,
		"type":                     "arts",
		"description":              "Dance for everyone in " + name,
		"website":                  "https://example.org/" + strings.ToLower(strings.ReplaceAll(name, " ", "-")),
		"email":                    "hello@example.org",
		"phone":                    "01223 000000",
		"location":                 map[string]any{"lat": lat, "lon": lon},
		"service_radius_km":        12.5,
		"values":                   []string{"inclusion"},
		"practices":                []string{},
		"exclusions":               []string{"animal-testing"},
		"capacity_hours_per_month": 20,
		"offers":                   []any{map[string]any{"category": "skill.dance-teaching", "description": "weekly classes", "hours_per_month": 8}},
		"needs":                    []any{map[string]any{"category": "space.dance-studio", "description": "a studio on Tuesdays", "hours_per_month": 4}},
	}
}

// register creates an organisation from body and returns its id and token.
func (s *server) register(t testing.TB, body map[string]any) (id, token string) {
	t.Helper()
	status, _, m := s.do(t, "POST", "/v1/organisations", "", body)
	wantStatus(t, "register "+fmt.Sprint(body["name"]), status, http.StatusCreated, m)
	org, _ := m["organisation"].(map[string]any)
	id, _ = org["id"].(string)
	token, _ = m["token"].(string)
	if id == "" || token == "" {
		t.Fatalf("register: got id %q token %q, want both", id, token)
	}
	return id, token
}

// registerAt registers an arts organisation called name at lat, lon.
func (s *server) registerAt(t testing.TB, name string, lat, lon float64) (id, token string) {
	t.Helper()
	return s.register(t, orgBody(name, lat, lon))
}

func venueBody(name string, lat, lon float64) map[string]any {
	return map[string]any{
		"name":     name,
		"address":  "1 Mill Road, Cambridge",
		"postcode": "CB1 2AD",
		"location": map[string]any{"lat": lat, "lon": lon},
		"accessibility": map[string]any{
			"step_free": true, "accessible_toilet": true, "hearing_loop": false, "parking": false,
		},
	}
}

// venue creates a venue owned by token's organisation and returns its id.
func (s *server) venue(t testing.TB, token, name string, lat, lon float64) string {
	t.Helper()
	status, _, m := s.do(t, "POST", "/v1/venues", token, venueBody(name, lat, lon))
	wantStatus(t, "create venue "+name, status, http.StatusCreated, m)
	return m["id"].(string)
}

// spaceBody is a full dance profile: a 5-star studio.
func spaceBody(name string) map[string]any {
	return map[string]any{
		"name":                  name,
		"kind":                  "studio",
		"capacity":              30,
		"floor_area_m2":         120.5,
		"ceiling_height_m":      4.5,
		"floor":                 "sprung",
		"mirrors":               true,
		"barres":                true,
		"sound_system":          true,
		"changing_rooms":        true,
		"climate_control":       true,
		"obstructions":          false,
		"prohibited_activities": []string{"aerial"},
		"instant_book":          true,
		// The API's test clock reads 2024 (t0) and the tests' sessions lie
		// in 2027: matching counts a room's booking horizon from that
		// clock, so test rooms take bookings as far ahead as allowed.
		// Tests of the horizon set their own.
		"booking_horizon_days": matching.MaxBookingHorizonDays,
		"prices": []any{
			map[string]any{"tier": "community", "pence_per_hour": 1500},
			map[string]any{"tier": "standard", "pence_per_hour": 2500},
		},
		"opening_hours": []any{
			map[string]any{"day": "mon", "opens": "09:00", "closes": "17:30"},
			map[string]any{"day": "mon", "opens": "18:00", "closes": "22:00"},
			map[string]any{"day": "sat", "opens": "10:00", "closes": "24:00"},
		},
		"closures": []any{
			map[string]any{"start": "2027-08-30T00:00:00+01:00", "end": "2027-08-31T00:00:00+01:00", "reason": "bank holiday"},
		},
	}
}

// space creates a space in venueID from body and returns it.
func (s *server) space(t testing.TB, token, venueID string, body map[string]any) api.Space {
	t.Helper()
	status, _, m := s.do(t, "POST", "/v1/venues/"+venueID+"/spaces", token, body)
	wantStatus(t, fmt.Sprintf("create space %v", body["name"]), status, http.StatusCreated, m)
	return as[api.Space](t, m)
}

// with returns a copy of m with the given keys set (a nil value deletes).
func with(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// offset moves a point northKm north and eastKm east (small distances).
func offset(lat, lon, northKm, eastKm float64) (float64, float64) {
	const kmPerDegree = geo.EarthRadiusM * math.Pi / 180 / 1000
	return lat + northKm/kmPerDegree, lon + eastKm/(kmPerDegree*math.Cos(lat*math.Pi/180))
}

// distanceKm is the true distance between two lat/lon pairs.
func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	return geo.DistanceKm(geo.MustPoint(lat1, lon1), geo.MustPoint(lat2, lon2))
}

// get fetches path and fails t unless it answers 200; it returns the body.
func (s *server) get(t testing.TB, path, token string) map[string]any {
	t.Helper()
	status, _, m := s.do(t, "GET", path, token, nil)
	wantStatus(t, "GET "+path, status, http.StatusOK, m)
	return m
}

// walk follows next_cursor from path (which has no cursor) to the end and
// returns every item's id in order, failing t if the walk does not end.
func (s *server) walk(t testing.TB, path string) (ids []string, items []map[string]any) {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	next := path
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("walk %s: more than 1000 pages", path)
		}
		m := s.get(t, next, "")
		raw, ok := m["items"].([]any)
		if !ok {
			t.Fatalf("GET %s: got no items list: %v", next, m)
		}
		for _, it := range raw {
			item := it.(map[string]any)
			ids = append(ids, item["id"].(string))
			items = append(items, item)
		}
		nc, present := m["next_cursor"]
		if !present {
			t.Fatalf("GET %s: next_cursor missing, want a string or null", next)
		}
		if nc == nil {
			return ids, items
		}
		if len(raw) == 0 {
			t.Fatalf("GET %s: empty page with a next_cursor", next)
		}
		next = path + sep + "cursor=" + nc.(string)
	}
}

// sameSet reports whether a and b hold the same strings, each once.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func hasDuplicates(ids []string) bool {
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			return true
		}
		seen[id] = true
	}
	return false
}
