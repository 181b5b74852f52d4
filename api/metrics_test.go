package api_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"commonground/store"
)

// metricValue reads one sample's value from a Prometheus text exposition.
func metricValue(t *testing.T, body, name, labels string) (float64, bool) {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name+labels) + ` (\S+)$`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatalf("%s%s: value %q", name, labels, m[1])
	}
	return v, true
}

func TestMetrics(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		for range 3 {
			status, _, m := s.do(t, "GET", "/v1/taxonomy", "", nil)
			wantStatus(t, "taxonomy", status, http.StatusOK, m)
		}
		status, _, m := s.do(t, "GET", "/v1/spaces/0190a0a0-0000-7000-8000-000000000000", "", nil)
		wantStatus(t, "missing space", status, http.StatusNotFound, m)
		b := newBookable(t, s, true)
		key := map[string]string{"Idempotency-Key": "metrics-1"}
		body := one("2027-03-01T10:00:00Z", "2027-03-01T11:00:00Z")
		for range 2 { // booked, then replayed
			status, _, raw := s.book(t, b.bookerToken, b.space.ID, body, key)
			wantStatus(t, "book", status, http.StatusCreated, string(raw))
		}
		status, _, raw := s.book(t, b.ownerToken, b.space.ID, body, nil)
		wantStatus(t, "conflicting booking", status, http.StatusConflict, string(raw))

		status, h, raw := s.send(t, request{method: "GET", path: "/metrics"})
		wantStatus(t, "metrics", status, http.StatusOK, string(raw))
		if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("Content-Type %q, want the Prometheus text format", ct)
		}
		text := string(raw)
		for _, c := range []struct {
			name, labels string
			want         float64
		}{
			{"commonground_http_requests_total", `{method="GET",route="/v1/taxonomy",status="200"}`, 3},
			{"commonground_http_requests_total", `{method="GET",route="/v1/spaces/:id",status="404"}`, 1},
			{"commonground_http_requests_total", `{method="POST",route="/v1/spaces/:id/bookings",status="409"}`, 1},
			{"commonground_http_request_duration_seconds_count", `{method="GET",route="/v1/taxonomy"}`, 3},
			{"commonground_booking_requests_total", `{outcome="booked"}`, 1},
			{"commonground_booking_requests_total", `{outcome="replayed"}`, 1},
			{"commonground_booking_requests_total", `{outcome="conflict"}`, 1},
			{"commonground_read_model_spaces", ``, 1},
		} {
			if got, ok := metricValue(t, text, c.name, c.labels); !ok || got != c.want {
				t.Errorf("%s%s = %v (present %v), want %v", c.name, c.labels, got, ok, c.want)
			}
		}
		if rev, ok := metricValue(t, text, "commonground_read_model_revision", ""); !ok || rev < 1 {
			t.Errorf("read model revision %v (present %v), want at least 1", rev, ok)
		}
		if !strings.Contains(text, "go_goroutines ") {
			t.Error("no Go runtime metrics")
		}
	})
}

// TestMetricsMethodBounded checks that invented methods share one series,
// "other", however many there are.
func TestMetricsMethodBounded(t *testing.T) {
	s := newServer(t, nil)
	for _, method := range []string{"BREW", "WHEN", "brew", "PROPFIND"} {
		if status, _, raw := s.send(t, request{method: method, path: "/v1/taxonomy"}); status != http.StatusMethodNotAllowed {
			t.Errorf("%s /v1/taxonomy: got %d, want 405; body %s", method, status, raw)
		}
	}
	_, _, raw := s.send(t, request{method: "GET", path: "/metrics"})
	text := string(raw)
	if got, ok := metricValue(t, text, "commonground_http_requests_total", `{method="other",route="unmatched",status="405"}`); !ok || got != 4 {
		t.Errorf(`requests with method="other": got %v (present %v), want 4`, got, ok)
	}
	for _, method := range []string{"BREW", "WHEN", "brew", "PROPFIND"} {
		if strings.Contains(text, `method="`+method+`"`) {
			t.Errorf("a series is labelled method=%q", method)
		}
	}
}
