// Package store keeps Common Ground's data in SQLite or PostgreSQL through
// gorm. It converts between its own row types and the domain types of
// package matching, runs the versioned schema migrations at start, and
// translates database errors into the domain errors once, here.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
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
	timeout    time.Duration
	lostRaces  atomic.Uint64 // see LostRaces
	// keep holds an in-memory SQLite database open while the pool's
	// connection is replaced (see openSQLite); nil otherwise.
	keep *sql.DB
	// jobDriver and jobs are the job queue's (see queue.go).
	jobDriver riverdriver.Driver[*sql.Tx]
	jobs      *river.Client[*sql.Tx]
}

// Options tune Open. The zero value is fine.
type Options struct {
	Logger *slog.Logger
	// MaxOpenConns overrides the connection pool size; 0 picks a default
	// that suits the database (see Open). On PostgreSQL it is at least 2:
	// the job queue's migrations hold one connection for their lock while
	// they run on another.
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
	// Timeout bounds every wait on the database (default DefaultTimeout,
	// 5s): connecting, each statement, each transaction as a whole, and
	// SQLite's wait for another writer. Past it the operation fails with
	// an error wrapping matching.ErrUnavailable, as it does when the
	// database refuses or drops the connection. Work that may rightly take
	// longer runs under WithoutTimeout.
	Timeout time.Duration
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
// than fail); an in-memory SQLite database gets exactly 1 (a shared-cache
// database of its own, kept alive by a second, idle connection for the
// life of the store, so a connection that the pool discards, as it does
// after a cancelled transaction, takes no data with it).
//
// Every wait on the database is bounded by opts.Timeout (see Options); a
// database that does not answer in time, refuses the connection or is
// shutting down gives an error wrapping matching.ErrUnavailable, from Open
// as from every other method.
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
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	target, err := openTarget(rawURL, opts.Timeout)
	if err != nil {
		return nil, err
	}
	dialect, maxConns := target.dialect, target.conns
	if opts.MaxOpenConns > 0 && dialect == Postgres {
		maxConns = max(opts.MaxOpenConns, 2)
	}
	sqlDB := target.db
	sqlDB.SetMaxOpenConns(maxConns)
	sqlDB.SetMaxIdleConns(maxConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if dialect == Postgres {
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
	}
	closeAll := func() {
		sqlDB.Close()
		if target.keep != nil {
			target.keep.Close()
		}
	}
	opened := false
	defer func() {
		if !opened {
			closeAll()
		}
	}()
	pool := &boundedPool{db: sqlDB, timeout: opts.Timeout}
	var dialector gorm.Dialector = postgres.New(postgres.Config{Conn: pool})
	if dialect == SQLite {
		dialector = &sqlite.Dialector{Conn: pool}
	}
	g, err := gorm.Open(dialector, &gorm.Config{
		Logger: logger.NewSlogLogger(opts.Logger.With("component", "gorm"), logger.Config{
			SlowThreshold:             opts.SlowQuery,
			LogLevel:                  logger.Warn,
			IgnoreRecordNotFoundError: true,
			ParameterizedQueries:      true,
		}),
		TranslateError:       true,
		DisableAutomaticPing: true,
		NowFunc:              func() time.Time { return opts.Now().UTC().Truncate(time.Microsecond) },
	})
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, unavailable(err, ctx, nil))
	}
	db := &DB{gorm: g, dialect: dialect, log: opts.Logger, now: opts.Now, bookedPast: opts.BookedPast,
		timeout: opts.Timeout, keep: target.keep}
	if err := db.Ping(ctx); err != nil {
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	// Migrations may rightly take longer than the timeout on a large
	// database; the connection they run on has just answered.
	ctx = WithoutTimeout(ctx)
	if err := db.migrate(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	db.jobDriver = newJobDriver(sqlDB, dialect)
	if err := db.migrateJobs(ctx, sqlDB); err != nil {
		return nil, err
	}
	if db.jobs, err = newJobInserter(db.jobDriver); err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	opened = true
	return db, nil
}

// target is the database a URL names, opened (lazily: nothing is
// dialled yet) as a *sql.DB.
type target struct {
	db      *sql.DB
	dialect Dialect
	conns   int     // the pool size that suits it
	keep    *sql.DB // see DB.keep
}

// openTarget reads rawURL and opens its pool, every wait bounded by
// timeout. It returns an error wrapping matching.ErrInvalid for a URL it
// cannot read.
func openTarget(rawURL string, timeout time.Duration) (target, error) {
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		path := strings.TrimPrefix(rawURL, "sqlite:")
		if path == "" {
			return target{}, fmt.Errorf("%w: DATABASE_URL %q names no file (use sqlite:PATH or sqlite::memory:)", matching.ErrInvalid, rawURL)
		}
		return openSQLite(path, timeout)
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(rawURL, timeout)
	default:
		return target{}, fmt.Errorf("%w: DATABASE_URL must start with sqlite:, postgres:// or postgresql://", matching.ErrInvalid)
	}
}

