package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"commonground/api"
	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

// post sends one JSON request from any goroutine (no t.Fatal inside).
func (s *server) post(token, path string, body any) (int, []byte, error) {
	reply, err := s.postWith(token, path, body, nil)
	return reply.status, reply.raw, err
}

// reply is an answer to postWith.
type reply struct {
	status int
	header http.Header
	raw    []byte
}

// postWith is post with extra request headers, answering the response's
// headers too.
func (s *server) postWith(token, path string, body any, header map[string]string) (reply, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return reply{}, err
	}
	req, err := http.NewRequest("POST", s.url+path, bytes.NewReader(b))
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, raw}, err
}

// concurrentBackends are the databases where writers really run at once:
// a SQLite file (several connections, one writer at a time) and
// PostgreSQL.
// fn also gets the database's URL, to open more stores on it.
func concurrentBackends(t *testing.T, fn func(t *testing.T, s *server, db *store.DB, url string)) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.SharedURL(t, d)
			db := openStore(t, url)
			fn(t, newServer(t, db), db, url)
		})
	}
}

// confirmedOccurrences reads a space's confirmed occurrences from the
// database, by start.
func confirmedOccurrences(t *testing.T, db *store.DB, spaceID string) []matching.Session {
	t.Helper()
	var rows []struct{ StartsAt, EndsAt time.Time }
	err := db.Gorm().Raw("SELECT starts_at, ends_at FROM booking_occurrences WHERE space_id = ? AND status = 'confirmed' ORDER BY starts_at",
		spaceID).Scan(&rows).Error
	if err != nil {
		t.Fatalf("read occurrences: %v", err)
	}
	out := make([]matching.Session, len(rows))
	for i, r := range rows {
		out[i] = matching.Session{Start: r.StartsAt.UTC(), End: r.EndsAt.UTC()}
	}
	return out
}

// engineBooked is what the read model holds as booked in a space.
func engineBooked(t *testing.T, s *server, spaceID string) []matching.Session {
	t.Helper()
	for _, sv := range engineOf(t, s).View().Spaces {
		if sv.ID == spaceID {
			return sv.Booked
		}
	}
	t.Fatalf("space %s is not in the read model", spaceID)
	return nil
}

func TestConcurrentBookingsOfOneSession(t *testing.T) {
	const goroutines = 50
	concurrentBackends(t, func(t *testing.T, s *server, db *store.DB, url string) {
		b := newBookable(t, s, true)
		tokens := []string{b.bookerToken, b.ownerToken}
		for i := range 8 {
			_, tok := s.registerAt(t, fmt.Sprintf("Company %d", i), cLat, cLon)
			tokens = append(tokens, tok)
		}
		body := one("2027-03-01T18:00:00Z", "2027-03-01T20:00:00Z")
		status := make([]int, goroutines)
		raws := make([][]byte, goroutines)
		errs := make([]error, goroutines)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range goroutines {
			wg.Go(func() {
				<-start
				status[i], raws[i], errs[i] = s.post(tokens[i%len(tokens)], "/v1/spaces/"+b.space.ID+"/bookings", body)
			})
		}
		close(start)
		wg.Wait()
		created := 0
		for i := range goroutines {
			switch {
			case errs[i] != nil:
				t.Errorf("request %d: %v", i, errs[i])
			case status[i] == http.StatusCreated:
				created++
			case status[i] == http.StatusConflict:
				var p api.Problem
				if err := json.Unmarshal(raws[i], &p); err != nil || len(p.Conflicts) != 1 || p.Conflicts[0].Reason != "booked" {
					t.Errorf("request %d: 409 body %s, want the one session, booked", i, raws[i])
				}
			default:
				t.Errorf("request %d: got %d %s, want 201 or 409", i, status[i], raws[i])
			}
		}
		if created != 1 {
			t.Errorf("%d of %d bookings of one session were confirmed, want exactly 1", created, goroutines)
		}
		if got := confirmedOccurrences(t, db, b.space.ID); len(got) != 1 {
			t.Errorf("the database holds %d confirmed occurrences, want 1: %v", len(got), got)
		}
		if got := engineBooked(t, s, b.space.ID); len(got) != 1 {
			t.Errorf("the read model holds %d booked periods, want 1: %v", len(got), got)
		}
		// Bookings at one space wait for each other rather than race to
		// the exclusion constraint, where PostgreSQL's concurrent checks
		// deadlock one another and a crowd of retries can stall for good.
		if n := db.LostRaces(); n != 0 {
			t.Errorf("%d booking transactions lost a race and were retried, want none", n)
		}
	})
}

