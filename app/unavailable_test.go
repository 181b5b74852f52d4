package app_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/glebarez/go-sqlite" // the raw connection that holds the write lock

	"commonground/app"
	"commonground/store"
	"commonground/store/storetest"
)

// TestWaitForStoreStopsOnCancel starts against a database that accepts
// connections and never answers: start-up keeps trying, logging each
// attempt, and returns soon after its context ends.
func TestWaitForStoreStopsOnCancel(t *testing.T) {
	silent := storetest.NewProxy(t, "")
	var logs logBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := app.New(ctx, app.Config{
			DatabaseURL: "postgres://postgres@" + silent.Addr() + "/test?sslmode=disable",
			DBTimeout:   300 * time.Millisecond,
		}, log)
		done <- err
	}()
	time.Sleep(2 * time.Second)
	cancel()
	stopped := time.Now()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want an error wrapping context.Canceled", err)
		}
		if took := time.Since(stopped); took > 2*time.Second {
			t.Errorf("returned %s after its context ended, want well within 10s", took)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("start-up still waiting 10s after its context ended")
	}
	if n := strings.Count(logs.String(), `msg="database unavailable; trying again"`); n < 2 {
		t.Errorf("got %d logged retries, want at least 2:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "retry_in=") || !strings.Contains(logs.String(), "error=") {
		t.Errorf("retries logged without the error and the wait:\n%s", logs.String())
	}
}

// send sends a request with an optional token to h and returns the
// status, headers and body, and how long it took.
func send(t *testing.T, h http.Handler, method, path, token, body string) (int, http.Header, string, time.Duration) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Header(), rec.Body.String(), time.Since(start)
}

// TestDatabaseAway makes the database stop answering under a running
// service: on PostgreSQL a proxy stops forwarding; on SQLite another
// process holds the write lock. Writes (and, on PostgreSQL, reads of the
// database and /readyz) answer 503 with Retry-After within the timeout
// and a second; nearby and matching, with a token too, keep answering
// from the read model; once the database is back, writes succeed again.
func TestDatabaseAway(t *testing.T) {
	const timeout = time.Second
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			var url string
			var away, back func()
			if d == store.Postgres {
				proxy, u := storetest.PostgresProxy(t)
				url, away, back = u, proxy.Freeze, proxy.Thaw
			} else {
				path := filepath.Join(t.TempDir(), "away.db")
				url = "sqlite:" + path
				var conn *sql.Conn
				away = func() {
					other, err := sql.Open("sqlite", "file:"+path)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { other.Close() })
					if conn, err = other.Conn(context.Background()); err != nil {
						t.Fatal(err)
					}
					if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
						t.Fatal(err)
					}
				}
				back = func() { conn.ExecContext(context.Background(), "ROLLBACK"); conn.Close() }
			}
			a, err := app.New(context.Background(), app.Config{DatabaseURL: url, Demo: true, DemoSeed: 1, DBTimeout: timeout},
				slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			code, _, body, _ := send(t, a.Handler, "POST", "/v1/organisations", "", `{"name": "Before", "type": "arts", "location": {"lat": 52.2, "lon": 0.12}}`)
			var reg struct {
				Token        string `json:"token"`
				Organisation struct {
					ID string `json:"id"`
				} `json:"organisation"`
			}
			if code != 201 || json.Unmarshal([]byte(body), &reg) != nil || reg.Token == "" {
				t.Fatalf("register: got %d %.300s", code, body)
			}

			away()
			type check struct {
				name, method, path, token, body string
				want                            int
			}
			checks := []check{
				// First, while the token's lookup waits out the timeout:
				// the write that follows must not wait again.
				{"write with a token", "POST", "/v1/organisations/" + reg.Organisation.ID + "/offers", reg.Token,
					`{"category": "skill.marketing", "hours_per_month": 4}`, 503},
				{"write", "POST", "/v1/organisations", "", `{"name": "During", "type": "arts", "location": {"lat": 52.2, "lon": 0.12}}`, 503},
				{"nearby with a token", "GET", "/v1/nearby?lat=52.2053&lon=0.1218&radius_km=3&kind=spaces", reg.Token, "", 200},
				{"matching with a token", "POST", "/v1/match/venues", reg.Token, matchBody, 200},
				{"matching", "POST", "/v1/match/venues", "", matchBody, 200},
			}
			if d == store.Postgres {
				checks = append(checks,
					check{"read", "GET", "/v1/organisations/" + reg.Organisation.ID, "", "", 503},
					check{"readyz", "GET", "/readyz", "", "", 503})
			}
			for _, c := range checks {
				code, h, body, took := send(t, a.Handler, c.method, c.path, c.token, c.body)
				if code != c.want {
					t.Errorf("%s: got %d %.300s, want %d", c.name, code, body, c.want)
				}
				if took > timeout+time.Second {
					t.Errorf("%s: took %s, want at most the timeout %s and a second", c.name, took, timeout)
				}
				if c.want == 503 {
					if secs, err := strconv.Atoi(h.Get("Retry-After")); err != nil || secs < 1 {
						t.Errorf("%s: got Retry-After %q, want whole seconds", c.name, h.Get("Retry-After"))
					}
					if ct := h.Get("Content-Type"); ct != "application/problem+json" {
						t.Errorf("%s: got Content-Type %q, want application/problem+json", c.name, ct)
					}
				}
			}

			back()
			deadline := time.Now().Add(15 * time.Second)
			for {
				code, _, body, _ := send(t, a.Handler, "POST", "/v1/organisations", "", `{"name": "After", "type": "arts", "location": {"lat": 52.2, "lon": 0.12}}`)
				if code == 201 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("write after the database came back: got %d %.300s", code, body)
				}
				time.Sleep(200 * time.Millisecond)
			}
		})
	}
}