// openSQLite opens the SQLite database at path, or a fresh in-memory one
// for ":memory:". Writers wait for each other at most timeout.
//
// An in-memory database lives only as long as a connection to it, and
// database/sql discards a connection whose transaction was cancelled
// (the driver cannot reset one), so a plain ":memory:" database would
// vanish with the first request that timed out during a write. Instead
// the database is a named shared-cache one, and a second pool holds an
// idle connection to it for the life of the store. The store's own pool
// keeps one connection: shared-cache connections lock whole tables and do
// not wait on the busy timeout, so a second one would fail rather than
// queue.
func openSQLite(path string, timeout time.Duration) (target, error) {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", max(timeout.Milliseconds(), 1)))
	q.Set("_txlock", "immediate")
	if path != ":memory:" {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		db, err := sql.Open(sqlite.DriverName, "file:"+path+"?"+q.Encode())
		if err != nil {
			return target{}, fmt.Errorf("open sqlite database: %w", err)
		}
		return target{db: db, dialect: SQLite, conns: 4}, nil
	}
	buf := make([]byte, 8)
	rand.Read(buf)
	q.Set("mode", "memory")
	q.Set("cache", "shared")
	dsn := "file:cg-" + hex.EncodeToString(buf) + "?" + q.Encode()
	keep, err := sql.Open(sqlite.DriverName, dsn)
	if err != nil {
		return target{}, fmt.Errorf("open sqlite database: %w", err)
	}
	keep.SetMaxOpenConns(1)
	keep.SetMaxIdleConns(1)
	keep.SetConnMaxIdleTime(0)
	keep.SetConnMaxLifetime(0)
	if err := keep.Ping(); err != nil {
		keep.Close()
		return target{}, fmt.Errorf("open sqlite database: %w", err)
	}
	db, err := sql.Open(sqlite.DriverName, dsn)
	if err != nil {
		keep.Close()
		return target{}, fmt.Errorf("open sqlite database: %w", err)
	}
	return target{db: db, dialect: SQLite, conns: 1, keep: keep}, nil
}

// openPostgres opens a pgx pool on rawURL with the timeouts of the store
// on both sides of the connection, each unless the URL sets its own:
// connect_timeout; TCP keepalives, so a peer that vanished is noticed;
// and, as the server's backstop for work the store gave up on,
// idle_in_transaction_session_timeout (a transaction whose client went
// silent holds its locks no longer than that) and a statement_timeout well
// above the timeout (the store's bulk work, such as snapshots, runs longer
// than the timeout, never that long).
func openPostgres(rawURL string, timeout time.Duration) (target, error) {
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return target{}, fmt.Errorf("%w: DATABASE_URL is not a PostgreSQL URL: %v", matching.ErrInvalid, err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = timeout
		dialer := &net.Dialer{Timeout: timeout, KeepAliveConfig: net.KeepAliveConfig{
			Enable: true, Idle: 15 * time.Second, Interval: 5 * time.Second, Count: 3,
		}}
		cfg.DialFunc = dialer.DialContext
	}
	params := map[string]time.Duration{
		"idle_in_transaction_session_timeout": 2 * timeout,
		"statement_timeout":                   max(time.Minute, 12*timeout),
	}
	for name, d := range params {
		if _, set := cfg.RuntimeParams[name]; !set {
			cfg.RuntimeParams[name] = strconv.FormatInt(d.Milliseconds(), 10)
		}
	}
	conns := 4 * runtime.GOMAXPROCS(0)
	if conns < 8 {
		conns = 8
	}
	return target{db: stdlib.OpenDB(*cfg), dialect: Postgres, conns: conns}, nil
}

// Dialect says which database the store uses.
func (db *DB) Dialect() Dialect { return db.dialect }

// Ping checks that the database answers within the timeout. Its error
// wraps matching.ErrUnavailable when the database does not answer.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	pctx, cancel := bound(ctx, db.timeout)
	defer cancel()
	return unavailable(sqlDB.PingContext(pctx), ctx, pctx)
}

// Timeout is how long the store waits for the database (see
// Options.Timeout).
func (db *DB) Timeout() time.Duration { return db.timeout }

// Close closes the connection pool.
func (db *DB) Close() error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	err = sqlDB.Close()
	if db.keep != nil {
		err = errors.Join(err, db.keep.Close())
	}
	return err
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
	case errors.Is(err, matching.ErrUnavailable):
		return fmt.Errorf("%s: %w", what, err)
	case databaseGone(err):
		return fmt.Errorf("%s: %w", what, unavailable(err, nil, nil))
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
