package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"commonground/api"
	"commonground/openactive"
	"commonground/seed"
	"commonground/store"
	"commonground/store/storetest"
)

// BenchmarkSlotFeedPage serves one page of 500 slots of the demo county in
// process, through the whole router (the feed built once beforehand, as
// the service keeps it between writes): from the start of the feed, and
// from a cursor part of the way in.
//
//	go test ./api -run '^$' -bench SlotFeedPage -count 6
func BenchmarkSlotFeedPage(b *testing.B) {
	db := storetest.Open(b, store.SQLite)
	ds := seed.Demo(1)
	if err := db.InsertBatch(b.Context(), ds.Organisations, ds.Venues, ds.Spaces); err != nil {
		b.Fatal(err)
	}
	// Past the feed's lag, so the batch load's slots are published.
	s := newServer(b, db, func(c *api.Config) {
		c.Now = func() time.Time { return time.Now().Add(openactive.Lag + time.Second) }
	})
	get := func(path string) openactive.Page {
		req := httptest.NewRequest("GET", path, nil)
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
		var p openactive.Page
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
			b.Fatal(err)
		}
		return p
	}
	first := get("/openactive/slots")
	if len(first.Items) != openactive.PageSize {
		b.Fatalf("first page: %d items", len(first.Items))
	}
	mid := time.Now().Add(-openactive.Window / 3).UnixMilli()
	for _, bc := range []struct{ name, path string }{
		{"start", "/openactive/slots"},
		{"middle", fmt.Sprintf("/openactive/slots?afterTimestamp=%d&afterId=8", mid)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			defer reportCPU(b, start)
			for b.Loop() {
				req := httptest.NewRequest("GET", bc.path, nil)
				rec := httptest.NewRecorder()
				s.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || rec.Body.Len() < 100000 {
					b.Fatalf("GET %s: %d, %d bytes", bc.path, rec.Code, rec.Body.Len())
				}
			}
		})
	}
}
