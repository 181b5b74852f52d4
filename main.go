// Command commonground serves the Common Ground API: the spaces, skills,
// needs and values of a county's organisations, and the matching between
// them. Run it with no arguments to serve (on SQLite with the demo county
// by default); "import" loads a CSV of venues and spaces; "seed" loads
// synthetic data at scale for benchmarks. Configuration is read from the
// environment, see README.md and .env.example.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // IANA zones for venues, even on machines without /usr/share/zoneinfo

	"github.com/google/uuid"

	"commonground/api"
	"commonground/matching"
	"commonground/seed"
	"commonground/store"
)

var _ api.Store = (*store.DB)(nil)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "commonground:", err)
		os.Exit(1)
	}
}

// config is the service's configuration, read once from the environment.
type config struct {
	Addr        string // COMMONGROUND_ADDR
	DatabaseURL string // DATABASE_URL
	Seed        string // COMMONGROUND_SEED: demo, demo:N or none
	AdminToken  string // COMMONGROUND_ADMIN_TOKEN
	LogLevel    slog.Level
	LogFormat   string // COMMONGROUND_LOG_FORMAT: text or json
	// WriteRate and WriteBurst limit each organisation's writes
	// (COMMONGROUND_WRITE_RATE per second, 0 for no limit;
	// COMMONGROUND_WRITE_BURST).
	WriteRate  float64
	WriteBurst int
}

func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{
		Addr:        orDefault(getenv("COMMONGROUND_ADDR"), ":8080"),
		DatabaseURL: orDefault(getenv("DATABASE_URL"), "sqlite:commonground.db"),
		Seed:        orDefault(getenv("COMMONGROUND_SEED"), "demo"),
		AdminToken:  getenv("COMMONGROUND_ADMIN_TOKEN"),
		LogFormat:   orDefault(getenv("COMMONGROUND_LOG_FORMAT"), "text"),
	}
	if err := cfg.LogLevel.UnmarshalText([]byte(orDefault(getenv("COMMONGROUND_LOG_LEVEL"), "info"))); err != nil {
		return cfg, fmt.Errorf("COMMONGROUND_LOG_LEVEL: %w", err)
	}
	if cfg.LogFormat != "text" && cfg.LogFormat != "json" {
		return cfg, fmt.Errorf("COMMONGROUND_LOG_FORMAT must be text or json, got %q", cfg.LogFormat)
	}
	if _, err := seedNumber(cfg.Seed); err != nil {
		return cfg, err
	}
	if cfg.AdminToken != "" && len(cfg.AdminToken) < 16 {
		return cfg, errors.New("COMMONGROUND_ADMIN_TOKEN must be at least 16 characters")
	}
	rate, err := strconv.ParseFloat(orDefault(getenv("COMMONGROUND_WRITE_RATE"), "10"), 64)
	if err != nil || rate < 0 || math.IsInf(rate, 0) || math.IsNaN(rate) {
		return cfg, fmt.Errorf("COMMONGROUND_WRITE_RATE must be a number of writes a second, 0 or more, got %q", getenv("COMMONGROUND_WRITE_RATE"))
	}
	burst, err := strconv.Atoi(orDefault(getenv("COMMONGROUND_WRITE_BURST"), "50"))
	if err != nil || burst < 1 {
		return cfg, fmt.Errorf("COMMONGROUND_WRITE_BURST must be a whole number of writes, 1 or more, got %q", getenv("COMMONGROUND_WRITE_BURST"))
	}
	cfg.WriteRate, cfg.WriteBurst = rate, burst
	return cfg, nil
}

// seedNumber reads COMMONGROUND_SEED: "none" (-1), "demo" (seed 1) or
// "demo:N".
func seedNumber(s string) (int64, error) {
	switch {
	case s == "none":
		return -1, nil
	case s == "demo":
		return 1, nil
	case strings.HasPrefix(s, "demo:"):
		n, err := strconv.ParseInt(strings.TrimPrefix(s, "demo:"), 10, 64)
		if err == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, fmt.Errorf("COMMONGROUND_SEED must be demo, demo:N or none, got %q", s)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func newLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// run is main with its dependencies passed in, so tests can drive it.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	if len(args) == 0 {
		return serve(ctx, cfg, log)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, log)
	case "import":
		return importCSV(ctx, cfg, log, args[1:])
	case "seed":
		return seedScale(ctx, cfg, log, args[1:])
	default:
		return fmt.Errorf("unknown command %q (serve, import or seed)", args[0])
	}
}

