package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"commonground/api"
	"commonground/store"
	"commonground/store/storetest"
)

// BenchmarkAuthenticatedRead asks what is near in process (a read the
// read model answers, without the database), anonymously, with an API key
// and with a person's session, so the cost of authentication is the
// difference (the target: at most 20 µs more than anonymous).
// Remembered tokens are verified again with the database once a second,
// so a second's worth of reads shares one lookup.
//
//	go test ./api -run '^$' -bench AuthenticatedRead -count 8
func BenchmarkAuthenticatedRead(b *testing.B) {
	db := storetest.Open(b, store.SQLite)
	s := newServer(b, db, func(c *api.Config) { c.Now = time.Now })
	_, key, _ := s.signup(b, "Bench Hall", "bench@example.org")
	session := s.signin(b, "bench@example.org", goodPassword)
	venue := s.venue(b, key, "Bench venue", cLat, cLon)
	s.space(b, key, venue, spaceBody("Bench studio"))
	path := "/v1/nearby?lat=52.2053&lon=0.1218&radius_km=5&kind=spaces"
	for _, tc := range []struct{ name, token string }{{"anonymous", ""}, {"api-key", key}, {"session", session}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("GET", path, nil)
				if tc.token != "" {
					req.Header.Set("Authorization", "Bearer "+tc.token)
				}
				rec := httptest.NewRecorder()
				s.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
				}
			}
		})
	}
}
