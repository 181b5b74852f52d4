package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// migration is one step of the schema history. The history is shared by
// both databases: each step is written once, with portable type names that
// sqlType maps to each dialect, and is applied in its own transaction.
type migration struct {
	version int
	name    string
	// up returns the statements for a dialect.
	up func(d Dialect) []string
}

// migrations is the schema history, oldest first. Never edit an applied
// step; append a new one.
var migrations = []migration{
	{1, "initial schema", func(d Dialect) []string { return ddl(d, schemaV1) }},
	{2, "change revision and change log", func(d Dialect) []string { return ddl(d, schemaV2) }},
	{3, "bookings and idempotency keys", bookingSchema},
	{4, "partnerships and health checks", func(d Dialect) []string { return ddl(d, schemaV4) }},
}

// schemaV1 uses placeholder types: {TS} timestamp, {F} double, {B} boolean.
var schemaV1 = []string{
	`CREATE TABLE organisations (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL,
		type TEXT NOT NULL,
		description TEXT NOT NULL DEFAULT '',
		website TEXT NOT NULL DEFAULT '',
		email TEXT NOT NULL DEFAULT '',
		phone TEXT NOT NULL DEFAULT '',
		lat {F} NOT NULL,
		lon {F} NOT NULL,
		service_radius_km {F} NOT NULL DEFAULT 0,
		values_list TEXT NOT NULL DEFAULT '[]',
		practices TEXT NOT NULL DEFAULT '[]',
		exclusions TEXT NOT NULL DEFAULT '[]',
		capacity_hours_per_month INTEGER NOT NULL DEFAULT 0,
		token_hash TEXT UNIQUE,
		created_at {TS} NOT NULL,
		updated_at {TS} NOT NULL
	)`,
	`CREATE INDEX organisations_lat_lon ON organisations (lat, lon)`,
	`CREATE TABLE offers (
		id TEXT PRIMARY KEY,
		organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
		category TEXT NOT NULL,
		description TEXT NOT NULL DEFAULT '',
		hours_per_month INTEGER NOT NULL DEFAULT 0,
		created_at {TS} NOT NULL
	)`,
	`CREATE INDEX offers_organisation ON offers (organisation_id)`,
	`CREATE INDEX offers_category ON offers (category)`,
	`CREATE TABLE needs (
		id TEXT PRIMARY KEY,
		organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
		category TEXT NOT NULL,
		description TEXT NOT NULL DEFAULT '',
		hours_per_month INTEGER NOT NULL DEFAULT 0,
		created_at {TS} NOT NULL
	)`,
	`CREATE INDEX needs_organisation ON needs (organisation_id)`,
	`CREATE INDEX needs_category ON needs (category)`,
	`CREATE TABLE venues (
		id TEXT PRIMARY KEY,
		organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
		name TEXT NOT NULL,
		address TEXT NOT NULL DEFAULT '',
		postcode TEXT NOT NULL DEFAULT '',
		lat {F} NOT NULL,
		lon {F} NOT NULL,
		timezone TEXT NOT NULL,
		step_free {B} NOT NULL DEFAULT FALSE,
		accessible_toilet {B} NOT NULL DEFAULT FALSE,
		hearing_loop {B} NOT NULL DEFAULT FALSE,
		parking {B} NOT NULL DEFAULT FALSE,
		created_at {TS} NOT NULL,
		updated_at {TS} NOT NULL
	)`,
	`CREATE INDEX venues_lat_lon ON venues (lat, lon)`,
	`CREATE INDEX venues_organisation ON venues (organisation_id)`,
	`CREATE TABLE spaces (
		id TEXT PRIMARY KEY,
		venue_id TEXT NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
		organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
		lat {F} NOT NULL,
		lon {F} NOT NULL,
		name TEXT NOT NULL,
		kind TEXT NOT NULL,
		capacity INTEGER NOT NULL,
		floor_area_m2 {F} NOT NULL,
		ceiling_height_m {F} NOT NULL DEFAULT 0,
		floor TEXT NOT NULL,
		mirrors {B} NOT NULL DEFAULT FALSE,
		barres {B} NOT NULL DEFAULT FALSE,
		sound_system {B} NOT NULL DEFAULT FALSE,
		changing_rooms {B} NOT NULL DEFAULT FALSE,
		climate_control {B} NOT NULL DEFAULT FALSE,
		obstructions {B} NOT NULL DEFAULT FALSE,
		prohibited_activities TEXT NOT NULL DEFAULT '[]',
		instant_book {B} NOT NULL DEFAULT FALSE,
		prices TEXT NOT NULL DEFAULT '[]',
		opening_hours TEXT NOT NULL DEFAULT '[]',
		closures TEXT NOT NULL DEFAULT '[]',
		fit_to_dance INTEGER NOT NULL,
		created_at {TS} NOT NULL,
		updated_at {TS} NOT NULL
	)`,
	`CREATE INDEX spaces_lat_lon ON spaces (lat, lon)`,
	`CREATE INDEX spaces_venue ON spaces (venue_id)`,
	`CREATE INDEX spaces_organisation ON spaces (organisation_id)`,
}