func openStore(ctx context.Context, cfg config, log *slog.Logger) (*store.DB, error) {
	start := time.Now()
	// The read model keeps booked periods from a day back: matching and
	// booking are for the future, and years of past bookings would only
	// cost memory.
	db, err := store.Open(ctx, cfg.DatabaseURL, store.Options{Logger: log, BookedPast: 24 * time.Hour})
	if err != nil {
		return nil, err
	}
	log.Info("database ready", "dialect", db.Dialect(), "took", time.Since(start).Round(time.Millisecond))
	return db, nil
}

// serve runs the HTTP server until ctx ends, then finishes the requests in
// flight (at most 9 seconds) and returns nil.
func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	start := time.Now()
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := seedDemo(ctx, cfg, db, log); err != nil {
		return err
	}
	engine := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	follower := &store.Follower{DB: db, Engine: engine, Log: log}
	if err := follower.Load(ctx); err != nil {
		return fmt.Errorf("load the read model: %w", err)
	}
	followCtx, stopFollowing := context.WithCancel(context.Background())
	defer stopFollowing()
	go follower.Run(followCtx)
	router := api.NewRouter(api.Config{
		Store: db, Taxonomy: seed.Taxonomy(), Logger: log, AdminToken: cfg.AdminToken,
		Engine: engine, Follower: follower, WritesPerSecond: cfg.WriteRate, WriteBurst: cfg.WriteBurst,
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           router,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String(), "startup", time.Since(start).Round(time.Millisecond))

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 9*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("requests still running at the deadline were cut off", "error", err.Error())
		srv.Close()
	}
	log.Info("stopped")
	return nil
}

// seedDemo loads the demo county into an empty database. Two replicas
// starting together on one empty database may both try; the loser's batch
// fails on the IDs the winner wrote and is rolled back whole.
func seedDemo(ctx context.Context, cfg config, db *store.DB, log *slog.Logger) error {
	n, _ := seedNumber(cfg.Seed)
	if n < 0 {
		return nil
	}
	counts, err := db.Count(ctx)
	if err != nil {
		return err
	}
	if counts.Organisations > 0 {
		log.Info("database holds data; demo county not loaded", "organisations", counts.Organisations, "venues", counts.Venues, "spaces", counts.Spaces)
		return nil
	}
	start := time.Now()
	ds := seed.Demo(n)
	if err := db.InsertBatch(ctx, ds.Organisations, ds.Venues, ds.Spaces); err != nil {
		if errors.Is(err, matching.ErrConflict) {
			log.Info("demo county already being loaded by another replica")
			return nil
		}
		return fmt.Errorf("load demo county: %w", err)
	}
	log.Info("loaded demo county", "seed", n, "organisations", len(ds.Organisations), "venues", len(ds.Venues),
		"spaces", len(ds.Spaces), "took", time.Since(start).Round(time.Millisecond))
	return loadDemoPartnerships(ctx, db, ds, n, log)
}

// demoPartnerships is how many partnerships the demo county starts with.
const demoPartnerships = 12

