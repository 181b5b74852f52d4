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
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // IANA zones for venues, even on machines without /usr/share/zoneinfo

	"github.com/google/uuid"

	"commonground/app"
	"commonground/geo"
	"commonground/seed"
	"commonground/store"
	"commonground/web"
)

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
	DemoSeed    int64  // the seed number Seed names, -1 for none
	AdminToken  string // COMMONGROUND_ADMIN_TOKEN
	LogLevel    slog.Level
	LogFormat   string // COMMONGROUND_LOG_FORMAT: text or json
	// WriteRate and WriteBurst limit each organisation's writes
	// (COMMONGROUND_WRITE_RATE per second, 0 for no limit;
	// COMMONGROUND_WRITE_BURST).
	WriteRate  float64
	WriteBurst int
	// TrustedProxies are the proxies believed about the client they
	// forward (COMMONGROUND_TRUSTED_PROXIES: comma-separated IP addresses
	// and CIDR ranges; none by default).
	TrustedProxies []netip.Prefix
	// CORSOrigins are the origins whose pages may call the API
	// (COMMONGROUND_CORS_ORIGINS: comma-separated, default *).
	CORSOrigins []string
	// DBTimeout bounds every wait on the database
	// (COMMONGROUND_DB_TIMEOUT, a Go duration, default 5s).
	DBTimeout time.Duration
	// Notify is how events are delivered by email and webhook (see
	// config_notify.go).
	Notify notifyConfig
	// TileURL is the web map's tile template (COMMONGROUND_TILE_URL,
	// default OpenStreetMap's standard tiles; none: no tiles).
	TileURL string
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
	demoSeed, err := seedNumber(cfg.Seed)
	if err != nil {
		return cfg, err
	}
	cfg.DemoSeed = demoSeed
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
	cfg.TrustedProxies, err = parsePrefixes(getenv("COMMONGROUND_TRUSTED_PROXIES"))
	if err != nil {
		return cfg, fmt.Errorf("COMMONGROUND_TRUSTED_PROXIES must be comma-separated IP addresses or CIDR ranges: %w", err)
	}
	for _, o := range strings.Split(orDefault(getenv("COMMONGROUND_CORS_ORIGINS"), "*"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.CORSOrigins = append(cfg.CORSOrigins, strings.TrimSuffix(o, "/"))
		}
	}
	dbTimeout, err := time.ParseDuration(orDefault(getenv("COMMONGROUND_DB_TIMEOUT"), "5s"))
	if err != nil || dbTimeout <= 0 {
		return cfg, fmt.Errorf("COMMONGROUND_DB_TIMEOUT must be a duration above zero such as 5s or 1500ms, got %q", getenv("COMMONGROUND_DB_TIMEOUT"))
	}
	cfg.DBTimeout = dbTimeout
	if cfg.Notify, err = loadNotifyConfig(getenv); err != nil {
		return cfg, err
	}
	cfg.TileURL = orDefault(getenv("COMMONGROUND_TILE_URL"), web.DefaultTileURL)
	if err := checkTileURL(cfg.TileURL); err != nil {
		return cfg, fmt.Errorf("COMMONGROUND_TILE_URL %w, got %q", err, cfg.TileURL)
	}
	return cfg, nil
}

// checkTileURL checks a map tile template: none, or an http(s) URL with
// {z}, {x} and {y}.
func checkTileURL(s string) error {
	if s == "none" {
		return nil
	}
	u, err := url.Parse(strings.NewReplacer("{s}", "a", "{z}", "0", "{x}", "0", "{y}", "0", "{r}", "").Replace(s))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("must be none or an http(s) URL")
	}
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(s, p) {
			return errors.New("must hold {z}, {x} and {y}")
		}
	}
	return nil
}

// parsePrefixes reads a comma-separated list of IP addresses (each taken
// as a range of one) and CIDR ranges; blank entries are skipped.
func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, err
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, err
		}
		if a.Zone() != "" {
			return nil, fmt.Errorf("%q: an address with a zone cannot be trusted", f)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
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
	case "backup":
		return backup(ctx, cfg, log, args[1:])
	default:
		return fmt.Errorf("unknown command %q (serve, import, seed or backup)", args[0])
	}
}

