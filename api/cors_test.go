package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"commonground/api"
	"commonground/seed"
	"commonground/store"
	"commonground/store/storetest"
)

func TestCORSPreflight(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, _ *store.DB) {
		for _, tc := range []struct{ path, method string }{
			{"/v1/taxonomy", "GET"},
			{"/v1/match/venues", "POST"},
			{"/v1/venues/00000000-0000-7000-8000-000000000000", "PATCH"},
		} {
			t.Run(tc.method+" "+tc.path, func(t *testing.T) {
				status, h, body := s.send(t, request{method: "OPTIONS", path: tc.path, header: map[string]string{
					"Origin":                         "https://elsewhere.example",
					"Access-Control-Request-Method":  tc.method,
					"Access-Control-Request-Headers": "authorization, content-type, idempotency-key, if-match, if-none-match",
				}})
				if status != http.StatusNoContent {
					t.Fatalf("status: got %d, want 204; body %s", status, body)
				}
				for k, want := range map[string]string{
					"Access-Control-Allow-Origin":  "*",
					"Access-Control-Allow-Methods": "GET, HEAD, POST, PATCH, DELETE",
				} {
					if got := h.Get(k); got != want {
						t.Errorf("%s: got %q, want %q", k, got, want)
					}
				}
				allowed := h.Get("Access-Control-Allow-Headers")
				for _, want := range []string{"Authorization", "Content-Type", "Idempotency-Key", "If-Match", "If-None-Match"} {
					if !containsToken(allowed, want) {
						t.Errorf("Access-Control-Allow-Headers %q lacks %s", allowed, want)
					}
				}
				if got := h.Get("Access-Control-Allow-Credentials"); got != "" {
					t.Errorf("Access-Control-Allow-Credentials: got %q, want none", got)
				}
			})
		}

		status, h, _ := s.send(t, request{method: "GET", path: "/v1/taxonomy", header: map[string]string{"Origin": "https://elsewhere.example"}})
		if status != http.StatusOK {
			t.Fatalf("GET /v1/taxonomy from another origin: got %d, want 200", status)
		}
		if got := h.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("Access-Control-Allow-Origin: got %q, want *", got)
		}
		exposed := h.Get("Access-Control-Expose-Headers")
		for _, want := range []string{"ETag", "Link", "Retry-After", "X-Request-ID", "RateLimit", "RateLimit-Policy"} {
			if !containsToken(exposed, want) {
				t.Errorf("Access-Control-Expose-Headers %q lacks %s", exposed, want)
			}
		}
	})
}

func TestCORSOrigins(t *testing.T) {
	h := api.NewRouter(api.Config{Taxonomy: seed.Taxonomy(), CORSOrigins: []string{"https://ours.example"}})
	for _, tc := range []struct {
		origin, wantAllow string
	}{
		{"https://ours.example", "https://ours.example"},
		{"https://theirs.example", ""},
	} {
		for _, method := range []string{"OPTIONS", "GET"} {
			req := httptest.NewRequest(method, "/v1/taxonomy", nil)
			req.Header.Set("Origin", tc.origin)
			if method == "OPTIONS" {
				req.Header.Set("Access-Control-Request-Method", "GET")
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != tc.wantAllow {
				t.Errorf("%s from %s: Access-Control-Allow-Origin: got %q, want %q", method, tc.origin, got, tc.wantAllow)
			}
			if vary := strings.Join(w.Header().Values("Vary"), ","); !containsToken(vary, "Origin") {
				t.Errorf("%s from %s: Vary %q lacks Origin", method, tc.origin, vary)
			}
		}
	}
}

// containsToken reports whether the comma-separated list holds tok
// (case-insensitively).
func containsToken(list, tok string) bool {
	for _, part := range strings.Split(list, ",") {
		if strings.EqualFold(strings.TrimSpace(part), tok) {
			return true
		}
	}
	return false
}

// TestCORSVaryKept checks that answers which vary by Authorization still
// name Origin (and Accept-Encoding) in Vary when the origins are listed.
func TestCORSVaryKept(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	h := api.NewRouter(api.Config{Store: db, Taxonomy: seed.Taxonomy(), CORSOrigins: []string{"https://ours.example"}})
	req := httptest.NewRequest("GET", "/v1/nearby?lat=52.2&lon=0.12&kind=venues", nil)
	req.Header.Set("Origin", "https://ours.example")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Fatalf("GET /v1/nearby: got %d, want 200; body %s", w.Code, w.Body)
	}
	vary := strings.Join(w.Header().Values("Vary"), ",")
	for _, want := range []string{"Origin", "Accept-Encoding", "Authorization"} {
		if !containsToken(vary, want) {
			t.Errorf("Vary %q lacks %s", vary, want)
		}
	}
}
