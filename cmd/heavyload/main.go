// Command heavyload measures what expensive consortium searches do to
// everyone else:
//
//	go run ./cmd/heavyload -clients 50 -duration 10s
//
// It loads the demo county (seed.Demo) into an in-memory SQLite store,
// wires the real router as main.go does (the read model loaded by a
// store.Follower, api.NewRouter) on 127.0.0.1 at a free port, runs the
// consortium clients in a child process (as real clients would, their
// work and garbage are not the server's), and then:
//
//  1. idle: one client asks GET /v1/nearby (5 km around Cambridge,
//     spaces) back to back, with a short pause, and records each latency;
//  2. load: the same, while -clients clients each send the worst
//     consortium request (20 requirements, 200 km, teams of 6, 20 teams)
//     back to back, each giving up after -client-timeout, ignoring
//     Retry-After as a careless client would;
//  3. drain: the load clients give up together; it reports how long
//     consortium work still ran in the server after that;
//  4. shutdown: the load starts again, and after a second the server is
//     shut down as main.go does on SIGTERM (http.Server.Shutdown); it
//     reports how long that took (main.go's contract: exit within 10 s).
//
// It prints nearby's p50 and p99 idle and under load with their ratio, and
// how the consortium requests were answered.
//
// With -load logins the clients instead sign in with wrong passwords, back
// to back, each from its own address (X-Forwarded-For, from a proxy the
// server trusts) and for its own email, so the per-address and per-email
// throttles never stop them and every attempt hashes a password: the
// worst login flood. The report then shows what it did to nearby, and how
// the logins were answered. -budget and -slots pass
// api.Config's ConsortiumBudget and HeavySlots (-slots -1: no limit).
// Everything runs on 127.0.0.1 and stops after a bounded time.
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
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"commonground/api"
	"commonground/matching"
	"commonground/seed"
	"commonground/store"
)

var _ api.Store = (*store.DB)(nil)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "heavyload:", err)
		os.Exit(1)
	}
}

type options struct {
	seed                 int64
	clients              int
	idle, duration       time.Duration
	clientTimeout, pause time.Duration
	budget               time.Duration
	slots                int
	skipShutdown         bool
	// load is what the clients send: consortium or logins.
	load string
	// hammer, when set, makes this process a load generator against that
	// base URL (see startLoad).
	hammer string
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("heavyload", flag.ContinueOnError)
	fs.Int64Var(&o.seed, "seed", 1, "demo county seed")
	fs.IntVar(&o.clients, "clients", 50, "concurrent consortium clients")
	fs.DurationVar(&o.idle, "idle", 5*time.Second, "how long nearby is measured alone")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long nearby is measured under the consortium load")
	fs.DurationVar(&o.clientTimeout, "client-timeout", 5*time.Second, "a consortium client gives up on a request after this")
	fs.DurationVar(&o.pause, "pause", 5*time.Millisecond, "the nearby client's pause between requests")
	fs.DurationVar(&o.budget, "budget", 0, "api.Config.ConsortiumBudget (0: the default)")
	fs.IntVar(&o.slots, "slots", 0, "api.Config.HeavySlots (0: the default, -1: no limit)")
	fs.BoolVar(&o.skipShutdown, "skip-shutdown", false, "do not measure the shutdown under load")
	fs.StringVar(&o.load, "load", "consortium", "what the clients send: consortium (the worst consortium search) or logins (wrong-password sign-ins)")
	fs.StringVar(&o.hammer, "hammer", "", "internal: run only the consortium clients against this base URL until stdin closes, then print their tally as JSON")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.clients < 1 || o.clients > 1000 || o.idle < time.Second || o.duration < time.Second || o.duration > 5*time.Minute ||
		o.clientTimeout <= 0 || o.pause < 0 {
		return o, errors.New("-clients must be 1 to 1000, -idle and -duration between 1s and 5m, -client-timeout positive")
	}
	if o.load != "consortium" && o.load != "logins" {
		return o, errors.New("-load must be consortium or logins")
	}
	if o.hammer != "" && !strings.HasPrefix(o.hammer, "http://127.0.0.1:") {
		return o, errors.New("-hammer must be a URL on 127.0.0.1")
	}
	return o, nil
}

