package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"gorm.io/gorm"
)

// The job queue is github.com/riverqueue/river, in the store's own
// database: its tables (river_job and the rest, made by River's own
// migrations, which Open runs after the schema's) live beside the
// schema's, so a job can be inserted in the transaction of the change that
// calls for it, and is never lost after a commit nor left behind by a
// rollback. The store only inserts jobs; package delivery works them with
// a River client of its own on JobDriver.

// EventJob asks for an event's deliveries (email and webhooks) to be made:
// one is inserted with every event, in the event's transaction.
type EventJob struct {
	EventID string `json:"event_id"`
}

// Kind is the job's kind in river_job.
func (EventJob) Kind() string { return "event.deliver" }

// JobDriver is the River driver on the store's database, for a client
// that works the store's jobs.
func (db *DB) JobDriver() riverdriver.Driver[*sql.Tx] {
	return db.jobDriver
}

// newJobDriver makes the River driver for sqlDB.
func newJobDriver(sqlDB *sql.DB, d Dialect) riverdriver.Driver[*sql.Tx] {
	if d == SQLite {
		return riversqlite.New(sqlDB)
	}
	return riverdatabasesql.New(sqlDB)
}

// migrateJobs brings River's tables up to date. On PostgreSQL it holds
// the migration lock meanwhile, so replicas starting together migrate
// once; on SQLite a second store opening the file at once may fail on
// what the first made, and tries again.
func (db *DB) migrateJobs(ctx context.Context, sqlDB *sql.DB) error {
	m, err := rivermigrate.New(db.jobDriver, nil)
	if err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	if db.dialect == Postgres {
		conn, err := sqlDB.Conn(ctx)
		if err != nil {
			return fmt.Errorf("job queue migrations: %w", unavailable(err, ctx, nil))
		}
		defer conn.Close()
		if err := (pgSessionLock{}).SessionLock(ctx, conn); err != nil {
			return fmt.Errorf("job queue migrations: %w", unavailable(err, ctx, nil))
		}
		defer (pgSessionLock{}).SessionUnlock(context.WithoutCancel(ctx), conn)
	}
	for attempt := 1; ; attempt++ {
		res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		if err == nil {
			for _, v := range res.Versions {
				db.log.Info("applied job queue migration", "version", v.Version, "name", v.Name)
			}
			return nil
		}
		if attempt == 3 || ctx.Err() != nil {
			return fmt.Errorf("job queue migrations: %w", err)
		}
	}
}

// newJobInserter makes the insert-only River client the store adds jobs
// with.
func newJobInserter(d riverdriver.Driver[*sql.Tx]) (*river.Client[*sql.Tx], error) {
	return river.NewClient(d, &river.Config{})
}

// enqueue inserts jobs in tx, the transaction of a write (see write).
func (db *DB) enqueue(tx *gorm.DB, jobs ...river.JobArgs) error {
	if len(jobs) == 0 {
		return nil
	}
	btx, ok := tx.Statement.ConnPool.(*boundedTx)
	if !ok {
		return errors.New("enqueue: not in a store transaction")
	}
	params := make([]river.InsertManyParams, len(jobs))
	for i, j := range jobs {
		params[i] = river.InsertManyParams{Args: j}
	}
	// Bounded as every statement of the store is, and its failure said
	// as theirs are (see boundedTx).
	ctx := tx.Statement.Context
	sctx, cancel := bound(ctx, db.timeout)
	defer cancel()
	_, err := db.jobs.InsertManyTx(sctx, btx.tx, params)
	return unavailable(unavailable(err, ctx, sctx), btx.parent, btx.ctx)
}
