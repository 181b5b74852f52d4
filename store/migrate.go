package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"

	"commonground/store/migrations"
)

// versionTable is where goose records the applied migrations.
const versionTable = goose.DefaultTablename

// legacyVersionTable is where the runner this store had before goose
// recorded them (version, name, applied_at); see adoptLegacyVersions.
const legacyVersionTable = "schema_migrations"

// migrationLockKey is the PostgreSQL advisory lock that serialises
// migrations when several replicas start at once.
const migrationLockKey = 0x636f6d6d6f6e // "common"

// migrator runs the schema history of package migrations on one database.
type migrator struct {
	db       *sql.DB
	provider *goose.Provider
	versions database.Store
	dialect  Dialect
}

func newMigrator(sqlDB *sql.DB, d Dialect) (*migrator, error) {
	fsys, err := migrations.FS(string(d))
	if err != nil {
		return nil, err
	}
	gd := database.DialectSQLite3
	if d == Postgres {
		gd = database.DialectPostgres
	}
	versions, err := database.NewStore(gd, versionTable)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithStore(versions), goose.WithDisableGlobalRegistry(true)}
	if d == Postgres {
		opts = append(opts, goose.WithSessionLocker(pgSessionLock{}))
	}
	p, err := goose.NewProvider(goose.DialectCustom, sqlDB, fsys, opts...)
	if err != nil {
		return nil, err
	}
	return &migrator{db: sqlDB, provider: p, versions: versions, dialect: d}, nil
}

// pgSessionLock is the lock goose holds, on PostgreSQL, while it checks
// and applies migrations, so that of replicas starting together one
// migrates and the others wait, then find nothing to do. Unlike goose's
// own lock.NewPostgresSessionLocker, which polls pg_try_advisory_lock at
// intervals of a second or more, it waits in pg_advisory_lock and so takes
// the lock the moment it is free; the wait ends only with ctx.
type pgSessionLock struct{}

var _ lock.SessionLocker = pgSessionLock{}

func (pgSessionLock) SessionLock(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey)
	return err
}

func (pgSessionLock) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	var released bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_advisory_unlock($1)", migrationLockKey).Scan(&released); err != nil {
		return err
	}
	if !released {
		return errors.New("the migration lock was not held")
	}
	return nil
}

func (db *DB) migrator() (*migrator, error) {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return nil, err
	}
	return newMigrator(sqlDB, db.dialect)
}

// migrate brings the schema up to date: it adopts the versions an older
// build recorded (adoptLegacyVersions), then has goose apply, in order and
// each in its own transaction, every migration not yet recorded.
//
// On PostgreSQL goose holds an advisory lock (migrationLockKey) while it
// checks and applies, so replicas starting together migrate once. SQLite
// has no such lock: two stores opening one file at once can both find a
// step missing; their transactions run one at a time (they begin
// IMMEDIATE), so the second fails on what the first created and rolls
// back. migrate then sees that step recorded and carries on from there, so
// both Opens succeed and each step runs once.
func (db *DB) migrate(ctx context.Context) error {
	m, err := db.migrator()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := m.adoptLegacyVersions(ctx); err != nil {
		return fmt.Errorf("adopt the versions in %s: %w", legacyVersionTable, err)
	}
	// Each retry follows a step another store applied, so there are at
	// most as many as steps.
	for retries := len(m.provider.ListSources()); ; retries-- {
		results, err := m.provider.Up(ctx)
		var partial *goose.PartialError
		if errors.As(err, &partial) {
			results = partial.Applied
		}
		for _, r := range results {
			db.log.Info("applied migration", "version", r.Source.Version, "name", migrationName(r.Source))
		}
		if err == nil {
			return nil
		}
		if partial != nil && retries > 0 {
			v, verr := m.provider.GetDBVersion(ctx)
			if verr == nil && v >= partial.Failed.Source.Version {
				continue
			}
		}
		if partial != nil {
			return fmt.Errorf("migration %d (%s): %w", partial.Failed.Source.Version, migrationName(partial.Failed.Source), partial.Err)
		}
		return fmt.Errorf("migrate: %w", err)
	}
}

// migrationName is a migration's file name without its version and
// extension: "initial_schema".
func migrationName(s *goose.Source) string {
	name := strings.TrimSuffix(path.Base(s.Path), ".sql")
	if _, rest, ok := strings.Cut(name, "_"); ok {
		return rest
	}
	return name
}

// adoptLegacyVersions carries a database migrated by the runner this store
// had before goose over to goose: if schema_migrations exists and goose's
// table does not, it creates goose's table and records in it every version
// schema_migrations holds, in one transaction under the migration lock, so
// goose then applies only the steps that runner had not. The migrations
// are the same steps under the same versions (their SQL is what that
// runner ran), so an adopted database has exactly the schema of a new one.
//
// schema_migrations is kept, not dropped: it still says when each step was
// first applied, and it lets the previous release start again on the
// database if a deployment is rolled back (it finds its steps applied).
// A later migration can drop it once no database can be older.
//
// It returns an error, changing nothing, if schema_migrations holds a
// version this build has no migration for.
func (m *migrator) adoptLegacyVersions(ctx context.Context) error {
	tx, err := m.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if m.dialect == Postgres {
		// The key of pgSessionLock: a replica adopting and one migrating
		// wait for each other.
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLockKey); err != nil {
			return err
		}
	}
	legacy, err := m.tableExists(ctx, tx, legacyVersionTable)
	if err != nil || !legacy {
		return err
	}
	adopted, err := m.tableExists(ctx, tx, versionTable)
	if err != nil || adopted {
		return err
	}
	rows, err := tx.QueryContext(ctx, "SELECT version FROM "+legacyVersionTable+" ORDER BY version")
	if err != nil {
		return err
	}
	var versions []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		versions = append(versions, v)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	known := make(map[int64]bool)
	for _, s := range m.provider.ListSources() {
		known[s.Version] = true
	}
	for _, v := range versions {
		if !known[v] {
			return fmt.Errorf("version %d has no migration in this build", v)
		}
	}
	if err := m.versions.CreateVersionTable(ctx, tx); err != nil {
		return err
	}
	// goose's table starts with version 0, as goose itself writes it.
	for _, v := range append([]int64{0}, versions...) {
		if err := m.versions.Insert(ctx, tx, database.InsertRequest{Version: v}); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// tableExists says whether the current schema (PostgreSQL) or the main
// database (SQLite) has a table of this name.
func (m *migrator) tableExists(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	q := "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)"
	if m.dialect == Postgres {
		q = "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1)"
	}
	var ok bool
	err := tx.QueryRowContext(ctx, q, name).Scan(&ok)
	return ok, err
}

// SchemaVersion returns the newest applied migration.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	m, err := db.migrator()
	if err != nil {
		return 0, err
	}
	v, err := m.provider.GetDBVersion(ctx)
	return int(v), err
}
