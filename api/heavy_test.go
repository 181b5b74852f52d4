package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"commonground/api"
	"commonground/matching"
	"commonground/seed"
)

// newDemoServer serves the demo county's organisations from the read
// model alone (no store: the routes under test never reach it).
func newDemoServer(t *testing.T, cfg api.Config) *server {
	t.Helper()
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	l := e.Load()
	ds := seed.Demo(1)
	for i := range ds.Organisations {
		if err := l.Organisation(&ds.Organisations[i]); err != nil {
			t.Fatal(err)
		}
	}
	l.Commit(1)
	cfg.Engine, cfg.Taxonomy = e, seed.Taxonomy()
	h := api.NewRouter(cfg)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &server{handler: h, url: ts.URL, client: ts.Client()}
}

// worstConsortiumBody is the largest consortium request there is: 20
// requirements, 200 km, teams of 6, 20 teams. On the demo county its
// search runs into the engine's own bound after hundreds of milliseconds.
func worstConsortiumBody() map[string]any {
	var reqs []string
	for _, c := range seed.Taxonomy().Categories[:matching.MaxRequirements] {
		reqs = append(reqs, c.Slug)
	}
	return map[string]any{"requirements": reqs, "near": map[string]any{"lat": cLat, "lon": cLon},
		"radius_km": matching.MaxMatchRadiusKm, "max_members": matching.MaxConsortiumMembers, "limit": matching.MaxConsortia}
}

func TestConsortiumBudget(t *testing.T) {
	post := func(t *testing.T, s *server) (api.ConsortiumResult, time.Duration) {
		t.Helper()
		start := time.Now()
		status, _, raw := s.send(t, request{method: "POST", path: "/v1/match/consortium", body: worstConsortiumBody()})
		took := time.Since(start)
		if status != http.StatusOK {
			t.Fatalf("got status %d %s, want 200", status, raw)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		if _, ok := m["exhaustive"].(bool); !ok {
			t.Errorf("got exhaustive %v, want a boolean", m["exhaustive"])
		}
		return as[api.ConsortiumResult](t, m), took
	}
	// An hour is no bound: the search ends at the engine's own.
	unbounded, full := post(t, newDemoServer(t, api.Config{ConsortiumBudget: time.Hour}))
	bounded, short := post(t, newDemoServer(t, api.Config{ConsortiumBudget: 5 * time.Millisecond}))
	if bounded.Exhaustive {
		t.Errorf("got exhaustive true after the budget ran out, want false")
	}
	if len(bounded.Consortia) == 0 {
		t.Errorf("got no team, want the best found within the budget")
	}
	// How much sooner the bounded search answers is a figure for the load
	// runs (cmd/heavyload), not a test: wall times on a shared machine
	// vary more than the budget saves.
	t.Logf("unbounded: %v, %d teams; 5ms budget: %v, %d teams", full, len(unbounded.Consortia), short, len(bounded.Consortia))
}

func TestHeavyRequestsLimited(t *testing.T) {
	const clients = 6
	doc := openAPIDoc(t)
	s := newDemoServer(t, api.Config{ConsortiumBudget: 10 * time.Second, HeavySlots: 1, HeavyWait: time.Millisecond})
	// Each search holds the one slot for hundreds of milliseconds; the
	// others wait a millisecond for it and are turned away.
	type answer struct {
		status int
		h      http.Header
		raw    []byte
	}
	answers := make(chan answer, clients)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			status, h, raw := s.send(t, request{method: "POST", path: "/v1/match/consortium", body: worstConsortiumBody()})
			answers <- answer{status, h, raw}
		})
	}
	wg.Wait()
	close(answers)
	counts := map[int]int{}
	for a := range answers {
		counts[a.status]++
		if a.status != http.StatusServiceUnavailable {
			continue
		}
		// The longest a slot is held: the budget, 10 s.
		if got := a.h.Get("Retry-After"); got != "10" {
			t.Errorf("got Retry-After %q on a 503, want 10", got)
		}
		if p := problem(t, decode(t, "503", a.raw)); p.Type != "/problems/busy" {
			t.Errorf("got problem type %q, want /problems/busy", p.Type)
		}
		// As openapi.json says.
		var v any
		json.Unmarshal(a.raw, &v)
		oaCheckDeclared(t, doc, "busy consortium", "$", documentedSchema(t, doc, "POST", "/v1/match/consortium", a.status, a.h.Get("Content-Type")), v)
	}
	if counts[http.StatusOK] < 1 || counts[http.StatusServiceUnavailable] < 1 || counts[http.StatusOK]+counts[http.StatusServiceUnavailable] != clients {
		t.Errorf("got statuses %v from %d clients at once, want some 200 and some 503, nothing else", counts, clients)
	}

	// Once the slot is free, the next request is served.
	status, _, raw := s.send(t, request{method: "POST", path: "/v1/match/consortium", body: consortiumBody()})
	if status != http.StatusOK {
		t.Errorf("after the load: got status %d %s, want 200", status, raw)
	}
}

