package store

import (
	"context"
	"fmt"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// OpenAtVersion connects to rawURL as Open does but applies the migrations
// up to version only (none for 0), for tests of upgrades. The caller
// closes the returned handle.
func OpenAtVersion(ctx context.Context, rawURL string, version int64) (*gorm.DB, error) {
	t, err := openTarget(rawURL, DefaultTimeout)
	if err != nil {
		return nil, err
	}
	d := t.dialect
	var dialector gorm.Dialector = postgres.New(postgres.Config{Conn: t.db})
	if d == SQLite {
		dialector = &sqlite.Dialector{Conn: t.db}
	}
	g, err := gorm.Open(dialector, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, err
	}
	if version == 0 {
		return g, nil
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	m, err := newMigrator(sqlDB, d)
	if err != nil {
		return nil, err
	}
	if _, err := m.provider.UpTo(ctx, version); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return g, nil
}

// LegacySteps is how many steps the runner before goose had: the later
// ones were only ever run by goose.
const LegacySteps = 4

// legacyNames are the names the runner before goose gave its steps.
var legacyNames = map[int64]string{
	1: "initial schema",
	2: "change revision and change log",
	3: "bookings and idempotency keys",
	4: "partnerships and health checks",
}

// MakeLegacy turns the history of a database that OpenAtVersion migrated
// to version into what the runner before goose left after applying the
// same steps: its schema_migrations table, created by its statement, with
// a row per step, and no goose_db_version.
func MakeLegacy(ctx context.Context, g *gorm.DB, version int64) error {
	return g.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("DROP TABLE IF EXISTS " + versionTable).Error; err != nil {
			return err
		}
		err := tx.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`).Error
		if err != nil {
			return err
		}
		for v := int64(1); v <= version; v++ {
			name, ok := legacyNames[v]
			if !ok {
				return fmt.Errorf("the runner before goose had no step %d", v)
			}
			err := tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				v, name, fmt.Sprintf("2026-0%d-01T12:00:00Z", v)).Error
			if err != nil {
				return err
			}
		}
		return nil
	})
}