// loadDemoPartnerships replays the demo county's partnership stories
// through the store, as their organisations would have: proposal,
// acceptance, start, health checks and completion, so completed ones count
// as trust in partner matching.
func loadDemoPartnerships(ctx context.Context, db *store.DB, ds *seed.Dataset, n int64, log *slog.Logger) error {
	stories := seed.DemoPartnerships(ds, seed.Taxonomy(), n, time.Now(), demoPartnerships)
	completed := 0
	for _, st := range stories {
		p := st.Partnership
		proposer, partner := matching.Actor{OrganisationID: p.ProposerID}, matching.Actor{OrganisationID: p.PartnerID}
		if err := db.CreatePartnership(ctx, &p); err != nil {
			return fmt.Errorf("demo partnership: %w", err)
		}
		if !st.Accepted {
			continue
		}
		steps := []struct {
			action matching.PartnershipAction
			by     matching.Actor
		}{{matching.ActionAccept, partner}, {matching.ActionActivate, proposer}}
		for _, step := range steps {
			if _, err := db.TransitionPartnership(ctx, p.ID, step.action, step.by); err != nil {
				return fmt.Errorf("demo partnership %s: %w", step.action, err)
			}
		}
		for i := range st.Checks {
			if err := db.AddHealthCheck(ctx, &st.Checks[i]); err != nil {
				return fmt.Errorf("demo health check: %w", err)
			}
		}
		if st.Completed {
			if _, err := db.TransitionPartnership(ctx, p.ID, matching.ActionComplete, proposer); err != nil {
				return fmt.Errorf("demo partnership complete: %w", err)
			}
			completed++
		}
	}
	log.Info("loaded demo partnerships", "partnerships", len(stories), "completed", completed)
	return loadDemoBookings(ctx, db, ds, n, log)
}

// demoBookings is how many weekly bookings the demo county starts with.
const demoBookings = 20

// loadDemoBookings books the demo county's weekly classes through the
// store, as the API would (the store checks hours, closures and overlaps).
func loadDemoBookings(ctx context.Context, db *store.DB, ds *seed.Dataset, n int64, log *slog.Logger) error {
	nothing := func(*matching.BookingOutcome) (matching.Reply, error) { return matching.Reply{}, nil }
	booked, sessions := 0, 0
	for _, req := range seed.DemoBookings(ds, n, time.Now(), demoBookings) {
		_, outcome, err := db.Book(ctx, uuid.Must(uuid.NewV7()).String(), &req, nil, nothing)
		if err != nil {
			return fmt.Errorf("demo booking: %w", err)
		}
		if outcome.Booked() {
			booked++
			sessions += len(outcome.Booking.ConfirmedSessions())
		}
	}
	log.Info("loaded demo bookings", "bookings", booked, "sessions", sessions)
	return nil
}

// importCSV loads a council's venues and spaces from a CSV file for one
// organisation: every row is checked first, and nothing is written unless
// all rows are good.
func importCSV(ctx context.Context, cfg config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	file := fs.String("venues", "", "CSV file of venues and spaces, one row per space (see seed/CSV.md)")
	org := fs.String("organisation", "", "ID of the organisation that owns the venues")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" || *org == "" {
		return errors.New("import needs --venues FILE.csv and --organisation ID")
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	owner, err := db.GetOrganisation(ctx, *org)
	if err != nil {
		return fmt.Errorf("organisation %s: %w", *org, err)
	}
	ds, err := seed.ReadVenuesCSV(f, owner.ID, seed.Taxonomy(), func() string { return uuid.Must(uuid.NewV7()).String() })
	if err != nil {
		return fmt.Errorf("%s: %w", *file, err)
	}
	if err := db.InsertBatch(ctx, nil, ds.Venues, ds.Spaces); err != nil {
		return err
	}
	log.Info("imported", "file", *file, "organisation", owner.Name, "venues", len(ds.Venues), "spaces", len(ds.Spaces))
	return nil
}

// seedScale loads synthetic data over Great Britain in batches, for
// benchmarks at scale.
func seedScale(ctx context.Context, cfg config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	spaces := fs.Int("scale", 100000, "number of spaces to generate (up to 1,000,000 or more)")
	seedN := fs.Int64("seed", 1, "seed number; the same number gives the same data")
	batch := fs.Int("batch", 5000, "spaces per transaction")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *spaces <= 0 || *batch <= 0 {
		return errors.New("--scale and --batch must be positive")
	}
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	total := 0
	err = seed.Generate(seed.ScaleOptions{Seed: *seedN, Spaces: *spaces, BatchSize: *batch}, func(ds *seed.Dataset) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := db.InsertBatch(ctx, ds.Organisations, ds.Venues, ds.Spaces); err != nil {
			return err
		}
		total += len(ds.Spaces)
		if total%100000 < len(ds.Spaces) {
			log.Info("seeding", "spaces", total, "elapsed", time.Since(start).Round(time.Second))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	log.Info("seeded", "spaces", total, "took", time.Since(start).Round(time.Millisecond))
	return nil
}
