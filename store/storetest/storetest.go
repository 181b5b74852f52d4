// Package storetest opens real databases for tests: an in-memory SQLite
// database always, and PostgreSQL when TEST_DATABASE_URL is set, each test
// in a schema of its own that is dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"commonground/store"
)

// EnvURL names the environment variable holding the PostgreSQL URL tests use.
const EnvURL = "TEST_DATABASE_URL"

// extensionLockKey is the advisory lock held while installing extensions.
const extensionLockKey = 0x6367657874 // "cgext"

// Dialects lists the databases tests run on.
var Dialects = []store.Dialect{store.SQLite, store.Postgres}

// Each runs fn as a subtest on every database: "sqlite" always, "postgres"
// when TEST_DATABASE_URL is set (otherwise that subtest is skipped with a
// message).
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh, migrated store on the given database, closed and
// dropped when t ends. For PostgreSQL it skips t when TEST_DATABASE_URL is
// unset.
func Open(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	u := URL(t, d)
	db, err := store.Open(context.Background(), u, store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open %s store: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// URL returns a DATABASE_URL for a fresh, empty database of the given
// kind: an in-memory SQLite database, or a new PostgreSQL schema that is
// dropped when t ends. Two stores opened on the same PostgreSQL URL share
// its data; use a file in t.TempDir() to share a SQLite database.
func URL(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return "sqlite::memory:"
	}
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s (for example postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", EnvURL)
	}
	buf := make([]byte, 6)
	rand.Read(buf)
	schema := "cgtest_" + hex.EncodeToString(buf)
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvURL, err)
	}
	// Extensions belong to one schema: install btree_gist (the bookings'
	// exclusion constraint needs it) in public, once, so that dropping a
	// test's schema never drops it from under another test. The lock
	// serialises test packages that start together.
	err = admin.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", extensionLockKey).Error; err != nil {
			return err
		}
		return tx.Exec("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public").Error
	})
	if err != nil {
		t.Fatalf("create extension btree_gist: %v", err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if sqlDB, err := admin.DB(); err == nil {
			sqlDB.Close()
		}
	})
	parsed, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvURL, err)
	}
	q := parsed.Query()
	q.Set("search_path", schema)
	parsed.RawQuery = q.Encode()
	return parsed.String()
}

// SharedURL returns a URL two stores can open and see the same data
// through: a SQLite file in t.TempDir, or a fresh PostgreSQL schema
// (skipping t without TEST_DATABASE_URL).
func SharedURL(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "commonground.db")
	}
	return URL(t, d)
}
