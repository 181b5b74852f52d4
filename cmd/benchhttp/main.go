// Command benchhttp load-tests the service's read paths with wrk against a
// bare gin handler, in one process:
//
//	go run ./cmd/benchhttp -url 'postgres://postgres@127.0.0.1:5432/cg_100k?sslmode=disable' -duration 10s -connections 50 -threads 2
//
// It wires the service as main.go does (app.New: the store, the read model
// loaded and followed, the router) on 127.0.0.1 at a free port,
// and a bare gin handler answering a small fixed JSON body on another, then
// runs wrk --latency against (a) the bare handler, the ceiling, (b) GET
// /v1/nearby (5 km, spaces, default limit 50) and (c) POST
// /v1/match/venues (a weekly class: 24 contemporary dancers, ten Tuesdays
// 18:00–20:00 from 2027-01-05, 15 km, best 20), and prints requests/s and
// p99 with their ratios to the ceiling. The targets for nearby are at
// least half the ceiling's requests/s and at most twice its p99.
//
// With -find PLACE it also loads the web page GET /find (a weekly class of
// 12 contemporary dancers near PLACE, six Tuesdays 18:00–20:00 from a
// week ahead, 15 km, community rate) and the same search as POST
// /v1/match/venues, alternately, and reports the page's requests/s as a
// share of the API's; the target is at least half. With -demo the
// database (SQLite: -url sqlite:/tmp/demo.db) is given the demo county
// first if it is empty:
//
//	go run ./cmd/benchhttp -url sqlite:/tmp/demo.db -demo -find Cambridge -runs 5
//
// The router logs one line per request; here its logger is a slog text
// handler writing to io.Discard, so each line is still built but not
// written. wrk runs on the same machine and shares its cores. Install wrk
// with apt-get install -y wrk.
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
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"commonground/app"
	"commonground/geo"
	"commonground/matching"
	"commonground/store"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchhttp:", err)
		os.Exit(1)
	}
}

type options struct {
	url                  string
	duration, warmup     time.Duration
	connections, threads int
	runs                 int
	cpuProfile           string
	// find is the place of the /find comparison ("" for none); demo
	// loads the demo county into an empty database.
	find string
	demo bool
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("benchhttp", flag.ContinueOnError)
	fs.StringVar(&o.url, "url", os.Getenv("DATABASE_URL"), "database URL of a seeded database (default $DATABASE_URL)")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of each wrk run (whole seconds)")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "an unrecorded wrk run before each target (0: none)")
	fs.IntVar(&o.connections, "connections", 50, "wrk connections")
	fs.IntVar(&o.threads, "threads", 2, "wrk threads")
	fs.IntVar(&o.runs, "runs", 1, "wrk runs per target; the table gives the median run by requests/s")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "a directory: write CPU profiles of this process (the servers) during the first run of each nearby target to nearby-densest.pprof and nearby-median.pprof there")
	fs.StringVar(&o.find, "find", "", "a place: compare the web page GET /find near it with the same search as POST /v1/match/venues")
	fs.BoolVar(&o.demo, "demo", false, "load the demo county into the database first if it is empty")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.url == "" {
		return o, errors.New("-url is required")
	}
	if o.duration < time.Second || o.connections < 1 || o.threads < 1 || o.runs < 1 {
		return o, errors.New("-duration must be at least 1s; -connections, -threads and -runs positive")
	}
	return o, nil
}

// target is one URL under load.
type target struct {
	name, url, script string
	body              []byte // the POST body, when script is set
	nearby            bool
	// api is, for a page, the API request it makes, measured beside it.
	api     *target
	profile string // the CPU profile's name, when one is taken
	answer  []byte // the answer to one request, before the load
	runs    []WrkResult
}