func TestConcurrentOverlappingSeries(t *testing.T) {
	const orgs, perOrg = 6, 4
	concurrentBackends(t, func(t *testing.T, s *server, db *store.DB, url string) {
		b := newBookable(t, s, true)
		var tokens []string
		for i := range orgs {
			_, tok := s.registerAt(t, fmt.Sprintf("Company %d", i), cLat, cLon)
			tokens = append(tokens, tok)
		}
		// Every organisation asks for series of Monday sessions whose
		// starts are staggered by 20 minutes, so most overlap others.
		type ask struct {
			token string
			body  map[string]any
		}
		var asks []ask
		for i, tok := range tokens {
			for j := range perOrg {
				startMin := 9*60 + ((i*perOrg+j)*20)%(8*60)
				end := startMin + 90
				w := mondays("2027-01-04", 6+j, fmt.Sprintf("%02d:%02d", startMin/60, startMin%60), fmt.Sprintf("%02d:%02d", end/60, end%60))
				asks = append(asks, ask{tok, with(w, "skip_conflicts", j%2 == 0)})
			}
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		created := 0
		start := make(chan struct{})
		for i, a := range asks {
			wg.Go(func() {
				<-start
				status, raw, err := s.post(a.token, "/v1/spaces/"+b.space.ID+"/bookings", a.body)
				switch {
				case err != nil:
					t.Errorf("ask %d: %v", i, err)
				case status == http.StatusCreated:
					mu.Lock()
					created++
					mu.Unlock()
				case status != http.StatusConflict:
					t.Errorf("ask %d: got %d %s, want 201 or 409", i, status, raw)
				}
			})
		}
		close(start)
		wg.Wait()
		got := confirmedOccurrences(t, db, b.space.ID)
		if created == 0 || len(got) < 6 {
			t.Fatalf("%d bookings made, %d sessions confirmed: too few to prove anything", created, len(got))
		}
		for i := range got {
			for j := i + 1; j < len(got); j++ {
				if got[i].Overlaps(got[j]) {
					t.Errorf("confirmed occurrences overlap: %v and %v", got[i], got[j])
				}
			}
		}
		if eng := engineBooked(t, s, b.space.ID); !slices.EqualFunc(eng, got, func(a, b matching.Session) bool {
			return a.Start.Equal(b.Start) && a.End.Equal(b.End)
		}) {
			t.Errorf("the read model's booked periods %v differ from the database's %v", eng, got)
		}
		if n := db.LostRaces(); n != 0 {
			t.Errorf("%d booking transactions lost a race and were retried, want none", n)
		}
		t.Logf("%d asks: %d bookings, %d confirmed sessions, none overlapping", len(asks), created, len(got))
	})
}

// TestOneKeyRetriedAtOnce sends one booking twice at once with the same
// Idempotency-Key, both reaching the space's turn before either commits
// (a transaction holding the space's row keeps them waiting). The second
// to take its turn loses the race for the key, is retried, and replays
// the first's answer: one booking, two identical 201s, one lost race,
// which /metrics reports.
func TestOneKeyRetriedAtOnce(t *testing.T) {
	url := storetest.URL(t, store.Postgres)
	db := openStore(t, url)
	s := newServer(t, db)
	b := newBookable(t, s, true)

	hold := openStore(t, url).Gorm().Begin()
	t.Cleanup(func() { hold.Rollback() })
	var holder int
	if err := hold.Raw("SELECT pg_backend_pid()").Scan(&holder).Error; err != nil {
		t.Fatalf("backend pid: %v", err)
	}
	if err := hold.Exec("SELECT id FROM spaces WHERE id = ? FOR NO KEY UPDATE", b.space.ID).Error; err != nil {
		t.Fatalf("hold the space: %v", err)
	}

	key := map[string]string{"Idempotency-Key": "twice-at-once"}
	body := one("2027-03-01T18:00:00Z", "2027-03-01T20:00:00Z")
	var replies [2]reply
	var errs [2]error
	var wg sync.WaitGroup
	for i := range replies {
		wg.Go(func() {
			replies[i], errs[i] = s.postWith(b.bookerToken, "/v1/spaces/"+b.space.ID+"/bookings", body, key)
		})
	}
	// Backends waiting on the holder, or on a backend that waits on it.
	const waiting = `WITH RECURSIVE blocked(pid) AS (
		SELECT pid FROM pg_stat_activity WHERE ?::int = ANY(pg_blocking_pids(pid))
		UNION SELECT a.pid FROM pg_stat_activity a JOIN blocked w ON w.pid = ANY(pg_blocking_pids(a.pid)))
		SELECT count(*) FROM blocked`
	waitFor(t, 10*time.Second, "both requests to wait for the space", func() bool {
		var n int
		if err := db.Gorm().Raw(waiting, holder).Scan(&n).Error; err != nil {
			t.Fatalf("count waiting backends: %v", err)
		}
		return n == 2
	})
	if err := hold.Commit().Error; err != nil {
		t.Fatalf("release the space: %v", err)
	}
	wg.Wait()

	replayed := 0
	for i, r := range replies {
		if errs[i] != nil || r.status != http.StatusCreated {
			t.Fatalf("request %d: got %d %s (%v), want 201", i, r.status, r.raw, errs[i])
		}
		if r.header.Get("Idempotent-Replayed") == "true" {
			replayed++
		}
	}
	if replayed != 1 || !bytes.Equal(replies[0].raw, replies[1].raw) {
		t.Errorf("%d answers replayed, bodies %s and %s; want one replay of the same body", replayed, replies[0].raw, replies[1].raw)
	}
	if got := confirmedOccurrences(t, db, b.space.ID); len(got) != 1 {
		t.Errorf("the database holds %d confirmed occurrences, want 1", len(got))
	}
	if n := db.LostRaces(); n != 1 {
		t.Errorf("%d booking transactions lost a race, want 1", n)
	}
	status, _, raw := s.send(t, request{method: "GET", path: "/metrics"})
	wantStatus(t, "metrics", status, http.StatusOK, string(raw))
	if got, ok := metricValue(t, string(raw), "commonground_booking_lost_races_total", ""); !ok || got != 1 {
		t.Errorf("commonground_booking_lost_races_total = %v (present %v), want 1", got, ok)
	}
}

// TestMatchingSeesBookings checks a booked session is no longer offered by
// matching, on the server that took the booking at once and on a second
// replica over the same database within two seconds, and is offered again
// once cancelled.
func TestMatchingSeesBookings(t *testing.T) {
	concurrentBackends(t, func(t *testing.T, s *server, db *store.DB, url string) {
		b := newBookable(t, s, true)
		replica := newServer(t, openStore(t, url))
		follow(t, replica.follower, 100*time.Millisecond)
		weekly := map[string]any{"day": "mon", "start": "18:00", "end": "20:00", "from": "2027-03-01", "count": 3}
		match := matchBody("weekly", weekly, "explain_space_id", b.space.ID)
		matched := func(s *server) (bool, []any) {
			t.Helper()
			status, _, m := s.do(t, "POST", "/v1/match/venues", "", match)
			wantStatus(t, "match", status, http.StatusOK, m)
			ex := m["explanation"].(map[string]any)
			conflicts, _ := ex["conflicts"].([]any)
			return slices.Contains(matchIDs(m), b.space.ID), conflicts
		}
		if ok, _ := matched(s); !ok {
			t.Fatal("the free space is not matched before booking")
		}
		status, _, raw := s.book(t, b.bookerToken, b.space.ID, one("2027-03-08T18:30:00Z", "2027-03-08T19:00:00Z"), nil)
		wantStatus(t, "book", status, http.StatusCreated, string(raw))
		id := bookingOf(t, raw).Booking.ID
		ok, conflicts := matched(s)
		if ok || len(conflicts) != 1 || conflicts[0].(map[string]any)["reason"] != "booked" {
			t.Errorf("after booking: matched %v, conflicts %v; want unmatched with one booked session", ok, conflicts)
		}
		waitFor(t, 2*time.Second, "the replica to see the booking", func() bool { ok, _ := matched(replica); return !ok })

		status, _, m := s.do(t, "DELETE", "/v1/bookings/"+id, b.bookerToken, nil)
		wantStatus(t, "cancel", status, http.StatusOK, m)
		if ok, _ := matched(s); !ok {
			t.Error("after cancelling: the space is not matched again")
		}
		waitFor(t, 2*time.Second, "the replica to see the cancellation", func() bool { ok, _ := matched(replica); return ok })
	})
}

// waitFor polls cond every 50 ms until it holds, failing t after limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