// cambridge is where the demo county's organisations crowd.
var cambridge = struct{ lat, lon float64 }{52.2053, 0.1218}

// worstConsortium is the largest request the API accepts: 20
// requirements, 200 km, teams of 6, 20 teams.
func worstConsortium() []byte {
	var reqs []string
	for _, c := range seed.Taxonomy().Categories[:matching.MaxRequirements] {
		reqs = append(reqs, c.Slug)
	}
	b, _ := json.Marshal(map[string]any{
		"requirements": reqs, "near": map[string]float64{"lat": cambridge.lat, "lon": cambridge.lon},
		"radius_km": matching.MaxMatchRadiusKm, "max_members": matching.MaxConsortiumMembers, "limit": matching.MaxConsortia,
	})
	return b
}

func run(ctx context.Context, args []string, out io.Writer) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	if o.hammer != "" {
		return runHammer(ctx, o, os.Stdin, out)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := store.Open(ctx, "sqlite::memory:", store.Options{Logger: log})
	if err != nil {
		return err
	}
	defer db.Close()
	ds := seed.Demo(o.seed)
	if err := db.InsertBatch(ctx, ds.Organisations, ds.Venues, ds.Spaces); err != nil {
		return err
	}
	engine := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	follower := &store.Follower{DB: db, Engine: engine, Log: log}
	if err := follower.Load(ctx); err != nil {
		return fmt.Errorf("load the read model: %w", err)
	}
	router := api.NewRouter(api.Config{Store: db, Taxonomy: seed.Taxonomy(), Logger: log, Engine: engine, Follower: follower,
		ConsortiumBudget: o.budget, HeavySlots: o.slots,
		// The login clients say they come from many addresses.
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	inflight := &inflight{}
	srv, base, err := serve(inflight.wrap(router))
	if err != nil {
		return err
	}
	defer srv.Close()
	orgs, venues, spaces := engine.Counts()
	fmt.Fprintf(out, "demo county %d: %d organisations, %d venues, %d spaces; GOMAXPROCS %d on %d cores\n",
		o.seed, orgs, venues, spaces, runtime.GOMAXPROCS(0), runtime.NumCPU())

	nearbyURL := fmt.Sprintf("%s/v1/nearby?lat=%v&lon=%v&radius_km=5&kind=spaces", base, cambridge.lat, cambridge.lon)
	body := worstConsortium()
	one, err := consortiumOnce(ctx, base, body, time.Minute)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "one consortium request alone: %d in %s, %d candidates, exhaustive %v, %d teams\n",
		one.status, one.took.Round(time.Millisecond), one.candidates, one.exhaustive, one.teams)

	idleSched := readSched()
	idle, err := probe(ctx, nearbyURL, o.idle, o.pause)
	if err != nil {
		return err
	}
	idleSched = readSched().since(idleSched)

	load, err := startLoad(base, o.load, o.clients, o.clientTimeout)
	if err != nil {
		return err
	}
	time.Sleep(500 * time.Millisecond) // let the load build up
	loadSched := readSched()
	loaded, err := probe(ctx, nearbyURL, o.duration, o.pause)
	loadSched = readSched().since(loadSched)
	counts, stopErr := load.stop()
	if err != nil {
		return err
	}
	if stopErr != nil {
		return stopErr
	}
	drain := inflight.waitIdle(30 * time.Second)

	fmt.Fprintf(out, "\nGET /v1/nearby (5 km, spaces), one client, %s pause:\n", o.pause)
	fmt.Fprintf(out, "  idle:                 %5d requests, p50 %8s, p99 %8s\n", len(idle), pct(idle, 50), pct(idle, 99))
	fmt.Fprintf(out, "  under %2d %-11s %5d requests, p50 %8s, p99 %8s\n", o.clients, o.load+":", len(loaded), pct(loaded, 50), pct(loaded, 99))
	fmt.Fprintf(out, "  ratio under load / idle: p50 %.1f×, p99 %.1f×\n",
		float64(pct(loaded, 50))/float64(pct(idle, 50)), float64(pct(loaded, 99))/float64(pct(idle, 99)))
	fmt.Fprintf(out, "  Go scheduler, time runnable goroutines waited: idle p99 %s, under load p99 %s; GC cycles idle %d, under load %d\n",
		idleSched.p99(), loadSched.p99(), idleSched.gcs, loadSched.gcs)
	if o.load == "logins" {
		fmt.Fprintf(out, "\nPOST /v1/sessions (wrong passwords, each from its own address), %d clients back to back for %s:\n",
			o.clients, o.duration+500*time.Millisecond)
		counts.reportStatuses(out)
		return nil
	}
	fmt.Fprintf(out, "\nPOST /v1/match/consortium, %d clients back to back for %s (client timeout %s):\n",
		o.clients, o.duration+500*time.Millisecond, o.clientTimeout)
	counts.report(out)
	fmt.Fprintf(out, "  consortium work still running after the clients gave up: %s\n", drain.Round(time.Millisecond))

	if !o.skipShutdown {
		load, err := startLoad(base, o.load, o.clients, 30*time.Second)
		if err != nil {
			return err
		}
		time.Sleep(time.Second)
		start := time.Now()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = srv.Shutdown(sctx)
		cancel()
		took := time.Since(start)
		load.stop()
		verdict := "within"
		if took > 10*time.Second || err != nil {
			verdict = "OVER"
		}
		fmt.Fprintf(out, "\nshutdown (http.Server.Shutdown) under %d consortium clients: %s (%s the 10 s contract)\n",
			o.clients, took.Round(time.Millisecond), verdict)
	}
	return nil
}

// serve starts h on 127.0.0.1 at a free port with main.go's server
// settings.
func serve(h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	go srv.Serve(ln)
	return srv, "http://" + ln.Addr().String(), nil
}

// inflight counts the consortium requests the server is working on.
type inflight struct{ n atomic.Int64 }

func (f *inflight) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/match/consortium" {
			f.n.Add(1)
			defer f.n.Add(-1)
		}
		h.ServeHTTP(w, r)
	})
}

