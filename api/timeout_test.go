package api_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"commonground/api"
	"commonground/matching"
	"commonground/seed"
	"commonground/store"
	"commonground/store/storetest"
)

// stallTimeout is the request deadline of the servers whose database
// stalls: short, since every stalled request waits for it.
const stallTimeout = 150 * time.Millisecond

// stallingStore is a database whose organisation lookups answer with
// answer (when set), and whose bookings, while stallBooks is set, render
// their reply only once the request's context has ended, inside the
// booking's transaction: a database too slow for the request's deadline.
type stallingStore struct {
	*store.DB
	answer     func(ctx context.Context, id string) (*matching.Organisation, error)
	stallBooks atomic.Bool
}

func (s *stallingStore) GetOrganisation(ctx context.Context, id string) (*matching.Organisation, error) {
	if s.answer == nil {
		return s.DB.GetOrganisation(ctx, id)
	}
	return s.answer(ctx, id)
}

func (s *stallingStore) Book(ctx context.Context, id string, req *matching.BookingRequest, idem *matching.Idempotency, render matching.Render) (matching.Reply, *matching.BookingOutcome, error) {
	if !s.stallBooks.Load() {
		return s.DB.Book(ctx, id, req, idem, render)
	}
	return s.DB.Book(ctx, id, req, idem, func(o *matching.BookingOutcome) (matching.Reply, error) {
		<-ctx.Done()
		return render(o)
	})
}

// newStallingRouter is the router on st with a request deadline of
// stallTimeout and no read model, logging at info into logs.
func newStallingRouter(st api.Store, logs *logBuffer) http.Handler {
	return api.NewRouter(api.Config{
		Store:          st,
		Taxonomy:       seed.Taxonomy(),
		Logger:         slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
		AdminToken:     adminToken,
		Now:            newClock(),
		RequestTimeout: stallTimeout,
	})
}

// requestsCounted returns the line of GET /metrics that counts the
// answers of route with status, "" when there is none.
func requestsCounted(t *testing.T, h http.Handler, route string, status int) string {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	prefix := fmt.Sprintf(`commonground_http_requests_total{method="GET",route=%q,status="%d"} `, route, status)
	for line := range strings.Lines(w.Body.String()) {
		if strings.HasPrefix(line, prefix) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// TestRequestOutOfTime: a request the database is too slow for is a 503
// with Retry-After, whatever the driver makes of the expired deadline; a
// client that goes away is logged at info and counted as 499, never as a
// 500.
func TestRequestOutOfTime(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		orgID, _ := s.registerAt(t, "Slow Hall", cLat, cLon)
		const route = "/v1/organisations/:id"
		for _, c := range []struct {
			name string
			// leave has the client go away once the store is called.
			leave  bool
			answer func(ctx context.Context, id string) (*matching.Organisation, error)
			want   int
			typ    string
			// logged is a line the log must hold; notLogged one it must not.
			logged, notLogged string
		}{
			{
				name: "deadline, the database sees it",
				answer: func(ctx context.Context, id string) (*matching.Organisation, error) {
					<-ctx.Done()
					return db.GetOrganisation(ctx, id)
				},
				want: http.StatusServiceUnavailable, typ: "/problems/timeout",
				logged: `level=WARN msg="request ran out of time"`, notLogged: `msg="internal error"`,
			},
			{
				name: "deadline, the database reports a transaction rolled back",
				answer: func(ctx context.Context, id string) (*matching.Organisation, error) {
					<-ctx.Done()
					return nil, fmt.Errorf("organisation %s: %w", id, sql.ErrTxDone)
				},
				want: http.StatusServiceUnavailable, typ: "/problems/timeout",
				logged: `level=WARN msg="request ran out of time"`, notLogged: `msg="internal error"`,
			},
			{
				name: "a deadline inside the service",
				answer: func(ctx context.Context, id string) (*matching.Organisation, error) {
					return nil, fmt.Errorf("organisation %s: statement timeout: %w", id, context.DeadlineExceeded)
				},
				want: http.StatusServiceUnavailable, typ: "/problems/timeout",
				logged: `level=WARN msg="request ran out of time"`, notLogged: `msg="internal error"`,
			},
			{
				name:  "the client goes away",
				leave: true,
				answer: func(ctx context.Context, id string) (*matching.Organisation, error) {
					<-ctx.Done()
					return db.GetOrganisation(ctx, id)
				},
				want: 499, typ: "/problems/client-closed-request",
				logged: `level=INFO msg="client went away before the answer"`, notLogged: "level=ERROR",
			},
			{
				name: "the database is unavailable",
				answer: func(ctx context.Context, id string) (*matching.Organisation, error) {
					return nil, fmt.Errorf("organisation %s: %w: the database did not answer in time: %w", id, matching.ErrUnavailable, context.DeadlineExceeded)
				},
				want: http.StatusServiceUnavailable, typ: "/problems/unavailable",
				logged: `level=WARN msg="database unavailable"`, notLogged: `msg="internal error"`,
			},
			{
				name: "the database fails on its own",
				answer: func(ctx context.Context, id string) (*matching.Organisation, error) {
					return nil, errors.New("disk I/O error")
				},
				want: http.StatusInternalServerError, typ: "/problems/internal",
				logged: `level=ERROR msg="internal error"`, notLogged: "ran out of time",
			},
		} {
			t.Run(c.name, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				st := &stallingStore{DB: db, answer: func(ctx context.Context, id string) (*matching.Organisation, error) {
					if c.leave {
						cancel()
					}
					return c.answer(ctx, id)
				}}
				logs := &logBuffer{}
				h := newStallingRouter(st, logs)
				w := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(w, httptest.NewRequestWithContext(ctx, "GET", "/v1/organisations/"+orgID, nil))
				if took := time.Since(start); took > stallTimeout+5*time.Second {
					t.Errorf("answered after %v, want soon after the %v deadline", took, stallTimeout)
				}
				if w.Code != c.want {
					t.Fatalf("got status %d, want %d; body %s", w.Code, c.want, w.Body)
				}
				p := checkProblem(t, c.name, w.Code, w.Result().Header, w.Body.Bytes())
				if p.Type != c.typ {
					t.Errorf("got problem type %q, want %q", p.Type, c.typ)
				}
				if strings.Contains(p.Detail, "I/O") || strings.Contains(p.Detail, "deadline") {
					t.Errorf("got detail %q, want one that does not leak the error", p.Detail)
				}
				retryAfter := w.Result().Header.Get("Retry-After")
				if c.want == http.StatusServiceUnavailable {
					if secs, err := strconv.Atoi(retryAfter); err != nil || secs < 1 {
						t.Errorf("got Retry-After %q, want whole seconds ≥ 1", retryAfter)
					}
				} else if retryAfter != "" {
					t.Errorf("got Retry-After %q, want none", retryAfter)
				}
				if !strings.Contains(logs.String(), c.logged) {
					t.Errorf("log lacks %q:\n%s", c.logged, logs)
				}
				if strings.Contains(logs.String(), c.notLogged) {
					t.Errorf("log holds %q:\n%s", c.notLogged, logs)
				}
				if got := requestsCounted(t, h, route, c.want); !strings.HasSuffix(got, " 1") {
					t.Errorf("got metrics line %q, want one %d counted", got, c.want)
				}
				if c.want != http.StatusInternalServerError {
					if got := requestsCounted(t, h, route, http.StatusInternalServerError); got != "" {
						t.Errorf("got metrics line %q, want no 500 counted", got)
					}
				}
			})
		}
	})
}

