package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"commonground/api"
	"commonground/seed"
	"commonground/store"
	"commonground/store/storetest"
)

// BenchmarkNearbyGzip asks for the 50 spaces nearest Cambridge in the demo
// county in process, plain and gzipped, so the cost of compression is the
// difference (the target: gzip at 0.8 of plain's rate or better).
//
//	go test ./api -run '^$' -bench NearbyGzip -count 6
func BenchmarkNearbyGzip(b *testing.B) {
	db := storetest.Open(b, store.SQLite)
	ds := seed.Demo(1)
	if err := db.InsertBatch(b.Context(), ds.Organisations, ds.Venues, ds.Spaces); err != nil {
		b.Fatal(err)
	}
	s := newServer(b, db, func(c *api.Config) { c.Now = time.Now })
	path := fmt.Sprintf("/v1/nearby?lat=%v&lon=%v&radius_km=5&kind=spaces&limit=50", cLat, cLon)
	for _, enc := range []string{"identity", "gzip"} {
		b.Run(enc, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			defer reportCPU(b, start)
			for b.Loop() {
				req := httptest.NewRequest("GET", path, nil)
				req.Header.Set("Accept-Encoding", enc)
				rec := httptest.NewRecorder()
				s.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || (enc == "gzip") != (rec.Header().Get("Content-Encoding") == "gzip") {
					b.Fatalf("GET %s (%s): %d, Content-Encoding %q", path, enc, rec.Code, rec.Header().Get("Content-Encoding"))
				}
			}
		})
	}
}
