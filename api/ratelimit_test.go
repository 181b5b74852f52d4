package api_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"commonground/api"
	"commonground/seed"
	"commonground/store"
	"commonground/store/storetest"
)

func TestWriteRateLimit(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC).UnixNano())
	h := api.NewRouter(api.Config{Store: db, Taxonomy: seed.Taxonomy(), AdminToken: adminToken,
		Now: func() time.Time { return time.Unix(0, now.Load()) }, WritesPerSecond: 1, WriteBurst: 2})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	s := &server{store: db, handler: h, url: ts.URL, client: ts.Client()}

	// Registration is an anonymous write: limited per client address.
	a, aToken := s.registerAt(t, "A", cLat, cLon)
	_, bToken := s.registerAt(t, "B", cLat, cLon)
	status, hdr, raw := s.send(t, request{method: "POST", path: "/v1/organisations", body: orgBody("C", cLat, cLon)})
	if status != http.StatusTooManyRequests {
		t.Fatalf("third registration in a second: got %d %s, want 429", status, raw)
	}
	if secs, err := strconv.Atoi(hdr.Get("Retry-After")); err != nil || secs < 1 {
		t.Errorf("Retry-After %q, want whole seconds ≥ 1", hdr.Get("Retry-After"))
	}

	venues := func() int64 {
		n, _ := db.Count(t.Context())
		return n.Venues
	}
	for i := range 2 {
		status, _, m := s.do(t, "POST", "/v1/venues", aToken, venueBody("Hall", cLat, cLon))
		wantStatus(t, "venue "+strconv.Itoa(i), status, http.StatusCreated, m)
	}
	status, _, m := s.do(t, "POST", "/v1/venues", aToken, venueBody("Hall", cLat, cLon))
	wantStatus(t, "third venue in a second", status, http.StatusTooManyRequests, m)
	if n := venues(); n != 2 {
		t.Errorf("after a refused write: %d venues, want 2", n)
	}
	// Reads, matching and the operator pass; another organisation has its own bucket.
	for range 5 {
		status, _, m = s.do(t, "GET", "/v1/organisations/"+a, aToken, nil)
		wantStatus(t, "read", status, http.StatusOK, m)
		status, _, m = s.do(t, "POST", "/v1/match/venues", aToken, matchBody())
		wantStatus(t, "match", status, http.StatusServiceUnavailable, m) // no read model here: 503, not 429
	}
	status, _, m = s.do(t, "POST", "/v1/venues", bToken, venueBody("B hall", cLat, cLon))
	wantStatus(t, "another organisation", status, http.StatusCreated, m)
	status, _, m = s.do(t, "PATCH", "/v1/organisations/"+a, adminToken, map[string]any{"name": "A renamed"})
	wantStatus(t, "operator", status, http.StatusOK, m)
	// A second later there is one token again.
	now.Add(int64(time.Second))
	status, _, m = s.do(t, "POST", "/v1/venues", aToken, venueBody("Hall", cLat, cLon))
	wantStatus(t, "a second later", status, http.StatusCreated, m)
	status, _, m = s.do(t, "POST", "/v1/venues", aToken, venueBody("Hall", cLat, cLon))
	wantStatus(t, "and straight after", status, http.StatusTooManyRequests, m)
}
