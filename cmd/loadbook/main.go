// Command loadbook is a load run for bookings: many clients booking random
// sessions of a few spaces at once through the HTTP API, then a check in
// the database that no two confirmed occurrences of a space overlap.
//
//	go run ./cmd/loadbook -url 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable' -duration 30s -connections 50
//
// It serves the service as main.go wires it (app.New: the store, the read
// model loaded and followed, the router) on 127.0.0.1 at a free port, in a
// fresh PostgreSQL schema (storetest.NewSchema) that it drops at the end
// (-keep keeps it), or on a SQLite file with -url sqlite:PATH. Through the
// API it registers -orgs organisations and -spaces instant-book spaces
// open every day 07:00–23:00, then runs -connections clients for
// -duration. Each client loops: a random organisation books a random
// space for one session (70%) or a weekly series of 2–6 (30%, half with
// skip_conflicts), on one of the next 28 days between 08:00 and 21:00
// London time, with an Idempotency-Key; one request in 20 is a retry of
// the client's previous request with the same key, which must replay the
// first answer. Sessions are crowded on purpose, so many requests meet a
// conflict.
//
// With -turnaround M the spaces keep M minutes clear around each booking,
// and with -cap H one organisation may hold H future confirmed hours at a
// space (past it, its instant bookings wait as requested).
//
// It prints requests/s, bookings/s, latency percentiles by outcome, and
// the checks: the number of pairs of confirmed occurrences of one space
// that overlap, of confirmed occurrences of one space closer than the
// turnaround, and of organisations holding more confirmed hours at a
// space than the cap, each of which must be 0. It exits non-zero if a
// check fails, a request errs or a replay differs.
//
// Every booking is an event for the spaces' owner, whose webhook (a
// receiver on 127.0.0.1) the service's job queue posts each one to. It
// samples the queue each second of the run and then waits (up to -drain)
// for every event to be delivered, and prints how many jobs were pending
// and how long delivery took to catch up; it exits non-zero if it did not,
// and counts repeated webhook-ids.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"commonground/app"
	"commonground/store"
	"commonground/store/storetest"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadbook:", err)
		os.Exit(1)
	}
}

type options struct {
	url                string
	duration           time.Duration
	connections        int
	orgs, spaces, days int
	seed               uint64
	keep               bool
	drain              time.Duration
	turnaround, cap    int
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadbook", flag.ContinueOnError)
	fs.StringVar(&o.url, "url", os.Getenv("TEST_DATABASE_URL"), "PostgreSQL URL (a fresh schema is made in it) or sqlite:PATH (default $TEST_DATABASE_URL)")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "length of the run")
	fs.IntVar(&o.connections, "connections", 50, "concurrent clients, each with its own connection")
	fs.IntVar(&o.orgs, "orgs", 20, "organisations booking")
	fs.IntVar(&o.spaces, "spaces", 10, "spaces booked")
	fs.IntVar(&o.days, "days", 28, "days ahead that sessions fall on")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed of the clients")
	fs.BoolVar(&o.keep, "keep", false, "keep the PostgreSQL schema afterwards")
	fs.DurationVar(&o.drain, "drain", time.Minute, "how long event delivery may take to catch up after the run")
	fs.IntVar(&o.turnaround, "turnaround", 0, "minutes each space keeps clear around a booking")
	fs.IntVar(&o.cap, "cap", 0, "future confirmed hours one organisation may hold at a space (0: no cap)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.url == "" {
		return o, errors.New("-url is required (or set TEST_DATABASE_URL)")
	}
	if o.connections < 1 || o.orgs < 1 || o.spaces < 1 || o.days < 1 || o.duration <= 0 {
		return o, errors.New("-connections, -orgs, -spaces, -days and -duration must be positive")
	}
	if o.turnaround < 0 || o.cap < 0 {
		return o, errors.New("-turnaround and -cap must not be negative")
	}
	return o, nil
}

