package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// The bulk readers (Snapshot, ChangesSince) do not go through gorm's
// reflection: they name their columns and scan every row into the same
// destinations (bulkrows.go). On PostgreSQL they read through pgx itself
// rather than database/sql, which would box every column of every row
// into an interface: text columns that are parsed or interned (the JSON
// lists, slugs) are then read in place from pgx's buffer without a copy.

// rowReader runs queries inside one read transaction. each runs query
// (with ? placeholders), scans every row into fields (each a *string,
// *[]byte, *float64, *int, *int64, *bool or *time.Time) and calls fn
// after each. A []byte field is only valid until the next row.
type rowReader interface {
	each(fields []any, fn func() error, query string, args ...any) error
}

// sqlReader reads through database/sql (SQLite).
type sqlReader struct {
	ctx context.Context
	tx  *sql.Tx
}

func (r sqlReader) each(fields []any, fn func() error, query string, args ...any) error {
	dests := make([]any, len(fields))
	for i, f := range fields {
		switch p := f.(type) {
		case *[]byte:
			dests[i] = (*sql.RawBytes)(p)
		case *float64:
			dests[i] = sqlFloat{p}
		case *int64:
			dests[i] = sqlInt[int64]{p}
		case *int:
			dests[i] = sqlInt[int]{p}
		default:
			dests[i] = f
		}
	}
	rows, err := r.tx.QueryContext(r.ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return scanEach(rows, dests, fn)
}

// resultRows is what database/sql's and pgx's result sets have in common.
type resultRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// scanEach scans every row into dests and calls fn after each.
func scanEach(rs resultRows, dests []any, fn func() error) error {
	for rs.Next() {
		if err := rs.Scan(dests...); err != nil {
			return err
		}
		if err := fn(); err != nil {
			return err
		}
	}
	return rs.Err()
}

// sqlFloat and sqlInt scan numbers without database/sql's reflection.
type sqlFloat struct{ p *float64 }

func (s sqlFloat) Scan(src any) error {
	switch v := src.(type) {
	case float64:
		*s.p = v
	case int64:
		*s.p = float64(v)
	default:
		return fmt.Errorf("cannot scan %T into a float", src)
	}
	return nil
}

type sqlInt[T int | int64] struct{ p *T }

func (s sqlInt[T]) Scan(src any) error {
	v, ok := src.(int64)
	if !ok {
		return fmt.Errorf("cannot scan %T into an integer", src)
	}
	*s.p = T(v)
	return nil
}

// pgxReader reads through pgx (PostgreSQL).
type pgxReader struct {
	ctx context.Context
	tx  pgx.Tx
}

func (r pgxReader) each(fields []any, fn func() error, query string, args ...any) error {
	dests := make([]any, len(fields))
	for i, f := range fields {
		if p, ok := f.(*[]byte); ok {
			dests[i] = (*pgtype.DriverBytes)(p)
		} else {
			dests[i] = f
		}
	}
	rows, err := r.tx.Query(r.ctx, dollarParams(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return scanEach(rows, dests, fn)
}

// dollarParams numbers a query's ? placeholders $1, $2, … (the queries
// here have no ? inside literals).
func dollarParams(q string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		} else {
			b.WriteByte(q[i])
		}
	}
	return b.String()
}

// inList returns "(?, ?, …)" for n values.
func inList(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// readRows runs fn in a read-only transaction that sees one consistent
// state of the database: on PostgreSQL REPEATABLE READ READ ONLY (one
// snapshot for the whole transaction), on SQLite a deferred transaction,
// which reads one snapshot and, unlike the store's writes, takes no write
// lock.
func (db *DB) readRows(ctx context.Context, fn func(r rowReader) error) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	if db.dialect != Postgres {
		tx, err := sqlDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := fn(sqlReader{ctx, tx}); err != nil {
			return err
		}
		return tx.Commit()
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("PostgreSQL connection is a %T, not pgx's", dc)
		}
		tx, err := sc.Conn().BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx)) // after Commit, a no-op
		if err := fn(pgxReader{ctx, tx}); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// readCounterRow reads change_counter in r's transaction.
func readCounterRow(r rowReader) (counter, error) {
	var c counter
	n := 0
	err := r.each([]any{&c.revision, &c.prunedThrough}, func() error { n++; return nil },
		"SELECT revision, pruned_through FROM change_counter WHERE id = 1")
	if err == nil && n != 1 {
		err = fmt.Errorf("change_counter has %d rows", n)
	}
	return c, err
}

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
