package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"commonground/store"
)

// Every GET answer carries Cache-Control; every 200 carries an ETag, and
// If-None-Match with it answers 304 with no body (also through gzip);
// answers to callers with a token are private.
func TestGETAnswersAreCacheable(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, _ *store.DB) {
		orgID, token := s.registerAt(t, "Caching Dance", cLat, cLon)
		_, other := s.registerAt(t, "Caching Youth", cLat, cLon)
		venue := s.venue(t, token, "Caching Hall", cLat, cLon)
		space := s.space(t, token, venue, spaceBody("Caching Studio"))
		status, _, m := s.do(t, "POST", "/v1/spaces/"+space.ID+"/bookings", other, map[string]any{
			"purpose": "class", "sessions": []any{map[string]any{"start": "2027-01-04T10:00:00Z", "end": "2027-01-04T11:00:00Z"}}})
		wantStatus(t, "book", status, http.StatusCreated, m)
		near := fmt.Sprintf("near=%v,%v&radius_km=5", cLat, cLon)

		for _, tc := range []struct{ path, token string }{
			{"/healthz", ""},
			{"/readyz", ""},
			{"/openapi.json", ""},
			{"/problems/not-found", ""},
			{"/metrics", ""},
			{"/v1/taxonomy", ""},
			{"/v1/places?q=Ely", ""},
			{fmt.Sprintf("/v1/nearby?lat=%v&lon=%v&radius_km=5&kind=spaces", cLat, cLon), ""},
			{"/v1/organisations?" + near, ""},
			{"/v1/organisations/" + orgID, ""},
			{"/v1/organisations/" + orgID, token},
			{"/v1/venues?" + near, ""},
			{"/v1/venues/" + venue, ""},
			{"/v1/venues/" + venue + "/spaces", ""},
			{"/v1/spaces?" + near, ""},
			{"/v1/spaces/" + space.ID, ""},
			{"/v1/spaces/" + space.ID + "/calendar.ics", ""},
			{"/v1/bookings", token},
			{"/v1/partnerships", token},
			{"/v1/notifications", token},
			{"/v1/organisations/" + orgID + "/members", token},
			{"/v1/organisations/" + orgID + "/partners?radius_km=10", ""},
			{"/openactive", ""},
			{"/openactive/facility-uses", ""},
		} {
			for _, gzip := range []bool{false, true} {
				hdr := map[string]string{}
				if gzip {
					hdr["Accept-Encoding"] = "gzip"
				}
				what := fmt.Sprintf("GET %s (token %v, gzip %v)", tc.path, tc.token != "", gzip)
				status, h, body := s.send(t, request{method: "GET", path: tc.path, token: tc.token, header: hdr})
				if status != http.StatusOK {
					t.Errorf("%s: %d %s", what, status, body)
					continue
				}
				cc := h.Get("Cache-Control")
				if cc == "" {
					t.Errorf("%s: no Cache-Control", what)
				}
				if tc.token != "" && cc != "no-store" && cc != "private, no-cache" && cc != "private, no-store" {
					t.Errorf("%s: Cache-Control %q for a caller with a token", what, cc)
				}
				etag := h.Get("ETag")
				if etag == "" {
					t.Errorf("%s: no ETag", what)
					continue
				}
				hdr["If-None-Match"] = etag
				status, h2, body := s.send(t, request{method: "GET", path: tc.path, token: tc.token, header: hdr})
				if tc.path == "/metrics" || tc.path == "/readyz" {
					continue // they change between two requests
				}
				if status != http.StatusNotModified || len(body) != 0 {
					t.Errorf("%s with If-None-Match %s: %d, %d bytes; want 304 and none", what, etag, status, len(body))
				}
				if h2.Get("ETag") != etag || h2.Get("Cache-Control") != cc {
					t.Errorf("%s: 304 carries ETag %q, Cache-Control %q; want %q, %q", what, h2.Get("ETag"), h2.Get("Cache-Control"), etag, cc)
				}
			}
		}
		// Problems are never stored.
		status, h, _ := s.send(t, request{method: "GET", path: "/v1/spaces/00000000-0000-7000-8000-000000000000"})
		if status != http.StatusNotFound || h.Get("Cache-Control") != "no-store" || h.Get("ETag") != "" {
			t.Errorf("404: %d, Cache-Control %q, ETag %q", status, h.Get("Cache-Control"), h.Get("ETag"))
		}
	})
}
