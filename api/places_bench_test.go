package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"commonground/geo"
	"commonground/store"
	"commonground/store/storetest"
)

// BenchmarkPlacesHandler answers GET /v1/places in process (no network):
// a name from the index in memory, a postcode from SQLite's index.
func BenchmarkPlacesHandler(b *testing.B) {
	db := storetest.Open(b, store.SQLite)
	if _, err := db.ImportPostcodes(b.Context(), []geo.Place{
		{Name: "CB7 4AA", Kind: geo.KindPostcode, Point: geo.MustPoint(52.398, 0.262)},
	}); err != nil {
		b.Fatal(err)
	}
	s := newServer(b, db)
	for _, q := range []string{"Ely", "CB7+4AA"} {
		b.Run(q, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/v1/places?q="+q+"&limit=1", nil)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				s.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}
