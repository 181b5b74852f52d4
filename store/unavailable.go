package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"commonground/matching"
)

// DefaultTimeout is how long the store waits for the database by default
// (Options.Timeout): to connect, for one statement, and for one
// transaction.
const DefaultTimeout = 5 * time.Second

// errDBTimeout is the cause of a context the store bounded with its
// timeout, to tell the database not answering in time from the caller's
// own deadline.
var errDBTimeout = errors.New("the database did not answer in time")

// unboundedKey marks a context whose database work may take longer than
// the timeout (see WithoutTimeout).
type unboundedKey struct{}

// WithoutTimeout returns ctx marked so the store does not bound the
// statements and transactions run under it by Options.Timeout: for
// migrations, bulk loads and backups, which may rightly take longer.
// ctx's own deadline, if any, still holds.
func WithoutTimeout(ctx context.Context) context.Context {
	return context.WithValue(ctx, unboundedKey{}, true)
}

// outageKey holds the *atomic.Bool of WithinOneTimeout.
type outageKey struct{}

// WithinOneTimeout returns ctx marked so that once one wait on the
// database under it has ended as unavailable, every later one fails at
// once, also as unavailable: a request that asks the database several
// things in turn answers within one timeout, not one per question, when
// the database has stopped answering.
func WithinOneTimeout(ctx context.Context) context.Context {
	return context.WithValue(ctx, outageKey{}, new(atomic.Bool))
}

// bound returns ctx limited to d (the cause of its end then errDBTimeout)
// unless ctx is marked by WithoutTimeout or already ends sooner. Under
// WithinOneTimeout, once the database was found unavailable, the context
// returned has already ended.
func bound(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if seen, ok := ctx.Value(outageKey{}).(*atomic.Bool); ok && seen.Load() {
		ended, cancel := context.WithCancelCause(ctx)
		cancel(errDBTimeout)
		return ended, func() {}
	}
	if d <= 0 || ctx.Value(unboundedKey{}) != nil {
		return ctx, func() {}
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, d, errDBTimeout)
}

// unavailable returns err wrapping matching.ErrUnavailable when it means
// the database is not answering: the store's own timeout ran out on
// bounded (while parent, the caller's context, is still live), or the
// connection failed or was refused, reset or closed, or the server is
// shutting down, starting up or full. Other errors, and errors after the
// caller's own context ended, come back unchanged.
func unavailable(err error, parent, bounded context.Context) error {
	if err == nil || errors.Is(err, matching.ErrUnavailable) {
		return err
	}
	if parent != nil && parent.Err() != nil {
		return err
	}
	switch {
	case bounded != nil && bounded.Err() != nil && errors.Is(context.Cause(bounded), errDBTimeout):
		err = fmt.Errorf("%w: %w: %w", matching.ErrUnavailable, errDBTimeout, err)
	case databaseGone(err):
		err = fmt.Errorf("%w: the database is not reachable: %w", matching.ErrUnavailable, err)
	default:
		return err
	}
	if parent != nil {
		if seen, ok := parent.Value(outageKey{}).(*atomic.Bool); ok {
			seen.Store(true)
		}
	}
	return err
}

// databaseGone reports whether err says the connection to the database
// failed or the server cannot serve, rather than that the statement was
// wrong.
func databaseGone(err error) bool {
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			return unavailableCode(pgErr.Code)
		}
		// Refused, unreachable, or no answer within connect_timeout;
		// not a bad password or an unknown database.
		return true
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		// Whose deadline is for unavailable to say.
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return unavailableCode(pgErr.Code)
	}
	var netErr net.Error
	switch {
	case errors.As(err, &netErr),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone), errors.Is(err, pgconn.ErrConnClosed):
		return true
	}
	// SQLite waited out its busy timeout for another writer.
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

// unavailableCode reports whether a PostgreSQL SQLSTATE means the server
// cannot serve now rather than that the statement was wrong.
func unavailableCode(code string) bool {
	switch code {
	case "57P01", "57P02", "57P03", // admin_shutdown, crash_shutdown, cannot_connect_now
		"53300": // too_many_connections
		return true
	}
	return strings.HasPrefix(code, "08") // connection_exception
}