func run(ctx context.Context, args []string, out io.Writer) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	dbURL, drop, err := freshDatabase(o.url, o.keep)
	if err != nil {
		return err
	}
	defer drop()
	// The router's request log, built for every request and thrown away.
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	hooks, err := newReceiver()
	if err != nil {
		return err
	}
	defer hooks.close()
	a, err := app.New(ctx, app.Config{DatabaseURL: dbURL, WebhookAllowPrivate: true, WebhookRetryBase: time.Second}, log)
	if err != nil {
		return err
	}
	defer a.Close()
	db := a.DB
	base, stop, err := serve(a.Handler, log)
	if err != nil {
		return err
	}
	defer stop()

	fx, err := setUp(base, o, hooks.url)
	if err != nil {
		return fmt.Errorf("set up: %w", err)
	}
	sampling := sample(ctx, db, fx.ownerID)
	res := load(base, fx, o)
	samples, err := sampling.finish()
	if err != nil {
		return fmt.Errorf("queue samples: %w", err)
	}
	pairs, confirmed, err := overlaps(ctx, db)
	if err != nil {
		return fmt.Errorf("overlap check: %w", err)
	}
	fair, err := fairness(ctx, db, o)
	if err != nil {
		return fmt.Errorf("turnaround and cap checks: %w", err)
	}
	report(out, o, db.Dialect(), res, pairs, confirmed, db.LostRaces())
	fmt.Fprintf(out, "turnaround check (%d min): %d pairs of confirmed occurrences closer\n", o.turnaround, fair.close)
	fmt.Fprintf(out, "cap check (%d h): %d organisation-space pairs over the cap, %.1f h the most held\n", o.cap, fair.over, fair.most)
	if err := drain(ctx, out, db, fx.ownerID, hooks, samples, o.drain); err != nil {
		return err
	}
	switch {
	case pairs > 0:
		return fmt.Errorf("%d pairs of confirmed occurrences overlap", pairs)
	case fair.close > 0:
		return fmt.Errorf("%d pairs of confirmed occurrences are closer than the %d-minute turnaround", fair.close, o.turnaround)
	case fair.over > 0:
		return fmt.Errorf("%d organisations hold more than %d confirmed hours at a space", fair.over, o.cap)
	case res.errors > 0:
		return fmt.Errorf("%d requests failed (first: %v)", res.errors, res.firstErr)
	case res.badReplays > 0:
		return fmt.Errorf("%d retries did not replay the first answer", res.badReplays)
	}
	return nil
}

// freshDatabase returns a URL for a new, empty PostgreSQL schema in
// rawURL's database and a function that drops it (or, with keep, says
// where it is); a SQLite URL is used as it is.
func freshDatabase(rawURL string, keep bool) (string, func(), error) {
	if !strings.HasPrefix(rawURL, "postgres://") && !strings.HasPrefix(rawURL, "postgresql://") {
		return rawURL, func() {}, nil
	}
	s, err := storetest.NewSchema(rawURL, "loadbook_")
	if err != nil {
		return "", nil, err
	}
	return s.URL, func() {
		if keep {
			s.Close()
			fmt.Fprintln(os.Stderr, "loadbook: kept schema", s.Name)
			return
		}
		if err := s.Drop(); err != nil {
			fmt.Fprintln(os.Stderr, "loadbook: drop schema", s.Name+":", err)
		}
	}, nil
}

// serve serves h on 127.0.0.1 at a free port with the service's server
// settings, and returns its base URL and a function that stops it.
func serve(h http.Handler, log *slog.Logger) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := app.NewServer(h, log)
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// fixture is what the clients book with.
type fixture struct {
	tokens  []string
	spaces  []string
	ownerID string // the first organisation, which owns every space
}

func setUp(base string, o options, hookURL string) (fixture, error) {
	var fx fixture
	c := &http.Client{Timeout: 30 * time.Second}
	for i := range o.orgs {
		body := map[string]any{"name": fmt.Sprintf("Load company %d", i), "type": "arts",
			"location": map[string]any{"lat": 52.2 + float64(i)/1000, "lon": 0.12}}
		var reg struct {
			Token        string
			Organisation struct{ ID string }
		}
		if err := call(c, base, "POST", "/v1/organisations", "", body, http.StatusCreated, &reg); err != nil {
			return fx, err
		}
		fx.tokens = append(fx.tokens, reg.Token)
		if i == 0 {
			fx.ownerID = reg.Organisation.ID
		}
	}
	var hook struct{ ID string }
	if err := call(c, base, "POST", "/v1/organisations/"+fx.ownerID+"/webhooks", fx.tokens[0],
		map[string]any{"url": hookURL, "events": []string{}}, http.StatusCreated, &hook); err != nil {
		return fx, err
	}
	var venue struct{ ID string }
	err := call(c, base, "POST", "/v1/venues", fx.tokens[0], map[string]any{"name": "Load hall", "location": map[string]any{"lat": 52.2, "lon": 0.12}},
		http.StatusCreated, &venue)
	if err != nil {
		return fx, err
	}
	var hours []any
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		hours = append(hours, map[string]any{"day": d, "opens": "07:00", "closes": "23:00"})
	}
	for i := range o.spaces {
		body := map[string]any{"name": fmt.Sprintf("Room %d", i), "kind": "studio", "capacity": 30, "floor_area_m2": 100,
			"floor": "sprung", "instant_book": true, "opening_hours": hours,
			"turnaround_minutes": o.turnaround, "max_hours_per_organisation": o.cap}
		var sp struct{ ID string }
		if err := call(c, base, "POST", "/v1/venues/"+venue.ID+"/spaces", fx.tokens[0], body, http.StatusCreated, &sp); err != nil {
			return fx, err
		}
		fx.spaces = append(fx.spaces, sp.ID)
	}
	return fx, nil
}

func call(c *http.Client, base, method, path, token string, body any, want int, dst any) error {
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: got %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	return json.Unmarshal(raw, dst)
}

// result is what the clients saw.
type result struct {
	elapsed    time.Duration
	byStatus   map[int][]time.Duration // latencies by status
	replays    int
	badReplays int
	errors     int
	firstErr   error
}

// request is one booking request a client sends.
type request struct {
	token, spaceID, key string
	body                []byte
}

