package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"commonground/store"
)

// maxPageBytes bounds a page with its style sheets and scripts (not the
// map's tiles), so it loads on a phone over a poor connection.
const maxPageBytes = 250 << 10

var assetRefs = regexp.MustCompile(`<(?:link rel="stylesheet" href|script src)="(/static/[^"]+)"`)

// TestPageWeight: every main page, with what it loads, weighs at most
// 250 KB.
func TestPageWeight(t *testing.T) {
	s := demoSite(t, store.SQLite)
	b, _ := s.register(t, "Light Feet")
	found := b.get("/find?" + findQuery().Encode())
	spaceID := find(t, found.body, `href="/spaces/([0-9a-f-]+)\?`, "a match")
	for _, path := range []string{"/", "/find?" + findQuery().Encode(), "/spaces/" + spaceID, "/dashboard",
		"/nearby?place=Ely", "/dashboard/rooms", "/signin"} {
		p := b.get(path)
		if p.status != http.StatusOK {
			t.Errorf("GET %s: %d", path, p.status)
			continue
		}
		total := len(p.body)
		for _, m := range assetRefs.FindAllStringSubmatch(p.body, -1) {
			a := b.get(m[1])
			if a.status != http.StatusOK {
				t.Errorf("%s loads %s: %d", path, m[1], a.status)
			}
			total += len(a.body)
		}
		if total > maxPageBytes {
			t.Errorf("%s weighs %d bytes with its styles and scripts, want at most %d", path, total, maxPageBytes)
		}
		t.Logf("%s: %d bytes", path, total)
	}
}

// findQuery is a weekly evening class near Cambridge.
func findQuery() url.Values {
	return url.Values{"place": {"Cambridge"}, "activity": {"contemporary"}, "group_size": {"12"}, "day": {"tue"},
		"start": {"18:00"}, "end": {"20:00"}, "from": {nextWeek()}, "count": {"6"}, "radius_km": {"15"}, "tier": {"community"}}
}

// BenchmarkFind renders /find on the demo county in process (the page,
// its call to the matcher through the API, and the template), reporting
// the median time of one page as p50-ms.
func BenchmarkFind(b *testing.B) {
	s := demoSite(b, store.SQLite)
	target := "/find?" + findQuery().Encode()
	var times []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		rec := httptest.NewRecorder()
		s.app.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		times = append(times, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("GET /find: %d", rec.Code)
		}
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
}

// BenchmarkFindAPI is BenchmarkFind's search as the API's POST
// /v1/match/venues in process: the page should cost at most about twice
// what the API does for the same search.
func BenchmarkFindAPI(b *testing.B) {
	s := demoSite(b, store.SQLite)
	body := fmt.Sprintf(`{"near":{"place":"Cambridge"},"radius_km":15,"group_size":12,"activity":"contemporary",`+
		`"weekly":{"day":"tue","start":"18:00","end":"20:00","from":%q,"count":6},"tier":"community","limit":20}`, nextWeek())
	var times []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/v1/match/venues", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		s.app.Handler.ServeHTTP(rec, req)
		times = append(times, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("POST /v1/match/venues: %d %s", rec.Code, rec.Body)
		}
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
}
