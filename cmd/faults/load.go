package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// clientTimeout bounds every request of the suite: a request without an
// answer by then counts as no answer (status 0).
const clientTimeout = 45 * time.Second

// record is one request the suite sent and what came back.
type record struct {
	op         string
	start      time.Time
	took       time.Duration
	status     int // 0: no answer (connection refused, reset or timed out)
	retryAfter bool
}

// recorder collects the records of one scenario.
type recorder struct {
	mu   sync.Mutex
	recs []record
}

func (r *recorder) add(rec record) {
	r.mu.Lock()
	r.recs = append(r.recs, rec)
	r.mu.Unlock()
}

func (r *recorder) all() []record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]record(nil), r.recs...)
}

// client sends JSON requests to one service and records each.
type client struct {
	base string
	http *http.Client
	rec  *recorder
}

func newClient(base string, rec *recorder, conns int) *client {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxIdleConns: conns, IdleConnTimeout: 30 * time.Second}
	return &client{base: base, http: &http.Client{Timeout: clientTimeout, Transport: tr}, rec: rec}
}

// do sends one request; body is marshalled to JSON unless nil. It returns
// the status (0 with err when there was no answer) and the body.
func (c *client) do(ctx context.Context, op, method, path, token string, body any, header map[string]string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	var raw []byte
	status, retryAfter := 0, false
	if err == nil {
		raw, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		status, retryAfter = resp.StatusCode, resp.Header.Get("Retry-After") != ""
	}
	if c.rec != nil {
		c.rec.add(record{op: op, start: start, took: time.Since(start), status: status, retryAfter: retryAfter})
	}
	if status == 0 {
		return 0, nil, err
	}
	return status, raw, nil
}

// call sends a request that must answer want, and decodes the answer into
// dst (unless nil).
func (c *client) call(ctx context.Context, method, path, token string, body any, want int, dst any) error {
	status, raw, err := c.do(ctx, "setup", method, path, token, body, nil)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if status != want {
		return fmt.Errorf("%s %s: got %d, want %d: %.300s", method, path, status, want, raw)
	}
	if dst == nil {
		return nil
	}
	return json.Unmarshal(raw, dst)
}

// fixture is what the load works on: an owner organisation with an
// instant-book space open at all hours, a booking organisation, and IDs
// of the demo county to read.
type fixture struct {
	ownerID, ownerToken string
	bookerToken         string
	spaceID             string
	readOrgs            []string
	readSpaces          []string
	day0                time.Time     // midnight UTC, two days ahead
	slot                *atomic.Int64 // next free half-hour slot after day0
}

// maxSlots keeps bookings within a year, the longest horizon a space allows.
const maxSlots = 360 * 48

func register(ctx context.Context, c *client, name string) (id, token string, err error) {
	var reg struct {
		Organisation struct{ ID string }
		Token        string
	}
	body := map[string]any{"name": name, "type": "arts", "location": map[string]any{"lat": 52.2, "lon": 0.12}}
	if err := c.call(ctx, "POST", "/v1/organisations", "", body, http.StatusCreated, &reg); err != nil {
		return "", "", err
	}
	return reg.Organisation.ID, reg.Token, nil
}

func setUp(ctx context.Context, c *client) (*fixture, error) {
	fx := &fixture{slot: &atomic.Int64{}, day0: time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 2)}
	var err error
	if fx.ownerID, fx.ownerToken, err = register(ctx, c, "Faults owner"); err != nil {
		return nil, err
	}
	if _, fx.bookerToken, err = register(ctx, c, "Faults booker"); err != nil {
		return nil, err
	}
	var venue struct{ ID string }
	body := map[string]any{"name": "Faults hall", "location": map[string]any{"lat": 52.2, "lon": 0.12}}
	if err := c.call(ctx, "POST", "/v1/venues", fx.ownerToken, body, http.StatusCreated, &venue); err != nil {
		return nil, err
	}
	var hours []any
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		hours = append(hours, map[string]any{"day": d, "opens": "00:00", "closes": "24:00"})
	}
	var space struct{ ID string }
	body = map[string]any{"name": "Faults room", "kind": "studio", "capacity": 30, "floor_area_m2": 120,
		"floor": "sprung", "instant_book": true, "opening_hours": hours}
	if err := c.call(ctx, "POST", "/v1/venues/"+venue.ID+"/spaces", fx.ownerToken, body, http.StatusCreated, &space); err != nil {
		return nil, err
	}
	fx.spaceID = space.ID
	var list struct{ Items []struct{ ID string } }
	if err := c.call(ctx, "GET", "/v1/organisations?limit=50", "", nil, http.StatusOK, &list); err != nil {
		return nil, err
	}
	for _, it := range list.Items {
		fx.readOrgs = append(fx.readOrgs, it.ID)
	}
	list.Items = nil
	if err := c.call(ctx, "GET", "/v1/spaces?limit=50", "", nil, http.StatusOK, &list); err != nil {
		return nil, err
	}
	for _, it := range list.Items {
		fx.readSpaces = append(fx.readSpaces, it.ID)
	}
	fx.readOrgs = append(fx.readOrgs, fx.ownerID)
	fx.readSpaces = append(fx.readSpaces, fx.spaceID)
	return fx, nil
}

// ack is a write the service acknowledged (2xx): it must survive anything.
type ack struct {
	kind  string // "organisation" or "booking"
	id    string
	token string // to read a booking
}

// mix is the share, out of 100, of each kind of request in the load:
// reads of one organisation or space by ID, nearby searches, venue
// matching, registrations; the rest are bookings.
type mix struct{ reads, nearby, matches, registrations int }