// boundedPool is the connection pool gorm runs every statement through:
// each statement, and each transaction as a whole, is bounded by timeout
// (see bound), and errors that mean the database is not answering come
// back wrapping matching.ErrUnavailable.
//
// A query's rows are read after QueryContext returns, so its context
// cannot be cancelled on return; it is released by its own timer, or
// sooner when the caller's context ends, as a request's does when it is
// answered.
type boundedPool struct {
	db      *sql.DB
	timeout time.Duration
}

var (
	_ gorm.ConnPool         = (*boundedPool)(nil)
	_ gorm.ConnPoolBeginner = (*boundedPool)(nil)
	_ gorm.GetDBConnector   = (*boundedPool)(nil)
	_ gorm.TxCommitter      = (*boundedTx)(nil)
	_ gorm.ConnPool         = (*boundedTx)(nil)
	_ gorm.ConnPool         = (*boundedConn)(nil)
)

// GetDBConn lets gorm's DB() hand out the pool itself.
func (p *boundedPool) GetDBConn() (*sql.DB, error) { return p.db, nil }

func (p *boundedPool) conn() boundedConn { return boundedConn{p.db, p.timeout} }

func (p *boundedPool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return p.conn().PrepareContext(ctx, query)
}

func (p *boundedPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.conn().ExecContext(ctx, query, args...)
}

func (p *boundedPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.conn().QueryContext(ctx, query, args...)
}

func (p *boundedPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.conn().QueryRowContext(ctx, query, args...)
}

// BeginTx begins a transaction that ends, rolled back, when the timeout
// runs out before it commits.
func (p *boundedPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	txCtx, cancel := bound(ctx, p.timeout)
	tx, err := p.db.BeginTx(txCtx, opts)
	if err != nil {
		cancel()
		return nil, unavailable(err, ctx, txCtx)
	}
	return &boundedTx{boundedConn: boundedConn{tx, p.timeout}, tx: tx, parent: ctx, ctx: txCtx, cancel: cancel}, nil
}

// sqlConn is what *sql.DB and *sql.Tx have in common.
type sqlConn interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// boundedConn runs statements on a pool or a transaction, each bounded by
// timeout.
type boundedConn struct {
	c       sqlConn
	timeout time.Duration
}

func (b boundedConn) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	sctx, cancel := bound(ctx, b.timeout)
	defer cancel()
	st, err := b.c.PrepareContext(sctx, query)
	return st, unavailable(err, ctx, sctx)
}

func (b boundedConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	sctx, cancel := bound(ctx, b.timeout)
	defer cancel()
	res, err := b.c.ExecContext(sctx, query, args...)
	return res, unavailable(err, ctx, sctx)
}

func (b boundedConn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	sctx, cancel := bound(ctx, b.timeout)
	rows, err := b.c.QueryContext(sctx, query, args...)
	if err != nil {
		cancel()
		return nil, unavailable(err, ctx, sctx)
	}
	_ = cancel // the rows are still to be read: see boundedPool
	return rows, nil
}

func (b boundedConn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	sctx, cancel := bound(ctx, b.timeout)
	_ = cancel // the row is still to be scanned: see boundedPool
	return b.c.QueryRowContext(sctx, query, args...)
}

// boundedTx is a transaction begun by boundedPool.
type boundedTx struct {
	boundedConn
	tx          *sql.Tx
	parent, ctx context.Context
	cancel      context.CancelFunc
}

// Commit commits; when the transaction's time ran out first it was rolled
// back, and the error wraps matching.ErrUnavailable.
func (t *boundedTx) Commit() error {
	defer t.cancel()
	return unavailable(t.tx.Commit(), t.parent, t.ctx)
}

func (t *boundedTx) Rollback() error {
	defer t.cancel()
	err := t.tx.Rollback()
	if errors.Is(err, sql.ErrTxDone) {
		return err
	}
	return unavailable(err, t.parent, t.ctx)
}

// The statements of a transaction whose time ran out fail with
// sql.ErrTxDone or the driver's own error; say why.
func (t *boundedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := t.boundedConn.ExecContext(ctx, query, args...)
	return res, unavailable(err, t.parent, t.ctx)
}

func (t *boundedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := t.boundedConn.QueryContext(ctx, query, args...)
	return rows, unavailable(err, t.parent, t.ctx)
}
