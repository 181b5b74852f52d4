// Package app wires the service together once, for the server in main.go
// and for the tools under cmd/: the store, the demo county in an empty
// database, the in-memory read model and the follower that keeps it in
// step with the database, the HTTP handler over them, and the delivery of
// events by email and webhook.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"commonground/api"
	"commonground/delivery"
	"commonground/matching"
	"commonground/notify"
	"commonground/seed"
	"commonground/store"
	"commonground/web"
)

var (
	_ api.Store      = (*store.DB)(nil)
	_ api.Follower   = (*store.Follower)(nil)
	_ seed.DemoStore = (*store.DB)(nil)
	_ web.Calendar   = (*store.DB)(nil)
)

// Config is what New needs to know; main reads it from the environment.
type Config struct {
	// DatabaseURL is sqlite:PATH or postgres://… (see store.Open).
	DatabaseURL string
	// Demo loads the demo county of seed number DemoSeed when the
	// database holds no organisation.
	Demo     bool
	DemoSeed int64
	// AdminToken, when set, is the operator token (see api.Config).
	AdminToken string
	// WritesPerSecond and WriteBurst limit each organisation's writes (see
	// api.Config); 0 writes a second does not limit.
	WritesPerSecond float64
	WriteBurst      int
	// TrustedProxies are the proxies believed about the client they
	// forward (see api.Config).
	TrustedProxies []netip.Prefix
	// CORSOrigins are the origins whose pages may call the API; none or
	// "*" allows any.
	CORSOrigins []string
	// DBTimeout bounds every wait on the database (see
	// store.Options.Timeout; 0 for store.DefaultTimeout).
	DBTimeout time.Duration
	// SMTP is the mail server events are mailed through; nil mails
	// nothing. MailFrom is the sender (default
	// "Common Ground <noreply@localhost>"), PublicURL the address the
	// emails link to.
	SMTP      *notify.SMTPConfig
	MailFrom  string
	PublicURL string
	// WebhookRetryBase is the first wait before a failed webhook delivery
	// is tried again (0: notify.DefaultRetryBase); WebhookAllowPrivate
	// lets webhooks go to loopback and private addresses.
	WebhookRetryBase    time.Duration
	WebhookAllowPrivate bool
	// TileURL is the web map's tile template (see web.Config.TileURL).
	TileURL string
}

// App is the wired service. Its fields are for reading; Close releases
// it.
type App struct {
	DB       *store.DB
	Engine   *matching.Engine
	Follower *store.Follower
	Handler  http.Handler
	// Delivery delivers events by email and webhook, from New until
	// Close.
	Delivery *delivery.Service

	stopFollowing context.CancelFunc
	following     sync.WaitGroup
}

// New waits for the database (see WaitForStore), opens and migrates it, loads the demo county into it if
// cfg.Demo is set and it is empty, loads the read model and starts
// following the database (until Close), and builds the HTTP handler. ctx
// bounds only the start: once it ends New returns promptly, even while
// waiting for the database. Errors from opening the store wrap
// matching.ErrInvalid for a bad DatabaseURL; nothing is left open when New
// fails.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	db, err := WaitForStore(ctx, cfg.DatabaseURL, cfg.DBTimeout, log)
	if err != nil {
		return nil, err
	}
	if cfg.Demo {
		// A bulk load: it may rightly take longer than the timeout.
		if err := loadDemo(store.WithoutTimeout(ctx), db, cfg.DemoSeed, log); err != nil {
			db.Close()
			return nil, err
		}
	}
	tax := seed.Taxonomy()
	engine := matching.NewEngine(tax, matching.EngineOptions{})
	follower := &store.Follower{DB: db, Engine: engine, Log: log}
	if err := follower.Load(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("load the read model: %w", err)
	}
	a := &App{DB: db, Engine: engine, Follower: follower}
	mailer, err := newMailer(cfg, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	acfg := api.Config{
		Store: db, Taxonomy: tax, Logger: log, AdminToken: cfg.AdminToken, Places: seed.PlaceIndex(),
		Engine: engine, Follower: follower, WritesPerSecond: cfg.WritesPerSecond, WriteBurst: cfg.WriteBurst,
		TrustedProxies: cfg.TrustedProxies,
		CORSOrigins:    cfg.CORSOrigins, AllowPrivateWebhooks: cfg.WebhookAllowPrivate,
		PublicURL: cfg.PublicURL,
	}
	if mailer != nil {
		// Invitations and password-reset links.
		acfg.Mailer = mailer
	}
	// The web pages, served beside the API and through it.
	router := web.NewHandler(web.Config{API: api.NewRouter(acfg), Calendar: db, Taxonomy: tax, Logger: log,
		PublicURL: cfg.PublicURL, TileURL: cfg.TileURL})
	// A request waits out the database's timeout once, however many
	// times it asks: a 503 within the timeout, not one timeout per
	// question.
	a.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		router.ServeHTTP(w, r.WithContext(store.WithinOneTimeout(r.Context())))
	})
	// Following outlives ctx: a server finishing its requests in flight
	// after a signal still sees other replicas' writes.
	followCtx, stop := context.WithCancel(context.Background())
	a.stopFollowing = stop
	a.following.Go(func() { follower.Run(followCtx) })
	if a.Delivery, err = startDelivery(db, cfg, mailer, log); err != nil {
		stop()
		a.following.Wait()
		db.Close()
		return nil, err
	}
	return a, nil
}