func TestHeavyRequestsUnlimited(t *testing.T) {
	const clients = 3
	s := newDemoServer(t, api.Config{ConsortiumBudget: 10 * time.Second, HeavySlots: -1, HeavyWait: time.Millisecond})
	statuses := make(chan int, clients)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			status, _, _ := s.send(t, request{method: "POST", path: "/v1/match/consortium", body: worstConsortiumBody()})
			statuses <- status
		})
	}
	wg.Wait()
	close(statuses)
	for status := range statuses {
		if status != http.StatusOK {
			t.Errorf("got status %d with no limit, want 200", status)
		}
	}
}

// TestHeavyKindsApart checks that consortium searches and partner matches
// have slots of their own: a flood of one does not turn the other away.
func TestHeavyKindsApart(t *testing.T) {
	s := newDemoServer(t, api.Config{ConsortiumBudget: 10 * time.Second, HeavySlots: 1, HeavyWait: time.Millisecond})
	id := seed.Demo(1).Organisations[0].ID
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			s.send(t, request{method: "POST", path: "/v1/match/consortium", body: worstConsortiumBody()})
		})
	}
	defer wg.Wait()
	time.Sleep(50 * time.Millisecond) // a search holds the consortium slot
	status, h, raw := s.send(t, request{method: "GET", path: "/v1/organisations/" + id + "/partners?radius_km=200&limit=100"})
	if status != http.StatusOK {
		t.Errorf("partner match during consortium searches: got status %d (Retry-After %q) %s, want 200", status, h.Get("Retry-After"), raw)
	}
}

// TestGroupSearchesLimited checks that searches for the groups a room
// suits are admitted a few at a time, as partner matches are, on slots of
// their own: with every slot taken the next search is answered 503 with
// Retry-After and a problem body, as openapi.json says, while partner
// matches are still served; once a slot is free the search is served. The
// test holds the slots itself, so nothing hangs on how long a search runs.
func TestGroupSearchesLimited(t *testing.T) {
	doc := openAPIDoc(t)
	ds := seed.Demo(1)
	h, release := api.NewRouterGroupsBusy(api.Config{Engine: countyEngine(t), Taxonomy: seed.Taxonomy(), HeavySlots: 1, HeavyWait: time.Millisecond})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	s := &server{handler: h, url: ts.URL, client: ts.Client()}
	groups := "/v1/spaces/" + ds.Spaces[0].ID + "/groups?radius_km=10"

	for _, method := range []string{"GET", "HEAD"} {
		status, hd, raw := s.send(t, request{method: method, path: groups})
		if status != http.StatusServiceUnavailable {
			t.Fatalf("%s groups with every slot taken: got status %d %s, want 503", method, status, raw)
		}
		// The longest a slot is held, in whole seconds.
		if got := hd.Get("Retry-After"); got != "1" {
			t.Errorf("%s groups: got Retry-After %q on a 503, want 1", method, got)
		}
		if got := hd.Get("Content-Type"); got != "application/problem+json" {
			t.Errorf("%s groups: got Content-Type %q on a 503, want application/problem+json", method, got)
		}
		if method == "HEAD" {
			continue
		}
		if p := problem(t, decode(t, "503", raw)); p.Type != "/problems/busy" || p.Status != http.StatusServiceUnavailable {
			t.Errorf("got problem type %q status %d, want /problems/busy 503", p.Type, p.Status)
		}
		var v any
		json.Unmarshal(raw, &v)
		oaCheckDeclared(t, doc, "busy groups", "$", documentedSchema(t, doc, "GET", "/v1/spaces/{id}/groups", status, hd.Get("Content-Type")), v)
	}

	// Partner matches have slots of their own.
	status, hd, raw := s.send(t, request{method: "GET", path: "/v1/organisations/" + ds.Organisations[0].ID + "/partners?radius_km=10"})
	if status != http.StatusOK {
		t.Errorf("partner match with every group slot taken: got status %d (Retry-After %q) %s, want 200", status, hd.Get("Retry-After"), raw)
	}

	release()
	status, _, raw = s.send(t, request{method: "GET", path: groups})
	if status != http.StatusOK {
		t.Errorf("groups once the slot is free: got status %d %s, want 200", status, raw)
	}
}
