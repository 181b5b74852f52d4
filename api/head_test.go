package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"commonground/store"
)

// TestHeadMirrorsGet checks that HEAD answers wherever GET does, with
// GET's status and headers and no body.
func TestHeadMirrorsGet(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, _ *store.DB) {
		orgID, token := s.registerAt(t, "Head Dance", cLat, cLon)
		venueID := s.venue(t, token, "Head Hall", cLat, cLon)
		space := s.space(t, token, venueID, spaceBody("Head Studio"))
		for _, tc := range []struct{ path, token string }{
			{"/healthz", ""},
			{"/openapi.json", ""},
			{"/metrics", ""},
			{"/v1/taxonomy", ""},
			{"/v1/organisations/" + orgID, ""},
			{"/v1/organisations/" + orgID, token},
			{"/v1/venues/" + venueID, ""},
			{"/v1/spaces/" + space.ID, ""},
			{"/v1/venues?limit=1", ""},
			{fmt.Sprintf("/v1/nearby?lat=%v&lon=%v&radius_km=5&kind=spaces", cLat, cLon), ""},
			{"/v1/bookings", token},
			{"/v1/bookings", ""},
			{"/v1/spaces/00000000-0000-7000-8000-000000000000", ""},
		} {
			for _, enc := range []string{"identity", "gzip"} {
				t.Run(tc.path+" "+enc, func(t *testing.T) {
					// HEAD is never compressed (gzhttp avoids a bug of nginx's):
					// it tells what a GET without compression would.
					getStatus, getH, _ := s.send(t, request{method: "GET", path: tc.path, token: tc.token, header: map[string]string{"Accept-Encoding": "identity"}})
					status, h, body := s.send(t, request{method: "HEAD", path: tc.path, token: tc.token, header: map[string]string{"Accept-Encoding": enc}})
					if status != getStatus {
						t.Fatalf("status: got %d, want GET's %d", status, getStatus)
					}
					if len(body) != 0 {
						t.Errorf("body: got %d bytes, want none", len(body))
					}
					if tc.path == "/metrics" {
						return // its figures move between the two requests
					}
					for k, want := range getH {
						switch k {
						case "Date", "X-Request-Id", "Content-Length":
							continue
						}
						if got := h.Values(k); !slices.Equal(got, want) {
							t.Errorf("%s: got %q, want GET's %q", k, got, want)
						}
					}
					if got, want := h.Get("Content-Length"), getH.Get("Content-Length"); got != "" && got != want {
						t.Errorf("Content-Length: got %q, want GET's %q", got, want)
					}
				})
			}
		}

		// Conditional HEAD: 304 with the same ETag.
		_, h, _ := s.send(t, request{method: "GET", path: "/v1/venues/" + venueID})
		status, _, _ := s.send(t, request{method: "HEAD", path: "/v1/venues/" + venueID, header: map[string]string{"If-None-Match": h.Get("ETag")}})
		if status != http.StatusNotModified {
			t.Errorf("HEAD with If-None-Match: got %d, want 304", status)
		}
	})
}