// waitIdle waits until no consortium request is in the server, at most
// limit, and returns how long that took.
func (f *inflight) waitIdle(limit time.Duration) time.Duration {
	start := time.Now()
	for f.n.Load() > 0 && time.Since(start) < limit {
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

// probe asks url back to back for d, pausing between requests, and
// returns the latencies.
func probe(ctx context.Context, url string, d, pause time.Duration) ([]time.Duration, error) {
	client := &http.Client{Timeout: 30 * time.Second}
	var lat []time.Duration
	for end := time.Now().Add(d); time.Now().Before(end); {
		start := time.Now()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("nearby: status %d", resp.StatusCode)
		}
		lat = append(lat, time.Since(start))
		time.Sleep(pause)
	}
	return lat, nil
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[(len(s)-1)*p/100].Round(10 * time.Microsecond)
}

// loadClient keeps a connection for each consortium client.
var loadClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1000}}

type answer struct {
	status     int
	took       time.Duration
	candidates int
	exhaustive bool
	teams      int
	retryAfter string
}

func consortiumOnce(ctx context.Context, base string, body []byte, timeout time.Duration) (answer, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/match/consortium", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := loadClient.Do(req)
	if err != nil {
		return answer{took: time.Since(start)}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, took: time.Since(start), retryAfter: resp.Header.Get("Retry-After")}
	if err != nil {
		return a, err
	}
	if resp.StatusCode == http.StatusOK {
		var res api.ConsortiumResult
		if err := json.Unmarshal(raw, &res); err != nil {
			return a, err
		}
		a.candidates, a.exhaustive, a.teams = res.Candidates, res.Exhaustive, len(res.Consortia)
	}
	return a, nil
}