func run(ctx context.Context, args []string, out io.Writer) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk is not installed: apt-get install -y wrk (Debian, Ubuntu) or brew install wrk (macOS)")
	}
	gin.SetMode(gin.ReleaseMode)
	// The router's request log, built for every request and thrown away.
	log := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))

	// Wired as main.go's serve wires it.
	start := time.Now()
	a, err := app.New(ctx, app.Config{DatabaseURL: o.url, Demo: o.demo, TileURL: "none"}, log)
	if err != nil {
		return err
	}
	defer a.Close()
	db, engine := a.DB, a.Engine
	orgs, venues, spaces := engine.Counts()
	fmt.Fprintf(out, "read model: %d organisations, %d venues, %d spaces, loaded in %s\n", orgs, venues, spaces,
		time.Since(start).Round(time.Millisecond))

	service, stopService, err := serve(a.Handler, log)
	if err != nil {
		return err
	}
	defer stopService()

	densest, typical, err := samplePlaces(ctx, db, engine)
	if err != nil {
		return err
	}
	var targets []*target
	for _, pl := range []place{densest, typical} {
		fmt.Fprintf(out, "%s point: lat %.5f lon %.5f, %d spaces within 5 km (of the first 50 venues in ID order)\n",
			pl.name, pl.p.Lat(), pl.p.Lon(), pl.spaces)
		targets = append(targets, &target{name: "GET /v1/nearby 5 km, " + pl.name,
			url: fmt.Sprintf("%s/v1/nearby?lat=%.5f&lon=%.5f&radius_km=5&kind=spaces", service, pl.p.Lat(), pl.p.Lon()), nearby: true,
			profile: "nearby-" + pl.name})
	}
	for _, pl := range []place{densest, typical} {
		body, err := json.Marshal(map[string]any{
			"near": map[string]float64{"lat": pl.p.Lat(), "lon": pl.p.Lon()}, "radius_km": 15, "group_size": 24,
			"activity": "contemporary", "limit": 20,
			"weekly": map[string]any{"day": "tue", "start": "18:00", "end": "20:00", "from": "2027-01-05", "count": 10},
		})
		if err != nil {
			return err
		}
		script, err := writePostScript(body)
		if err != nil {
			return err
		}
		defer os.Remove(script)
		targets = append(targets, &target{name: "POST /v1/match/venues, " + pl.name, url: service + "/v1/match/venues", script: script, body: body})
	}
	if o.find != "" {
		pair, err := findTargets(service, o.find, time.Now())
		if err != nil {
			return err
		}
		defer os.Remove(pair[0].script)
		targets = append(targets, pair...)
	}
	for _, t := range targets {
		if err := check(t); err != nil {
			return err
		}
	}

	// The ceilings: a bare gin handler with a small fixed JSON body, and
	// one answering the densest nearby answer's bytes, fixed, to tell the
	// cost of the payload from the cost of computing it.
	nearbyBody := targets[0].answer
	bare := gin.New()
	bare.GET("/", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	nearbyLength := strconv.Itoa(len(nearbyBody))
	bare.GET("/fixed-nearby", func(c *gin.Context) {
		c.Header("Content-Length", nearbyLength) // as the service's nearby does
		c.Data(http.StatusOK, "application/geo+json", nearbyBody)
	})
	ceiling, stopBare, err := serve(bare, log)
	if err != nil {
		return err
	}
	defer stopBare()
	ceilings := []*target{{name: "bare gin, fixed JSON (ceiling)", url: ceiling + "/"},
		{name: "bare gin, fixed nearby bytes", url: ceiling + "/fixed-nearby"}}
	for _, t := range ceilings {
		if err := check(t); err != nil {
			return err
		}
	}
	targets = append(ceilings, targets...)
	for _, t := range targets {
		fmt.Fprintf(out, "  %-32s %s (%d-byte answer)\n", t.name, t.url, len(t.answer))
	}
	fmt.Fprintf(out, "wrk -t %d -c %d -d %s --latency, %d run(s) per target after a %s warm-up; GOMAXPROCS %d, wrk on the same %d cores\n\n",
		o.threads, o.connections, o.duration, o.runs, o.warmup, runtime.GOMAXPROCS(0), runtime.NumCPU())

	for r := 0; r < o.runs; r++ {
		for _, t := range targets {
			if o.warmup >= time.Second {
				if _, err := RunWrk(ctx, t.url, t.script, o.threads, o.connections, o.warmup); err != nil {
					return err
				}
			}
			stopProfile, err := startProfile(o.cpuProfile, t.profile, r == 0)
			if err != nil {
				return err
			}
			res, err := RunWrk(ctx, t.url, t.script, o.threads, o.connections, o.duration)
			stopProfile()
			if err != nil {
				return err
			}
			if res.Non2xx > 0 || res.SocketErrors > 0 {
				fmt.Fprintf(out, "warning: %s: %d non-2xx answers, %d socket errors\n", t.name, res.Non2xx, res.SocketErrors)
			}
			t.runs = append(t.runs, res)
		}
	}
	report(out, targets)
	return nil
}

// serve starts h on 127.0.0.1 at a free port with the service's server
// settings (app.NewServer), returning its base URL and a stop function.
func serve(h http.Handler, log *slog.Logger) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := app.NewServer(h, log)
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// place is a request point and the number of spaces within 5 km of it.
type place struct {
	name   string
	p      orb.Point
	spaces int
}

// samplePlaces takes the first 50 venues in ID order (a fixed, uniform
// sample of where venues are) and returns the locations with the most
// spaces within 5 km and with the median number.
func samplePlaces(ctx context.Context, db *store.DB, e *matching.Engine) (densest, typical place, err error) {
	var rows []struct{ Lat, Lon float64 }
	if err := db.Gorm().WithContext(ctx).Raw("SELECT lat, lon FROM venues ORDER BY id LIMIT 50").Scan(&rows).Error; err != nil {
		return densest, typical, err
	}
	if len(rows) == 0 {
		return densest, typical, errors.New("the database holds no venues: seed it with go run . seed --scale N")
	}
	places := make([]place, len(rows))
	for i, r := range rows {
		p := geo.MustPoint(r.Lat, r.Lon)
		all, _ := e.NearbySpaces(matching.NearbyQuery{Centre: p, RadiusM: 5000})
		places[i] = place{p: p, spaces: len(all)}
	}
	slices.SortStableFunc(places, func(a, b place) int { return a.spaces - b.spaces })
	densest, typical = places[len(places)-1], places[len(places)/2]
	densest.name, typical.name = "densest", "median"
	return densest, typical, nil
}