// schemaV2 adds the change revision and the change log that read models
// follow (see changes.go). change_counter has exactly one row; its
// pruned_through is the newest revision PruneChanges has removed from
// change_log.
var schemaV2 = []string{
	`CREATE TABLE change_counter (
		id INTEGER PRIMARY KEY CHECK (id = 1),
		revision BIGINT NOT NULL,
		pruned_through BIGINT NOT NULL DEFAULT 0
	)`,
	`INSERT INTO change_counter (id, revision, pruned_through) VALUES (1, 0, 0)`,
	`CREATE TABLE change_log (
		revision BIGINT NOT NULL,
		kind TEXT NOT NULL CHECK (kind IN ('organisation', 'venue', 'space', 'bulk')),
		entity_id TEXT NOT NULL,
		changed_at {TS} NOT NULL
	)`,
	`CREATE INDEX change_log_revision ON change_log (revision)`,
}

func ddl(d Dialect, stmts []string) []string {
	r := strings.NewReplacer("{TS}", sqlType(d, "TS"), "{F}", sqlType(d, "F"), "{B}", sqlType(d, "B"))
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = r.Replace(s)
	}
	return out
}

func sqlType(d Dialect, t string) string {
	switch d + ":" + Dialect(t) {
	case "postgres:TS":
		return "TIMESTAMPTZ"
	case "sqlite:TS":
		return "DATETIME"
	case "postgres:F":
		return "DOUBLE PRECISION"
	case "sqlite:F":
		return "REAL"
	}
	return "BOOLEAN"
}

// migrationLockKey is the PostgreSQL advisory lock that serialises
// migrations when several replicas start at once.
const migrationLockKey = 0x636f6d6d6f6e // "common"

type schemaMigration struct {
	Version   int    `gorm:"primaryKey;autoIncrement:false"`
	Name      string `gorm:"not null"`
	AppliedAt string `gorm:"not null"`
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// migrate applies every migration the database has not seen, each in its
// own transaction, recording it in schema_migrations.
func (db *DB) migrate(ctx context.Context) error {
	g := db.gorm.WithContext(ctx)
	// Under the lock too: on PostgreSQL two concurrent CREATE TABLE IF NOT
	// EXISTS can both miss the table and one then fails on pg_type.
	err := g.Transaction(func(tx *gorm.DB) error {
		if err := db.lockMigrations(tx); err != nil {
			return err
		}
		return tx.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`).Error
	})
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range migrations {
		err := g.Transaction(func(tx *gorm.DB) error {
			if err := db.lockMigrations(tx); err != nil {
				return err
			}
			var n int64
			if err := tx.Model(&schemaMigration{}).Where("version = ?", m.version).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range m.up(db.dialect) {
				if err := tx.Exec(stmt).Error; err != nil {
					return err
				}
			}
			db.log.Info("applied migration", "version", m.version, "name", m.name)
			return tx.Create(&schemaMigration{Version: m.version, Name: m.name, AppliedAt: db.now().UTC().Format("2006-01-02T15:04:05Z")}).Error
		})
		if err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

// lockMigrations takes, on PostgreSQL, the advisory lock that serialises
// migrations until tx ends. SQLite needs none: its transactions begin
// IMMEDIATE, so writers already queue.
func (db *DB) lockMigrations(tx *gorm.DB) error {
	if db.dialect != Postgres {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(?)", migrationLockKey).Error
}

// SchemaVersion returns the newest applied migration.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v *int
	err := db.gorm.WithContext(ctx).Model(&schemaMigration{}).Select("MAX(version)").Scan(&v).Error
	if err != nil || v == nil {
		return 0, err
	}
	return *v, nil
}
