package api_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"commonground/store"
)

// TestGzip checks that answers over 1 KiB are gzipped for clients that
// accept it, decompress to the plain answer, carry their own ETag, and
// that either tag validates (304 on If-None-Match, a write on If-Match).
func TestGzip(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, _ *store.DB) {
		_, token := s.registerAt(t, "Gzip Dance", cLat, cLon)
		venueID := s.venue(t, token, "Gzip Hall", cLat, cLon)
		var spaceID string
		for i := range 4 {
			body := spaceBody(fmt.Sprintf("Gzip Studio %d", i))
			var closures []any // enough to take the space's answer over 1 KiB
			for d := range 6 {
				closures = append(closures, map[string]any{"start": fmt.Sprintf("2027-09-%02dT00:00:00+01:00", d+1),
					"end": fmt.Sprintf("2027-09-%02dT00:00:00+01:00", d+2), "reason": "floor works"})
			}
			spaceID = s.space(t, token, venueID, with(body, "closures", closures)).ID
		}
		plain := map[string]string{"Accept-Encoding": "identity"}
		gz := map[string]string{"Accept-Encoding": "gzip, deflate, br"}
		for _, path := range []string{
			"/v1/spaces/" + spaceID,
			fmt.Sprintf("/v1/nearby?lat=%v&lon=%v&radius_km=5&kind=spaces", cLat, cLon),
			"/v1/taxonomy",
			"/openapi.json",
		} {
			t.Run(path, func(t *testing.T) {
				status, ph, want := s.send(t, request{method: "GET", path: path, header: plain})
				if status != http.StatusOK {
					t.Fatalf("plain GET: got %d, want 200", status)
				}
				if len(want) <= 1024 {
					t.Fatalf("plain body is %d bytes: too small to test compression", len(want))
				}
				if ce := ph.Get("Content-Encoding"); ce != "" {
					t.Errorf("plain GET: Content-Encoding %q, want none", ce)
				}
				status, zh, zipped := s.send(t, request{method: "GET", path: path, header: gz})
				if status != http.StatusOK {
					t.Fatalf("gzip GET: got %d, want 200", status)
				}
				if ce := zh.Get("Content-Encoding"); ce != "gzip" {
					t.Fatalf("gzip GET: Content-Encoding %q, want gzip", ce)
				}
				if vary := strings.Join(zh.Values("Vary"), ","); !containsToken(vary, "Accept-Encoding") {
					t.Errorf("gzip GET: Vary %q lacks Accept-Encoding", vary)
				}
				zr, err := gzip.NewReader(bytes.NewReader(zipped))
				if err != nil {
					t.Fatalf("gzip GET: body is not gzip: %v", err)
				}
				got, err := io.ReadAll(zr)
				if err != nil {
					t.Fatalf("gzip GET: body does not decompress: %v", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("gzip GET: decompressed body differs from the plain one (%d bytes, want %d)", len(got), len(want))
				}
				if len(zipped) >= len(want) {
					t.Errorf("gzip GET: %d bytes, not smaller than the plain %d", len(zipped), len(want))
				}

				plainTag, zipTag := ph.Get("ETag"), zh.Get("ETag")
				if plainTag == "" {
					return // no ETag to check
				}
				if zipTag == "" || zipTag == plainTag {
					t.Fatalf("gzip ETag %q, want one differing from the plain %q", zipTag, plainTag)
				}
				for _, tc := range []struct {
					tag, enc, wantTag string
				}{
					{zipTag, "gzip", zipTag},
					{plainTag, "gzip", plainTag},
					{plainTag, "identity", plainTag},
					{`"other", ` + zipTag, "gzip", zipTag},
					{"W/" + zipTag, "gzip", zipTag},
					// "*" names no tag: the 304 names the one the 200
					// would carry for the request's Accept-Encoding.
					{"*", "gzip", zipTag},
					{"*", "identity", plainTag},
				} {
					status, h, _ := s.send(t, request{method: "GET", path: path, header: map[string]string{"Accept-Encoding": tc.enc, "If-None-Match": tc.tag}})
					if status != http.StatusNotModified {
						t.Errorf("If-None-Match %s, Accept-Encoding %s: got %d, want 304", tc.tag, tc.enc, status)
						continue
					}
					if got := strings.TrimPrefix(h.Get("ETag"), "W/"); got != strings.TrimPrefix(tc.wantTag, "W/") {
						t.Errorf("If-None-Match %s: 304's ETag %q, want %q", tc.tag, got, tc.wantTag)
					}
				}
			})
		}

		// A small answer stays plain.
		_, h, _ := s.send(t, request{method: "GET", path: "/healthz", header: gz})
		if ce := h.Get("Content-Encoding"); ce != "" {
			t.Errorf("GET /healthz: Content-Encoding %q, want none under 1 KiB", ce)
		}

		// The gzipped answer's tag serves If-Match.
		path := "/v1/spaces/" + spaceID
		_, zh, _ := s.send(t, request{method: "GET", path: path, header: gz})
		status, _, raw := s.send(t, request{method: "PATCH", path: path, token: token, body: map[string]any{"name": "Gzip Studio renamed"},
			header: map[string]string{"If-Match": zh.Get("ETag")}})
		if status != http.StatusOK {
			t.Errorf("PATCH with If-Match %s: got %d, want 200; body %s", zh.Get("ETag"), status, raw)
		}
		status, _, _ = s.send(t, request{method: "PATCH", path: path, token: token, body: map[string]any{"name": "Gzip Studio again"},
			header: map[string]string{"If-Match": zh.Get("ETag")}})
		if status != http.StatusPreconditionFailed {
			t.Errorf("PATCH with a stale gzip tag: got %d, want 412", status)
		}
	})
}