// TestBookingOutOfTime: a booking whose transaction outlives the request's
// deadline is a 503 that keeps nothing, neither the booking nor the reply
// for its Idempotency-Key, so the client's retry books it once.
//
// SQLite runs on a file here, not in memory: database/sql drops the
// connection of a transaction whose context ends (the SQLite driver cannot
// reset a session), and an in-memory database goes with its connection.
func TestBookingOutOfTime(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			db, err := store.Open(t.Context(), storetest.SharedURL(t, d), store.Options{})
			if err != nil {
				t.Fatalf("open %s store: %v", d, err)
			}
			t.Cleanup(func() { db.Close() })
			testBookingOutOfTime(t, newServer(t, db), db)
		})
	}
}

func testBookingOutOfTime(t *testing.T, s *server, db *store.DB) {
	b := newBookable(t, s, true)
	st := &stallingStore{DB: db}
	st.stallBooks.Store(true)
	slow := &server{store: st, handler: newStallingRouter(st, &logBuffer{})}
	ts := httptest.NewServer(slow.handler)
	t.Cleanup(ts.Close)
	slow.url, slow.client = ts.URL, ts.Client()

	body := one("2027-03-01T10:00:00Z", "2027-03-01T11:00:00Z")
	key := map[string]string{"Idempotency-Key": "slow-retry-0001"}
	status, h, raw := slow.book(t, b.bookerToken, b.space.ID, body, key)
	if status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
		t.Fatalf("stalled booking: got %d (Retry-After %q) %s, want 503 with Retry-After", status, h.Get("Retry-After"), raw)
	}
	var n int64
	db.Gorm().Table("bookings").Count(&n)
	if n != 0 {
		t.Errorf("after the stalled booking: %d bookings, want 0", n)
	}
	status, h, raw = s.book(t, b.bookerToken, b.space.ID, body, key)
	if status != http.StatusCreated || h.Get("Idempotent-Replayed") != "" {
		t.Fatalf("retry: got %d (replayed %q) %s, want a fresh 201", status, h.Get("Idempotent-Replayed"), raw)
	}
	db.Gorm().Table("bookings").Count(&n)
	if n != 1 {
		t.Errorf("after the retry: %d bookings, want 1", n)
	}
}