// serve runs the HTTP server and the delivery of events until ctx ends,
// then finishes the requests and deliveries in flight (at most 9 seconds)
// and returns nil.
func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	start := time.Now()
	a, err := app.New(ctx, app.Config{
		DatabaseURL: cfg.DatabaseURL, Demo: cfg.DemoSeed >= 0, DemoSeed: cfg.DemoSeed, AdminToken: cfg.AdminToken,
		WritesPerSecond: cfg.WriteRate, WriteBurst: cfg.WriteBurst, TrustedProxies: cfg.TrustedProxies,
		CORSOrigins: cfg.CORSOrigins, DBTimeout: cfg.DBTimeout,
		SMTP: cfg.Notify.SMTP, MailFrom: cfg.Notify.MailFrom, PublicURL: cfg.Notify.PublicURL,
		WebhookRetryBase: cfg.Notify.WebhookRetryBase, WebhookAllowPrivate: cfg.Notify.WebhookAllowPrivate,
		TileURL: cfg.TileURL,
	}, log)
	if err != nil {
		if ctx.Err() != nil {
			// Stopped before the service was up: a clean stop.
			log.Info("stopped before the database was ready", "error", err.Error())
			return nil
		}
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := app.NewServer(a.Handler, log)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String(), "startup", time.Since(start).Round(time.Millisecond))

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight and deliveries under way")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 9*time.Second)
	defer cancel()
	// Deliveries stop beside the requests, within the same 9 seconds; one
	// cut off is tried again after the restart.
	var stopping sync.WaitGroup
	stopping.Go(func() {
		if err := a.Delivery.Stop(shutdownCtx); err != nil {
			log.Warn("deliveries still running at the deadline were cut off", "error", err.Error())
		}
	})
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("requests still running at the deadline were cut off", "error", err.Error())
		srv.Close()
	}
	stopping.Wait()
	log.Info("stopped")
	return nil
}

// importCSV loads a council's venues and spaces from a CSV file for one
// organisation (--venues FILE --organisation ID): every row is checked
// first, and nothing is written unless all rows are good. With --postcodes
// FILE it loads postcodes instead (see importPostcodes).
func importCSV(ctx context.Context, cfg config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	file := fs.String("venues", "", "CSV file of venues and spaces, one row per space (see seed/CSV.md)")
	org := fs.String("organisation", "", "ID of the organisation that owns the venues")
	postcodes := fs.String("postcodes", "", "CSV file of postcodes in the ONS Postcode Directory layout (columns pcds, lat, long)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *postcodes != "" {
		if *file != "" || *org != "" {
			return errors.New("import takes either --postcodes FILE.csv or --venues FILE.csv and --organisation ID")
		}
		return importPostcodes(ctx, cfg, log, *postcodes)
	}
	if *file == "" || *org == "" {
		return errors.New("import needs --venues FILE.csv and --organisation ID, or --postcodes FILE.csv")
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := app.WaitForStore(ctx, cfg.DatabaseURL, cfg.DBTimeout, log)
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
	if err := db.InsertBatch(store.WithoutTimeout(ctx), nil, ds.Venues, ds.Spaces); err != nil {
		return err
	}
	log.Info("imported", "file", *file, "organisation", owner.Name, "venues", len(ds.Venues), "spaces", len(ds.Spaces))
	return nil
}

// postcodeImportBatch is how many postcodes importPostcodes hands the
// store at a time.
const postcodeImportBatch = 20000

// importPostcodes loads postcodes from a file in the ONS Postcode
// Directory layout. The whole file is read once to check it, so a bad row
// writes nothing; then again to write it in batches. A postcode already
// there takes the file's point; rows without coordinates are skipped and
// counted.
func importPostcodes(ctx context.Context, cfg config, log *slog.Logger, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	checked, err := seed.ReadPostcodes(f, postcodeImportBatch, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	db, err := app.WaitForStore(ctx, cfg.DatabaseURL, cfg.DBTimeout, log)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := seed.ReadPostcodes(f, postcodeImportBatch, func(ps []geo.Place) error {
		_, err := db.ImportPostcodes(store.WithoutTimeout(ctx), ps)
		return err
	})
	if err == nil && st != checked {
		err = errors.New("the file changed while it was imported")
	}
	if err != nil {
		return fmt.Errorf("%s: %w (importing the file again completes the import)", path, err)
	}
	log.Info("imported postcodes", "file", path, "rows", st.Rows, "postcodes", st.Postcodes,
		"skipped_without_coordinates", st.NoCoordinates)
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
	db, err := app.WaitForStore(ctx, cfg.DatabaseURL, cfg.DBTimeout, log)
	if err != nil {
		return err
	}
	defer db.Close()
	// Batches of thousands of rows may rightly take longer than the
	// timeout.
	ctx = store.WithoutTimeout(ctx)
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

// backup writes a consistent copy of the database to the file named by
// --to while the service may be running. SQLite only: for PostgreSQL the
// error points to pg_dump.
func backup(ctx context.Context, cfg config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	to := fs.String("to", "", "file to write the copy to; it must not exist")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" {
		return errors.New("backup needs --to FILE")
	}
	db, err := app.WaitForStore(ctx, cfg.DatabaseURL, cfg.DBTimeout, log)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if err := db.Backup(store.WithoutTimeout(ctx), *to); err != nil {
		return err
	}
	log.Info("backed up", "to", *to, "took", time.Since(start).Round(time.Millisecond))
	return nil
}