// check sends one request to t, insists on a 200, so wrk measures answers
// rather than errors, and keeps the answer.
func check(t *target) error {
	var resp *http.Response
	var err error
	if t.script != "" {
		resp, err = http.Post(t.url, "application/json", bytes.NewReader(t.body))
	} else {
		resp, err = http.Get(t.url)
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d: %s", t.name, resp.StatusCode, b)
	}
	t.answer = b
	return nil
}

// startProfile starts a CPU profile, written to name.pprof in dir, when
// dir and name are set and on is true; the returned function stops it.
func startProfile(dir, name string, on bool) (func(), error) {
	if dir == "" || name == "" || !on {
		return func() {}, nil
	}
	f, err := os.Create(filepath.Join(dir, name+".pprof"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// median is the run with the median requests/s.
func median(runs []WrkResult) WrkResult {
	s := slices.Clone(runs)
	slices.SortFunc(s, func(a, b WrkResult) int {
		switch {
		case a.RequestsPerSec < b.RequestsPerSec:
			return -1
		case a.RequestsPerSec > b.RequestsPerSec:
			return 1
		}
		return 0
	})
	return s[(len(s)-1)/2]
}

func report(out io.Writer, targets []*target) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "target\treq/s\tp50\tp90\tp99\treq/s ÷ ceiling\tp99 ÷ ceiling\treq/s ÷ fixed nearby bytes\ttarget\t")
	ceil, fixed := median(targets[0].runs), median(targets[1].runs)
	for _, t := range targets {
		m := median(t.runs)
		verdict := ""
		if t.nearby {
			rps, p99 := m.RequestsPerSec/ceil.RequestsPerSec, float64(m.P99)/float64(ceil.P99)
			verdict = fmt.Sprintf("nearby (≥0.5×, ≤2×): req/s %s, p99 %s", metOrMissed(rps >= 0.5), metOrMissed(p99 <= 2))
		}
		if t.api != nil {
			share := m.RequestsPerSec / median(t.api.runs).RequestsPerSec
			verdict = fmt.Sprintf("page ÷ API %.2f× (≥0.5×): %s", share, metOrMissed(share >= 0.5))
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\t%s\t%.2f×\t%.2f×\t%.2f×\t%s\t\n", t.name, m.RequestsPerSec, m.P50, m.P90, m.P99,
			m.RequestsPerSec/ceil.RequestsPerSec, float64(m.P99)/float64(ceil.P99), m.RequestsPerSec/fixed.RequestsPerSec, verdict)
	}
	tw.Flush()
	if len(targets[0].runs) > 1 {
		fmt.Fprintln(out, "\nevery run (req/s, p99):")
		for _, t := range targets {
			fmt.Fprintf(out, "  %-32s", t.name)
			for _, r := range t.runs {
				fmt.Fprintf(out, "  %.0f, %s", r.RequestsPerSec, r.P99)
			}
			fmt.Fprintln(out)
		}
	}
	fmt.Fprintln(out, "\nThe ceiling is a bare gin handler with a 15-byte JSON body; \"fixed nearby bytes\" answers the densest nearby\n"+
		"answer's bytes, precomputed, so it is the ceiling for an answer of that size. The service's request log is\n"+
		"formatted by a slog text handler into io.Discard. wrk and the servers share the machine's cores.")
}

func metOrMissed(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// findTargets are the web page /find near place and the same search as
// the API's POST /v1/match/venues (the API target first, carrying the
// script to remove).
func findTargets(service, place string, now time.Time) ([]*target, error) {
	from := now.AddDate(0, 0, 7).Format(matching.DateLayout)
	body, err := json.Marshal(map[string]any{
		"near": map[string]string{"place": place}, "radius_km": 15, "group_size": 12, "activity": "contemporary",
		"weekly": map[string]any{"day": "tue", "start": "18:00", "end": "20:00", "from": from, "count": 6},
		"tier":   "community", "limit": 20,
	})
	if err != nil {
		return nil, err
	}
	script, err := writePostScript(body)
	if err != nil {
		return nil, err
	}
	q := url.Values{"place": {place}, "activity": {"contemporary"}, "group_size": {"12"}, "day": {"tue"},
		"start": {"18:00"}, "end": {"20:00"}, "from": {from}, "count": {"6"}, "radius_km": {"15"}, "tier": {"community"}}
	api := &target{name: "POST /v1/match/venues, as /find", url: service + "/v1/match/venues", script: script, body: body}
	page := &target{name: "GET /find", url: service + "/find?" + q.Encode(), api: api}
	return []*target{api, page}, nil
}