func load(base string, fx fixture, o options) result {
	london, _ := time.LoadLocation("Europe/London")
	day0 := time.Now().In(london).AddDate(0, 0, 1)
	var (
		mu  sync.Mutex
		res = result{byStatus: map[int][]time.Duration{}}
		wg  sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(o.duration)
	for w := range o.connections {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(o.seed, uint64(w)))
			client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			local := map[int][]time.Duration{}
			var prev *request
			var prevStatus int
			var prevBody []byte
			replays, bad, errs := 0, 0, 0
			var firstErr error
			for time.Now().Before(deadline) {
				var r request
				retry := prev != nil && rng.IntN(20) == 0
				if retry {
					r = *prev
				} else {
					r = randomRequest(rng, fx, day0, o.days)
				}
				t0 := time.Now()
				status, body, err := send(client, base, r)
				lat := time.Since(t0)
				if err != nil || status >= 500 || (status != http.StatusCreated && status != http.StatusConflict) {
					errs++
					if firstErr == nil {
						firstErr = fmt.Errorf("status %d, %v: %s", status, err, body)
					}
					continue
				}
				local[status] = append(local[status], lat)
				if retry {
					replays++
					if status != prevStatus || !bytes.Equal(body, prevBody) {
						bad++
					}
				} else {
					prev, prevStatus, prevBody = &r, status, body
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for s, l := range local {
				res.byStatus[s] = append(res.byStatus[s], l...)
			}
			res.replays += replays
			res.badReplays += bad
			res.errors += errs
			if res.firstErr == nil {
				res.firstErr = firstErr
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

func randomRequest(rng *rand.Rand, fx fixture, day0 time.Time, days int) request {
	d := day0.AddDate(0, 0, rng.IntN(days))
	startMin := 8*60 + 15*rng.IntN(13*4) // 08:00–20:45 in quarter hours
	length := []int{60, 90, 120}[rng.IntN(3)]
	var body map[string]any
	if rng.IntN(10) < 7 {
		y, m, dd := d.Date()
		s := time.Date(y, m, dd, startMin/60, startMin%60, 0, 0, d.Location())
		body = map[string]any{"sessions": []any{map[string]any{"start": s.Format(time.RFC3339), "end": s.Add(time.Duration(length) * time.Minute).Format(time.RFC3339)}}}
	} else {
		end := startMin + length
		body = map[string]any{"weekly": map[string]any{
			"day": []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}[d.Weekday()], "from": d.Format("2006-01-02"), "count": 2 + rng.IntN(5),
			"start": fmt.Sprintf("%02d:%02d", startMin/60, startMin%60), "end": fmt.Sprintf("%02d:%02d", end/60, end%60),
		}, "skip_conflicts": rng.IntN(2) == 0}
	}
	body["purpose"] = "load run"
	b, _ := json.Marshal(body)
	key := make([]byte, 12)
	for i := range key {
		key[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[rng.IntN(36)]
	}
	return request{token: fx.tokens[rng.IntN(len(fx.tokens))], spaceID: fx.spaces[rng.IntN(len(fx.spaces))], key: string(key), body: b}
}

func send(c *http.Client, base string, r request) (int, []byte, error) {
	req, err := http.NewRequest("POST", base+"/v1/spaces/"+r.spaceID+"/bookings", bytes.NewReader(r.body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+r.token)
	req.Header.Set("Idempotency-Key", r.key)
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

func report(out io.Writer, o options, d store.Dialect, res result, pairs, confirmed int64, lostRaces uint64) {
	secs := res.elapsed.Seconds()
	var all []time.Duration
	total := 0
	for _, l := range res.byStatus {
		all = append(all, l...)
		total += len(l)
	}
	fmt.Fprintf(out, "loadbook on %s: %d connections, %s, %d organisations, %d spaces, sessions over %d days\n\n",
		d, o.connections, res.elapsed.Round(time.Millisecond), o.orgs, o.spaces, o.days)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "outcome\trequests\tper second\tp50\tp99\tmax\t")
	row := func(name string, l []time.Duration) {
		p50, p99, max := percentiles(l)
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%s\t%s\t%s\t\n", name, len(l), float64(len(l))/secs, p50, p99, max)
	}
	row("all", all)
	row("201 booked", res.byStatus[http.StatusCreated])
	row("409 conflict", res.byStatus[http.StatusConflict])
	tw.Flush()
	fmt.Fprintf(out, "\nretries with the same Idempotency-Key: %d, answered differently: %d; failed requests: %d\n",
		res.replays, res.badReplays, res.errors)
	fmt.Fprintf(out, "booking transactions that lost a race: %d\n", lostRaces)
	fmt.Fprintf(out, "overlap check: %d confirmed occurrences, %d overlapping pairs\n", confirmed, pairs)
}

func percentiles(l []time.Duration) (p50, p99, max time.Duration) {
	if len(l) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	at := func(q float64) time.Duration {
		return s[min(len(s)-1, int(q*float64(len(s))))].Round(10 * time.Microsecond)
	}
	return at(0.50), at(0.99), s[len(s)-1].Round(10 * time.Microsecond)
}
