package api_test

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strconv"
	"strings"
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

// TestClientAddress checks that the rate limits and the request log go by
// the peer address unless the peer is a trusted proxy: a client cannot
// take a fresh bucket per request by sending X-Forwarded-For or X-Real-IP.
func TestClientAddress(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, c := range []struct {
		name    string
		trusted []netip.Prefix
		header  string
		// wantForwarded: each request counts as its forwarded address.
		wantForwarded bool
	}{
		{"no proxy trusted, X-Forwarded-For", nil, "X-Forwarded-For", false},
		{"no proxy trusted, X-Real-IP", nil, "X-Real-IP", false},
		{"another proxy trusted", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, "X-Forwarded-For", false},
		{"peer trusted, X-Forwarded-For", loopback, "X-Forwarded-For", true},
		{"peer trusted, X-Real-IP", loopback, "X-Real-IP", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := storetest.Open(t, store.SQLite)
			logs := &logBuffer{}
			fixed := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
			h := api.NewRouter(api.Config{Store: db, Taxonomy: seed.Taxonomy(), AdminToken: adminToken,
				Logger: slog.New(slog.NewTextHandler(logs, nil)), Now: func() time.Time { return fixed },
				WritesPerSecond: 1, WriteBurst: 2, TrustedProxies: c.trusted})
			ts := httptest.NewServer(h)
			t.Cleanup(ts.Close)
			s := &server{store: db, handler: h, url: ts.URL, client: ts.Client()}

			var statuses []int
			for i := range 3 {
				addr := fmt.Sprintf("203.0.113.%d", i+1)
				status, _, _ := s.send(t, request{method: "POST", path: "/v1/organisations",
					body: orgBody(fmt.Sprintf("Org %d", i), cLat, cLon), header: map[string]string{c.header: addr}})
				statuses = append(statuses, status)
			}
			want := []int{http.StatusCreated, http.StatusCreated, http.StatusTooManyRequests}
			if c.wantForwarded {
				want = []int{http.StatusCreated, http.StatusCreated, http.StatusCreated}
			}
			if !slices.Equal(statuses, want) {
				t.Errorf("three registrations, each from a different claimed address: got %v, want %v", statuses, want)
			}
			peer, _, _ := net.SplitHostPort(strings.TrimPrefix(ts.URL, "http://"))
			wantClient := "client=" + peer
			if c.wantForwarded {
				wantClient = "client=203.0.113.3 proxy=" + peer
			}
			if !strings.Contains(logs.String(), wantClient) || strings.Contains(logs.String(), "203.0.113.3") != c.wantForwarded {
				t.Errorf("request log: got\n%s\nwant %q on the last line and the claimed address only if believed", logs.String(), wantClient)
			}
		})
	}
}

// TestRateLimitHeaders checks the RateLimit-Policy and RateLimit fields
// (draft-ietf-httpapi-ratelimit-headers) on limited writes, and their
// absence on what is not limited.
func TestRateLimitHeaders(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	h := api.NewRouter(api.Config{Store: db, Taxonomy: seed.Taxonomy(), AdminToken: adminToken,
		Now: func() time.Time { return now }, WritesPerSecond: 0.5, WriteBurst: 3})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	s := &server{store: db, handler: h, url: ts.URL, client: ts.Client()}

	const policy = `"writes";q=3;w=6`
	for i, want := range []struct {
		status    int
		rateLimit string
	}{
		{http.StatusCreated, `"writes";r=2;t=2`},
		{http.StatusCreated, `"writes";r=1;t=4`},
		{http.StatusCreated, `"writes";r=0;t=6`},
		{http.StatusTooManyRequests, `"writes";r=0;t=6`},
	} {
		status, hdr, raw := s.send(t, request{method: "POST", path: "/v1/organisations", body: orgBody(fmt.Sprintf("Limited %d", i), cLat, cLon)})
		if status != want.status {
			t.Fatalf("registration %d: got %d, want %d; body %s", i, status, want.status, raw)
		}
		if got := hdr.Get("RateLimit-Policy"); got != policy {
			t.Errorf("registration %d: RateLimit-Policy %q, want %q", i, got, policy)
		}
		if got := hdr.Get("RateLimit"); got != want.rateLimit {
			t.Errorf("registration %d: RateLimit %q, want %q", i, got, want.rateLimit)
		}
		if status == http.StatusTooManyRequests && hdr.Get("Retry-After") != "2" {
			t.Errorf("registration %d: Retry-After %q, want 2", i, hdr.Get("Retry-After"))
		}
	}
	for _, r := range []request{
		{method: "GET", path: "/v1/taxonomy"},
		{method: "POST", path: "/v1/organisations", token: adminToken, body: orgBody("By the operator", cLat, cLon)},
	} {
		_, hdr, _ := s.send(t, r)
		if got := hdr.Get("RateLimit") + hdr.Get("RateLimit-Policy"); got != "" {
			t.Errorf("%s %s (not limited): RateLimit headers %q, want none", r.method, r.path, got)
		}
	}
}