var (
	mixedLoad     = mix{reads: 25, nearby: 15, matches: 15, registrations: 20}
	writeLoad     = mix{registrations: 50}
	readModelLoad = mix{nearby: 50, matches: 50}
)

// load is clients sending a mix of requests until stopped.
type load struct {
	stop chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	acks []ack
}

// maxPerWorker bounds each client's requests whatever the duration.
const maxPerWorker = 50000

// startLoad starts workers clients of mix m, and readers clients that
// only ask what the read model answers (nearby and matching, anonymous),
// against c's service; each runs until Stop is called or limit passes.
func startLoad(ctx context.Context, c *client, fx *fixture, workers, readers int, m mix, limit time.Duration, seed uint64) *load {
	l := &load{stop: make(chan struct{})}
	deadline := time.Now().Add(limit)
	for w := range workers + readers {
		wm := m
		if w >= workers {
			wm = readModelLoad
		}
		l.wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for i := 0; i < maxPerWorker && time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				if w >= workers {
					// A reader is one client among many, not a flood.
					time.Sleep(5 * time.Millisecond)
				}
				if !l.one(ctx, c, fx, rng, wm, w, i) {
					// No answer: the service is down or stopping; do not spin.
					select {
					case <-l.stop:
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
			}
		})
	}
	return l
}

// Stop ends the load and waits for the requests in flight.
func (l *load) Stop() []ack {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]ack(nil), l.acks...)
}

func (l *load) acked(a ack) {
	l.mu.Lock()
	l.acks = append(l.acks, a)
	l.mu.Unlock()
}

// one sends one request of the mix and reports whether it was answered.
func (l *load) one(ctx context.Context, c *client, fx *fixture, rng *rand.Rand, m mix, w, i int) bool {
	p := rng.IntN(100)
	switch {
	case p < m.reads:
		path := "/v1/organisations/" + fx.readOrgs[rng.IntN(len(fx.readOrgs))]
		if rng.IntN(2) == 0 {
			path = "/v1/spaces/" + fx.readSpaces[rng.IntN(len(fx.readSpaces))]
		}
		status, _, _ := c.do(ctx, "read", "GET", path, "", nil, nil)
		return status != 0
	case p < m.reads+m.nearby:
		path := fmt.Sprintf("/v1/nearby?lat=%.4f&lon=%.4f&radius_km=10&kind=spaces&limit=20", 52.1+rng.Float64()*0.3, -0.1+rng.Float64()*0.4)
		status, _, _ := c.do(ctx, "nearby", "GET", path, "", nil, nil)
		return status != 0
	case p < m.reads+m.nearby+m.matches:
		start := fx.day0.AddDate(0, 0, 1+rng.IntN(30)).Add(18 * time.Hour)
		body := map[string]any{"near": map[string]any{"lat": 52.2, "lon": 0.12}, "radius_km": 15, "group_size": 10,
			"activity": "contemporary", "sessions": []any{map[string]any{"start": start, "end": start.Add(2 * time.Hour)}}, "limit": 10}
		status, _, _ := c.do(ctx, "match", "POST", "/v1/match/venues", "", body, nil)
		return status != 0
	case p < m.reads+m.nearby+m.matches+m.registrations:
		body := map[string]any{"name": fmt.Sprintf("Faults load %d-%d", w, i), "type": "community",
			"location": map[string]any{"lat": 52.0 + rng.Float64()*0.5, "lon": rng.Float64() * 0.5}}
		status, raw, _ := c.do(ctx, "register", "POST", "/v1/organisations", "", body, nil)
		if status/100 == 2 {
			var reg struct{ Organisation struct{ ID string } }
			if err := json.Unmarshal(raw, &reg); err == nil && reg.Organisation.ID != "" {
				l.acked(ack{kind: "organisation", id: reg.Organisation.ID})
			}
		}
		return status != 0
	default:
		k := fx.slot.Add(1)
		if k >= maxSlots {
			return true
		}
		start := fx.day0.Add(time.Duration(k) * 30 * time.Minute)
		body := map[string]any{"sessions": []any{map[string]any{"start": start, "end": start.Add(30 * time.Minute)}}, "purpose": "fault load"}
		status, raw, _ := c.do(ctx, "book", "POST", "/v1/spaces/"+fx.spaceID+"/bookings", fx.bookerToken, body, nil)
		if status/100 == 2 {
			var env struct{ Booking struct{ ID string } }
			if err := json.Unmarshal(raw, &env); err == nil && env.Booking.ID != "" {
				l.acked(ack{kind: "booking", id: env.Booking.ID, token: fx.bookerToken})
			}
		}
		return status != 0
	}
}

// verify reads every acknowledged write back from the service at base. A
// write the service answers 404 for is lost; one it gives no clear answer
// for (after retries) is unchecked.
func verify(ctx context.Context, base string, acks []ack) (lost, unchecked int, firstLost string) {
	c := newClient(base, nil, 4)
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	next := atomic.Int64{}
	for range 4 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(acks) {
					return
				}
				a := acks[i]
				path := "/v1/organisations/" + a.id
				if a.kind == "booking" {
					path = "/v1/bookings/" + a.id
				}
				status := 0
				for try := 0; try < 5; try++ {
					status, _, _ = c.do(ctx, "verify", "GET", path, a.token, nil, nil)
					if status == http.StatusOK || status == http.StatusNotFound {
						break
					}
					time.Sleep(300 * time.Millisecond)
				}
				mu.Lock()
				switch status {
				case http.StatusOK:
				case http.StatusNotFound:
					lost++
					if firstLost == "" {
						firstLost = a.kind + " " + a.id
					}
				default:
					unchecked++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return lost, unchecked, firstLost
}
