// Package store keeps Common Ground's data in SQLite or PostgreSQL through
// gorm. It converts between its own row types and the domain types of
// package matching, runs the versioned schema migrations at start, and
// translates database errors into the domain errors once, here.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"commonground/matching"
)

// Dialect names the database behind a DB.
type Dialect string

// The supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the store: every read and write of Common Ground's data goes
// through it. It is safe for concurrent use.
type DB struct {
	gorm       *gorm.DB
	dialect    Dialect
	log        *slog.Logger
	now        func() time.Time
	bookedPast time.Duration
	lostRaces  atomic.Uint64 // see LostRaces
}

// Options tune Open. The zero value is fine.
type Options struct {
	Logger *slog.Logger
	// MaxOpenConns overrides the connection pool size; 0 picks a default
	// that suits the database (see Open).
	MaxOpenConns int
	// SlowQuery is the duration above which a query is logged as slow
	// (default 200ms).
	SlowQuery time.Duration
	// Now is the clock used for created_at/updated_at (default time.Now).
	Now func() time.Time
	// BookedPast bounds how far into the past the booked periods handed
	// to read models reach (Snapshot, ChangesSince): periods that ended
	// longer ago than this, by Now, are left out, so a read model's memory
	// does not grow with years of bookings that can no longer matter
	// (every booking and match is for the future). 0 hands over every
	// confirmed period.
	BookedPast time.Duration
}

// Open connects to the database named by rawURL and brings its schema up
// to date. rawURL is "sqlite:PATH" (PATH ":memory:" for a throwaway
// database) or "postgres://…" / "postgresql://…". It returns an error
// wrapping matching.ErrInvalid for a URL it cannot read.
//
// Pools: PostgreSQL gets 4 connections per CPU (at least 8), enough to keep
// the cores busy while some connections wait on the network, without
// crowding the server's max_connections when several replicas run; a
// SQLite file gets 4 (WAL lets readers run beside the single writer, and
// transactions begin IMMEDIATE so writers queue on the busy timeout rather
// than fail); an in-memory SQLite database gets exactly 1, since each
// connection would otherwise see its own empty database.
func Open(ctx context.Context, rawURL string, opts Options) (*DB, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.SlowQuery == 0 {
		opts.SlowQuery = 200 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	dialector, dialect, maxConns, err := dialectorFor(rawURL)
	if err != nil {
		return nil, err
	}
	if opts.MaxOpenConns > 0 && dialect == Postgres {
		maxConns = opts.MaxOpenConns
	}
	g, err := gorm.Open(dialector, &gorm.Config{
		Logger: logger.NewSlogLogger(opts.Logger.With("component", "gorm"), logger.Config{
			SlowThreshold:             opts.SlowQuery,
			LogLevel:                  logger.Warn,
			IgnoreRecordNotFoundError: true,
			ParameterizedQueries:      true,
		}),
		TranslateError: true,
		NowFunc:        func() time.Time { return opts.Now().UTC().Truncate(time.Microsecond) },
	})
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB.SetMaxOpenConns(maxConns)
	sqlDB.SetMaxIdleConns(maxConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if dialect == Postgres {
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
	}
	db := &DB{gorm: g, dialect: dialect, log: opts.Logger, now: opts.Now, bookedPast: opts.BookedPast}
	if err := db.Ping(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	if err := db.migrate(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return db, nil
}

func dialectorFor(rawURL string) (gorm.Dialector, Dialect, int, error) {
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		path := strings.TrimPrefix(rawURL, "sqlite:")
		if path == "" {
			return nil, "", 0, fmt.Errorf("%w: DATABASE_URL %q names no file (use sqlite:PATH or sqlite::memory:)", matching.ErrInvalid, rawURL)
		}
		conns := 4
		q := url.Values{}
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "busy_timeout(10000)")
		q.Set("_txlock", "immediate")
		if path == ":memory:" {
			conns = 1
		} else {
			q.Add("_pragma", "journal_mode(WAL)")
			q.Add("_pragma", "synchronous(NORMAL)")
		}
		return sqlite.Open("file:" + path + "?" + q.Encode()), SQLite, conns, nil
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		if _, err := pgconn.ParseConfig(rawURL); err != nil {
			return nil, "", 0, fmt.Errorf("%w: DATABASE_URL is not a PostgreSQL URL: %v", matching.ErrInvalid, err)
		}
		conns := 4 * runtime.GOMAXPROCS(0)
		if conns < 8 {
			conns = 8
		}
		return postgres.New(postgres.Config{DSN: rawURL}), Postgres, conns, nil
	default:
		return nil, "", 0, fmt.Errorf("%w: DATABASE_URL must start with sqlite:, postgres:// or postgresql://", matching.ErrInvalid)
	}
}

// Dialect says which database the store uses.
func (db *DB) Dialect() Dialect { return db.dialect }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close closes the connection pool.
func (db *DB) Close() error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Gorm exposes the underlying handle, for tests and benchmarks that need
// raw SQL.
func (db *DB) Gorm() *gorm.DB { return db.gorm }

// translate maps a database error to a domain error, once, so no caller
// needs to know which database it runs on. Errors it does not recognise are
// returned wrapped, to be logged and shown as internal errors.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound), errors.Is(err, sql.ErrNoRows):
		// ErrNoRows: a row read by Row().Scan, or one deleted by a
		// concurrent transaction between two statements of this one.
		return fmt.Errorf("%s: %w", what, matching.ErrNotFound)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%s already exists: %w", what, matching.ErrConflict)
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return fmt.Errorf("%s refers to something that does not exist: %w", what, matching.ErrConflict)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &pgErr):
		switch pgErr.Code {
		case "23505":
			return fmt.Errorf("%s already exists: %w", what, matching.ErrConflict)
		case "23503":
			return fmt.Errorf("%s refers to something that does not exist: %w", what, matching.ErrConflict)
		case "22021", "22P02", "22001":
			return fmt.Errorf("%s: the database cannot hold this text: %w", what, matching.ErrInvalid)
		case "23P01", "40001", "40P01":
			return fmt.Errorf("%s conflicts with a concurrent change: %w", what, matching.ErrConflict)
		}
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint failed"):
		return fmt.Errorf("%s already exists: %w", what, matching.ErrConflict)
	case strings.Contains(msg, "FOREIGN KEY constraint failed"):
		return fmt.Errorf("%s refers to something that does not exist: %w", what, matching.ErrConflict)
	}
	return fmt.Errorf("%s: %w", what, err)
}
