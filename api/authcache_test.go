package api_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"commonground/api"
	"commonground/matching"
	"commonground/seed"
	"commonground/store"
	"commonground/store/storetest"
)

// tokenStore is a store whose token lookups can be made to fail, as when
// the database is down, and are counted.
type tokenStore struct {
	api.Store
	down    atomic.Bool
	lookups atomic.Int64
}

func (s *tokenStore) Credential(ctx context.Context, hash string) (*matching.Credential, error) {
	s.lookups.Add(1)
	if s.down.Load() {
		return nil, errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")
	}
	return s.Store.Credential(ctx, hash)
}

// manualClock is a clock that moves only when told.
type manualClock struct{ n atomic.Int64 }

func newManualClock() *manualClock {
	c := &manualClock{}
	c.n.Store(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *manualClock) now() time.Time      { return time.Unix(0, c.n.Load()).UTC() }
func (c *manualClock) add(d time.Duration) { c.n.Add(int64(d)) }

// newReplica serves cfg's router with its own read model over db, as one
// replica of the service: cfg.Store (db when nil) in front of db, the
// test taxonomy, operator token and logger, and a follower that, when
// interval is above 0, follows db in the background.
func newReplica(t *testing.T, db *store.DB, cfg api.Config, interval time.Duration) *server {
	t.Helper()
	logs := &logBuffer{}
	t.Cleanup(func() {
		if t.Failed() && logs.Len() > 0 {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	if cfg.Store == nil {
		cfg.Store = db
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if cfg.Now == nil {
		cfg.Now = newClock()
	}
	cfg.Taxonomy, cfg.AdminToken, cfg.PasswordParams = seed.Taxonomy(), adminToken, testPasswords
	cfg.Engine = matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	f := &store.Follower{DB: db, Engine: cfg.Engine, Log: cfg.Logger}
	if err := f.Load(t.Context()); err != nil {
		t.Fatalf("load read model: %v", err)
	}
	cfg.Follower = f
	if interval > 0 {
		follow(t, f, interval)
	}
	h := api.NewRouter(cfg)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &server{follower: f, store: cfg.Store, handler: h, url: ts.URL, client: ts.Client()}
}

// TestCachedTokenWithoutTheDatabase checks that a token the database has
// vouched for keeps working for reads and matching while token lookups
// fail, without asking the database again until it is due, and after that
// while the read model holds its organisation.
func TestCachedTokenWithoutTheDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clock := newManualClock()
		st := &tokenStore{Store: db}
		s := newReplica(t, db, api.Config{Store: st, Now: clock.now}, 0)
		id, token := s.registerAt(t, "Mill Road Arts", cLat, cLon)
		venueID := s.venue(t, token, "Mill Road Depot", cLat, cLon)
		s.space(t, token, venueID, with(spaceBody("Depot studio"), "opening_hours", hours("tue"), "prohibited_activities", []string{}))
		// Registration remembered the token it made: the writes above
		// found it remembered and never looked it up.
		if got := st.lookups.Load(); got != 0 {
			t.Errorf("token lookups after registering and two writes: got %d, want 0", got)
		}

		st.down.Store(true)
		check := func(what string, wantLookups int64) {
			t.Helper()
			status, _, m := s.do(t, "GET", "/v1/organisations/"+id, token, nil)
			wantStatus(t, what+": read", status, http.StatusOK, m)
			status, _, m = s.do(t, "POST", "/v1/match/venues", token, matchBody())
			wantStatus(t, what+": match", status, http.StatusOK, m)
			if got := matchIDs(m); len(got) != 1 {
				t.Errorf("%s: got matches %v, want the one studio", what, got)
			}
			if got := st.lookups.Load(); got != wantLookups {
				t.Errorf("%s: got %d token lookups in all, want %d", what, got, wantLookups)
			}
		}
		check("token lookups failing", 0)
		// Due to be verified again: the database cannot say, the read
		// model holds the organisation, so the token stands and is asked
		// about again 10 s later, not on every request.
		clock.add(2 * time.Second)
		check("due again, lookups failing", 1)
		clock.add(9 * time.Second)
		check("9 s later", 1)
		clock.add(2 * time.Second)
		check("10 s later", 2)
		st.down.Store(false)
		clock.add(11 * time.Second)
		check("verified again", 3)
		check("and remembered", 3)
	})
}

// TestDeletedOrganisationTokenStops checks that deleting an organisation
// revokes its remembered token at once on the replica that deleted it and
// within 2 s on another replica over the same database.
func TestDeletedOrganisationTokenStops(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.SharedURL(t, d)
			dbA, dbB := openStore(t, url), openStore(t, url)
			a := newReplica(t, dbA, api.Config{}, 500*time.Millisecond)
			stB := &tokenStore{Store: dbB}
			b := newReplica(t, dbB, api.Config{Store: stB, Now: time.Now}, 500*time.Millisecond)

			id, token := a.registerAt(t, "Short lived", cLat, cLon)
			a.get(t, "/v1/taxonomy", token)
			// B remembers the token once its read model holds the
			// organisation.
			deadline := time.Now().Add(2 * time.Second)
			for !engineOf(t, b).HasOrganisation(id) {
				if time.Now().After(deadline) {
					t.Fatal("replica B did not learn of the organisation within 2 s")
				}
				time.Sleep(20 * time.Millisecond)
			}
			b.get(t, "/v1/taxonomy", token)
			before := stB.lookups.Load()
			b.get(t, "/v1/taxonomy", token)
			if got := stB.lookups.Load(); got != before {
				t.Fatalf("replica B looked a remembered token up again (%d lookups, want %d)", got, before)
			}

			status, _, m := a.do(t, "DELETE", "/v1/organisations/"+id, token, nil)
			wantStatus(t, "DELETE", status, http.StatusNoContent, m)
			deleted := time.Now()
			status, _, m = a.do(t, "GET", "/v1/taxonomy", token, nil)
			wantStatus(t, "replica A, at once", status, http.StatusUnauthorized, m)
			for {
				status, _, m := b.do(t, "GET", "/v1/taxonomy", token, nil)
				if status == http.StatusUnauthorized {
					t.Logf("replica B refused the token %v after the delete", time.Since(deleted).Round(time.Millisecond))
					break
				}
				wantStatus(t, "replica B before it learns of the delete", status, http.StatusOK, m)
				if time.Since(deleted) > 2*time.Second {
					t.Fatal("replica B still accepted the deleted organisation's token 2 s after the delete")
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// TestFailedAuthThrottled checks that a client address presenting many
// unknown tokens is answered 429 without asking the database, while other
// addresses (an IPv6 /64 counts as one) and remembered tokens are not held
// up, and that it may try again once the Retry-After has passed.
func TestFailedAuthThrottled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clock := newManualClock()
		st := &tokenStore{Store: db}
		loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
		s := newReplica(t, db, api.Config{Store: st, Now: clock.now, TrustedProxies: loopback}, 0)
		from := func(addr, token string) (int, http.Header) {
			t.Helper()
			status, h, _ := s.send(t, request{method: "GET", path: "/v1/taxonomy", token: token,
				header: map[string]string{"X-Forwarded-For": addr}})
			return status, h
		}
		_, token := s.registerAt(t, "Legitimate", cLat, cLon)
		if status, _ := from("198.51.100.2", token); status != http.StatusOK {
			t.Fatalf("the legitimate client: got %d, want 200", status)
		}

		const limit = 20
		for _, c := range []struct{ name, attacker, sameClient, other string }{
			{"IPv4", "203.0.113.7", "203.0.113.7", "203.0.113.8"},
			{"IPv6", "2001:db8:1:2::5", "2001:db8:1:2:ffff::6", "2001:db8:1:3::5"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := st.lookups.Load()
				for i := range limit {
					if status, _ := from(c.attacker, api.NewToken()); status != http.StatusUnauthorized {
						t.Fatalf("unknown token %d: got %d, want 401", i+1, status)
					}
				}
				status, h := from(c.sameClient, api.NewToken())
				if status != http.StatusTooManyRequests {
					t.Fatalf("unknown token %d: got %d, want 429", limit+1, status)
				}
				if secs, err := strconv.Atoi(h.Get("Retry-After")); err != nil || secs != 3 {
					t.Errorf("Retry-After %q, want 3 (20 a minute)", h.Get("Retry-After"))
				}
				if got := st.lookups.Load() - before; got != limit {
					t.Errorf("got %d token lookups, want %d: a throttled request must not reach the database", got, limit)
				}
				if status, _ := from(c.attacker, token); status != http.StatusOK {
					t.Errorf("a remembered token from the throttled address: got %d, want 200", status)
				}
				if status, _ := from(c.other, api.NewToken()); status != http.StatusUnauthorized {
					t.Errorf("an unknown token from another address: got %d, want 401", status)
				}
				if status, _ := from("198.51.100.2", token); status != http.StatusOK {
					t.Errorf("the legitimate client: got %d, want 200", status)
				}
			})
		}
		clock.add(3 * time.Second)
		if status, _ := from("203.0.113.7", api.NewToken()); status != http.StatusUnauthorized {
			t.Errorf("after Retry-After: got %d, want 401", status)
		}
		if status, _ := from("203.0.113.7", api.NewToken()); status != http.StatusTooManyRequests {
			t.Errorf("straight after: got %d, want 429", status)
		}
	})
}
