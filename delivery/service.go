// Package delivery delivers the events kept in the store's outbox by email
// and webhook. It works the store's job queue (River, in the store's own
// database): each event's job fans out into one job per email address and
// one per webhook, each retried on its own until it succeeds or runs out of
// attempts. Jobs are committed with the change that causes them, so an
// event is delivered even when the process stops right after the commit;
// any number of services may work the same database, and each job is
// worked by one of them at a time.
package delivery

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"commonground/notify"
	"commonground/store"
)

// Defaults for Config.
const (
	// DefaultWorkers jobs are worked at once: deliveries mostly wait on
	// the network (a webhook may take up to 10 s), so many more than the
	// cores.
	DefaultWorkers      = 50
	DefaultPollInterval = 200 * time.Millisecond
	// fetchCooldown is the least time between two fetches of jobs: a
	// worker that finishes asks for more after it, so it bounds how many
	// jobs a second are picked up.
	fetchCooldown = 20 * time.Millisecond
	// WebhookRetrySpan is how long a webhook delivery is retried, at
	// least.
	WebhookRetrySpan = 24 * time.Hour
	// EmailMaxAttempts is how many times an email is tried.
	EmailMaxAttempts = 12
	// DefaultDeliveriesKept is how long webhook delivery attempts stay
	// in the log.
	DefaultDeliveriesKept = 30 * 24 * time.Hour
	// DefaultMaintenanceInterval is how often the periodic jobs run.
	DefaultMaintenanceInterval = time.Hour
)

// Config tunes a Service. The zero value delivers webhooks only, to public
// addresses, with the defaults below.
type Config struct {
	// Mailer sends the emails; nil sends none.
	Mailer *notify.Mailer
	// PublicURL is the service's address, for the links in emails.
	PublicURL string
	// WebhookRetryBase is the first wait before a webhook is tried again
	// (default notify.DefaultRetryBase, 5s); each wait doubles, capped at
	// an hour, and retries go on for at least WebhookRetrySpan.
	WebhookRetryBase time.Duration
	// EmailRetryBase, when above zero, is the first wait before an email
	// is tried again, doubling each time; zero leaves the waits to River's
	// backoff (attempt⁴ seconds).
	EmailRetryBase time.Duration
	// AllowPrivate lets webhooks go to loopback and private addresses.
	AllowPrivate bool
	// WebhookTimeout bounds one webhook delivery (default
	// notify.DefaultDeliveryTimeout, 10s).
	WebhookTimeout time.Duration
	// Logger receives the service's and the job queue's logs.
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Workers is how many jobs are worked at once (default
	// DefaultWorkers).
	Workers int
	// PollInterval is how often the queue is checked for jobs (default
	// DefaultPollInterval).
	PollInterval time.Duration
	// DeliveriesKept is how long webhook delivery attempts stay in the
	// log (default DefaultDeliveriesKept).
	DeliveriesKept time.Duration
	// MaintenanceInterval is how often the periodic jobs run: pruning the
	// deliveries log, and looking for due partnership reviews (default
	// DefaultMaintenanceInterval).
	MaintenanceInterval time.Duration
}

// Service works the store's delivery jobs until stopped.
type Service struct {
	db           *store.DB
	cfg          Config
	log          *slog.Logger
	deliverer    *notify.Deliverer
	hookAttempts int
	client       *river.Client[*sql.Tx]
}

// New builds a Service on db's job queue; Start starts it. It returns an
// error when the job queue client cannot be made from cfg.
func New(db *store.DB, cfg Config) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.WebhookRetryBase = cmp.Or(cfg.WebhookRetryBase, notify.DefaultRetryBase)
	cfg.Workers = cmp.Or(cfg.Workers, DefaultWorkers)
	cfg.PollInterval = cmp.Or(cfg.PollInterval, DefaultPollInterval)
	cfg.DeliveriesKept = cmp.Or(cfg.DeliveriesKept, DefaultDeliveriesKept)
	cfg.MaintenanceInterval = cmp.Or(cfg.MaintenanceInterval, DefaultMaintenanceInterval)
	s := &Service{
		db:           db,
		cfg:          cfg,
		log:          cfg.Logger.With("component", "delivery"),
		deliverer:    notify.NewDeliverer(cfg.AllowPrivate, notify.WithDeliveryTimeout(cfg.WebhookTimeout)),
		hookAttempts: notify.AttemptsFor(cfg.WebhookRetryBase, WebhookRetrySpan),
	}
	workers := river.NewWorkers()
	if err := errors.Join(
		river.AddWorkerSafely(workers, &eventWorker{s: s}),
		river.AddWorkerSafely(workers, &emailWorker{s: s}),
		river.AddWorkerSafely(workers, &webhookWorker{s: s}),
		river.AddWorkerSafely(workers, &reviewsWorker{s: s}),
		river.AddWorkerSafely(workers, &pruneWorker{s: s}),
	); err != nil {
		return nil, fmt.Errorf("delivery workers: %w", err)
	}
	client, err := river.NewClient(db.JobDriver(), &river.Config{
		Logger:            cfg.Logger.With("component", "jobs"),
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		Workers:           workers,
		PeriodicJobs:      s.periodicJobs(),
		PollOnly:          true, // neither driver on database/sql can LISTEN
		FetchPollInterval: cfg.PollInterval,
		FetchCooldown:     min(cfg.PollInterval, fetchCooldown),
		// A webhook waits at most WebhookTimeout, an email the mailer's
		// timeout: a job that runs longer is stuck.
		JobTimeout: time.Minute,
	})
	if err != nil {
		return nil, fmt.Errorf("delivery job queue: %w", err)
	}
	s.client = client
	return s, nil
}

// Start starts working jobs in the background and returns. Cancelling
// ctx stops the service at once, cancelling the jobs in flight; Stop
// stops it gracefully. It returns an error when the service cannot start.
func (s *Service) Start(ctx context.Context) error {
	if err := s.client.Start(ctx); err != nil {
		return fmt.Errorf("start delivery: %w", err)
	}
	s.log.Info("delivering events", "email", s.cfg.Mailer != nil, "workers", s.cfg.Workers,
		"webhook_retry_base", s.cfg.WebhookRetryBase, "webhook_attempts", s.hookAttempts)
	return nil
}

// Stop stops fetching jobs and waits for those in flight to finish. When
// ctx ends first it cancels them, waits a moment for them to give up (a
// cancelled delivery is tried again later, by this or another service)
// and returns ctx's error.
func (s *Service) Stop(ctx context.Context) error {
	err := s.client.Stop(ctx)
	if err == nil {
		return nil
	}
	hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if herr := s.client.StopAndCancel(hard); herr != nil {
		s.log.Warn("delivery jobs still running when stopping gave up", "error", herr.Error())
	}
	return fmt.Errorf("stop delivery: %w", err)
}

// insertUnique is how fanned-out jobs are inserted: one job per set of
// arguments, so a fan-out that runs again inserts nothing twice.
func insertUnique(maxAttempts int) *river.InsertOpts {
	return &river.InsertOpts{MaxAttempts: maxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}