// hammer sends body back to back until ctx ends, giving up on each
// request after timeout.
func hammer(ctx context.Context, base string, body []byte, timeout time.Duration, t *tally) {
	for ctx.Err() == nil {
		a, err := consortiumOnce(ctx, base, body, timeout)
		if ctx.Err() != nil {
			return
		}
		t.add(a, err)
	}
}

// tally counts the consortium answers.
type tally struct {
	mu                               sync.Mutex
	OK, Busy, Other, GaveUp, Partial int
	RetryAfter                       map[string]int
	OKTook                           []time.Duration
	// Statuses and Took count every answer, whatever its status.
	Statuses map[int]int
	Took     []time.Duration
}

func (t *tally) add(a answer, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err == nil {
		if t.Statuses == nil {
			t.Statuses = map[int]int{}
		}
		t.Statuses[a.status]++
		t.Took = append(t.Took, a.took)
	}
	switch {
	case err != nil:
		t.GaveUp++
	case a.status == http.StatusOK:
		t.OK++
		t.OKTook = append(t.OKTook, a.took)
		if !a.exhaustive {
			t.Partial++
		}
	case a.status == http.StatusServiceUnavailable:
		t.Busy++
		if t.RetryAfter == nil {
			t.RetryAfter = map[string]int{}
		}
		t.RetryAfter[a.retryAfter]++
	default:
		t.Other++
	}
}

func (t *tally) report(out io.Writer) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(out, "  200: %d (%d not exhaustive; took p50 %s, p99 %s)\n", t.OK, t.Partial, pct(t.OKTook, 50), pct(t.OKTook, 99))
	fmt.Fprintf(out, "  503: %d (Retry-After %v)\n", t.Busy, t.RetryAfter)
	fmt.Fprintf(out, "  other status: %d; gave up (client timeout): %d\n", t.Other, t.GaveUp)
}

// reportStatuses prints how many answers had each status, and how long
// they took.
func (t *tally) reportStatuses(out io.Writer) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(out, "  answers by status: %v; gave up (client timeout): %d\n", t.Statuses, t.GaveUp)
	fmt.Fprintf(out, "  answered in p50 %s, p99 %s\n", pct(t.Took, 50), pct(t.Took, 99))
}

// load is a child process running the consortium clients, so their work
// (and garbage) is not the server's, as with real clients.
type load struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   bytes.Buffer
}

// startLoad runs this program again with -hammer: clients clients of
// kind (consortium or logins) against base.
func startLoad(base, kind string, clients int, timeout time.Duration) (*load, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	l := &load{cmd: exec.Command(self, "-hammer", base, "-load", kind, "-clients", strconv.Itoa(clients), "-client-timeout", timeout.String())}
	l.cmd.Stdout, l.cmd.Stderr = &l.out, os.Stderr
	if l.stdin, err = l.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if err := l.cmd.Start(); err != nil {
		return nil, err
	}
	return l, nil
}

// stop makes the clients give up at once and returns their tally.
func (l *load) stop() (*tally, error) {
	l.stdin.Close()
	if err := l.cmd.Wait(); err != nil {
		return nil, fmt.Errorf("load clients: %w", err)
	}
	var t tally
	if err := json.Unmarshal(l.out.Bytes(), &t); err != nil {
		return nil, fmt.Errorf("load clients' tally: %w", err)
	}
	return &t, nil
}

// runHammer is the child of startLoad: o.clients clients send the worst
// consortium request back to back until stdin closes, then it prints
// their tally.
func runHammer(ctx context.Context, o options, stdin io.Reader, out io.Writer) error {
	ctx, stop := context.WithCancel(ctx)
	go func() {
		io.Copy(io.Discard, stdin)
		stop()
	}()
	body := worstConsortium()
	var t tally
	var wg sync.WaitGroup
	for range o.clients {
		if o.load == "logins" {
			wg.Go(func() { hammerLogins(ctx, o.hammer, o.clientTimeout, &t) })
			continue
		}
		wg.Go(func() { hammer(ctx, o.hammer, body, o.clientTimeout, &t) })
	}
	wg.Wait()
	t.mu.Lock()
	defer t.mu.Unlock()
	return json.NewEncoder(out).Encode(&t)
}