// deliveryStopTimeout bounds how long Close waits for deliveries under
// way; those cut off are tried again after a restart.
const deliveryStopTimeout = 10 * time.Second

// newMailer is the mailer of cfg.SMTP, or nil when none is set.
func newMailer(cfg Config, log *slog.Logger) (*notify.Mailer, error) {
	if cfg.SMTP == nil {
		return nil, nil
	}
	from := cfg.MailFrom
	if from == "" {
		from = "Common Ground <noreply@localhost>"
	}
	m, err := notify.NewMailer(*cfg.SMTP, from)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	log.Info("mailing events, invitations and password resets", "smtp", cfg.SMTP.String(), "from", from)
	return m, nil
}

// startDelivery starts delivering events: by email with mailer (nil: no
// email), and by webhook. Its jobs are worked in the background, past the
// end of New's ctx, until Close.
func startDelivery(db *store.DB, cfg Config, mailer *notify.Mailer, log *slog.Logger) (*delivery.Service, error) {
	dcfg := delivery.Config{PublicURL: cfg.PublicURL, WebhookRetryBase: cfg.WebhookRetryBase,
		AllowPrivate: cfg.WebhookAllowPrivate, Logger: log, Mailer: mailer}
	s, err := delivery.New(db, dcfg)
	if err != nil {
		return nil, err
	}
	if err := s.Start(context.Background()); err != nil {
		return nil, err
	}
	return s, nil
}

// Close stops delivering events (waiting up to 10 s for deliveries under
// way), stops following the database, waits for the follower to finish,
// and closes the database.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), deliveryStopTimeout)
	defer cancel()
	var err error
	if a.Delivery != nil {
		err = a.Delivery.Stop(ctx)
	}
	a.stopFollowing()
	a.following.Wait()
	return errors.Join(err, a.DB.Close())
}

// OpenStore is WaitForStore with the store's default timeout.
func OpenStore(ctx context.Context, databaseURL string, log *slog.Logger) (*store.DB, error) {
	return WaitForStore(ctx, databaseURL, 0, log)
}

// The waits between attempts to reach the database at start-up.
const (
	firstRetry = 500 * time.Millisecond
	maxRetry   = 5 * time.Second
)

// WaitForStore opens and migrates the database at databaseURL, as the
// service uses it, every wait on the database bounded by timeout (0 for
// store.DefaultTimeout), and logs that it is ready. While the database is
// unavailable (it refuses connections, does not answer within timeout, or
// is starting up) it tries again, after 0.5 s and then twice as long each
// time up to 5 s, logging each failed attempt with its error and the
// wait; other errors, such as a bad URL (wrapping matching.ErrInvalid) or
// a refused password, end it at once. When ctx ends it returns ctx's
// error at once.
func WaitForStore(ctx context.Context, databaseURL string, timeout time.Duration, log *slog.Logger) (*store.DB, error) {
	start := time.Now()
	wait := firstRetry
	for attempt := 1; ; attempt++ {
		// The read model keeps booked periods from a day back: matching
		// and booking are for the future, and years of past bookings
		// would only cost memory.
		db, err := store.Open(ctx, databaseURL, store.Options{Logger: log, BookedPast: 24 * time.Hour, Timeout: timeout})
		if err == nil {
			log.Info("database ready", "dialect", db.Dialect(), "took", time.Since(start).Round(time.Millisecond))
			return db, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("stopped waiting for the database: %w", ctx.Err())
		}
		if !errors.Is(err, matching.ErrUnavailable) {
			return nil, err
		}
		log.Warn("database unavailable; trying again", "attempt", attempt, "error", err.Error(), "retry_in", wait)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("stopped waiting for the database: %w", ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, maxRetry)
	}
}

// loadDemo loads the demo county of seed number n into db if it is empty,
// and says so if it is not.
func loadDemo(ctx context.Context, db *store.DB, n int64, log *slog.Logger) error {
	err := seed.LoadDemo(ctx, db, n, time.Now(), log)
	if !errors.Is(err, seed.ErrNotEmpty) {
		return err
	}
	counts, err := db.Count(ctx)
	if err != nil {
		return err
	}
	log.Info("database holds data; demo county not loaded", "organisations", counts.Organisations, "venues", counts.Venues, "spaces", counts.Spaces)
	return nil
}

// NewServer returns an HTTP server for h with the service's timeouts and
// header limit, logging its own errors to log as warnings.
func NewServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}
