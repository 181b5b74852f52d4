package app_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"commonground/app"
	"commonground/geo"
	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

// logBuffer collects log lines; safe for concurrent writers.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// do sends a request to h and returns the status and body.
func do(t *testing.T, h http.Handler, method, path, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// matchBody asks for a weekly evening class of 12 near Cambridge, four
// Tuesdays from a week ahead: within every demo room's booking horizon.
var matchBody = `{"near": {"lat": 52.2053, "lon": 0.1218}, "radius_km": 15, "group_size": 12, "activity": "contemporary",
	"weekly": {"day": "tue", "start": "18:00", "end": "20:00", "from": "` + time.Now().AddDate(0, 0, 7).Format(matching.DateLayout) +
	`", "count": 4}, "limit": 5}`

// TestNewDemo builds the service on an empty database with the demo
// county, asks it for health and a match, then builds it again on the
// same database, as a restart does, and finds the county loaded once.
func TestNewDemo(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			cfg := app.Config{DatabaseURL: storetest.SharedURL(t, d), Demo: true, DemoSeed: 1}
			var logs logBuffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			a, err := app.New(ctx, cfg, log)
			if err != nil {
				t.Fatal(err)
			}

			tests := []struct {
				method, path, body string
				wantStatus         int
				wantBody           string
			}{
				{"GET", "/healthz", "", 200, `"status":"ok"`},
				{"GET", "/readyz", "", 200, `"status":"ready"`},
				{"POST", "/v1/match/venues", matchBody, 200, `"matches":[{`},
				{"GET", "/v1/nearby?lat=52.2053&lon=0.1218&radius_km=3&kind=spaces", "", 200, `"type":"FeatureCollection"`},
				{"POST", "/v1/match/venues", `{"near": {"lat": 52.2, "lon": 0.12}}`, 400, ""},
			}
			for _, tt := range tests {
				got, body := do(t, a.Handler, tt.method, tt.path, tt.body)
				if got != tt.wantStatus || !strings.Contains(body, tt.wantBody) {
					t.Errorf("%s %s: got %d %.300s, want %d with %s", tt.method, tt.path, got, body, tt.wantStatus, tt.wantBody)
				}
			}
			counts, err := a.DB.Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if orgs, venues, spaces := a.Engine.Counts(); counts.Organisations == 0 ||
				int64(orgs) != counts.Organisations || int64(venues) != counts.Venues || int64(spaces) != counts.Spaces {
				t.Errorf("read model holds %d organisations, %d venues, %d spaces; want the database's %+v, not empty", orgs, venues, spaces, counts)
			}
			if err := a.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if err := a.DB.Ping(ctx); err == nil {
				t.Error("after Close the database still answers, want it closed")
			}

			a, err = app.New(ctx, cfg, log)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			again, err := a.DB.Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if again != counts {
				t.Errorf("after a restart: got %+v, want %+v (demo county loaded twice?)", again, counts)
			}
			if n := strings.Count(logs.String(), "msg=\"loaded demo county\""); n != 1 {
				t.Errorf("the demo county was loaded %d times, want once", n)
			}
			if !strings.Contains(logs.String(), "database holds data; demo county not loaded") {
				t.Errorf("log lacks the restart's skipped demo:\n%s", logs.String())
			}
		})
	}
}

// TestNewFollows: a write by another replica reaches the read model
// without a request to this one.
func TestNewFollows(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			url := storetest.SharedURL(t, d)
			a, err := app.New(ctx, app.Config{DatabaseURL: url}, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if orgs, _, _ := a.Engine.Counts(); orgs != 0 {
				t.Fatalf("without Demo: got %d organisations, want an empty database", orgs)
			}
			other, err := store.Open(ctx, url, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			now := time.Now()
			org := &matching.Organisation{ID: "0190f5e4-0000-7000-8000-000000000001", Name: "Mill Road Movers",
				Type: matching.OrgArts, Location: geo.MustPoint(52.1985, 0.1405), CreatedAt: now, UpdatedAt: now}
			if err := other.CreateOrganisation(ctx, org, ""); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				if orgs, _, _ := a.Engine.Counts(); orgs == 1 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("another replica's organisation not in the read model after 10s")
				}
				time.Sleep(50 * time.Millisecond)
			}
			code, body := do(t, a.Handler, "POST", "/v1/match/venues", matchBody)
			if code != 200 || !strings.Contains(body, `"matches":[]`) {
				t.Errorf("match on a county without venues: got %d %.300s, want 200 and no matches", code, body)
			}
		})
	}
}

func TestNewBadURL(t *testing.T) {
	_, err := app.New(context.Background(), app.Config{DatabaseURL: "mysql://nope"}, slog.New(slog.DiscardHandler))
	if !errors.Is(err, matching.ErrInvalid) || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Fatalf("got %v, want matching.ErrInvalid naming DATABASE_URL", err)
	}
}
