// Package storetest opens real databases for tests: a SQLite database file
// always, and PostgreSQL when TEST_DATABASE_URL is set, each test in a
// database (a file, or a schema) of its own that goes when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
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
//
// A SQLite store is a file in t.TempDir(), copied from one migrated once
// per test process (see sqliteTemplate): migrating a new database runs
// hundreds of DDL statements, which the race detector makes take over a
// second each time.
func Open(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	u := URL(t, d)
	if d == store.SQLite {
		u = "sqlite:" + sqliteCopy(t)
	}
	db, err := store.Open(context.Background(), u, store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open %s store: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var template struct {
	once  sync.Once
	bytes []byte
	err   error
}

// sqliteTemplate returns the bytes of an empty SQLite database file that
// Open has migrated, made once per process.
func sqliteTemplate() ([]byte, error) {
	template.once.Do(func() {
		dir, err := os.MkdirTemp("", "cg-template-")
		if err != nil {
			template.err = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "template.db")
		db, err := store.Open(context.Background(), "sqlite:"+path, store.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			template.err = err
			return
		}
		// Closing checkpoints the write-ahead log into the file.
		if template.err = db.Close(); template.err == nil {
			template.bytes, template.err = os.ReadFile(path)
		}
	})
	return template.bytes, template.err
}

// sqliteCopy writes the template into t.TempDir() and returns the copy's
// path.
func sqliteCopy(t testing.TB) string {
	t.Helper()
	b, err := sqliteTemplate()
	if err != nil {
		t.Fatalf("migrate the SQLite template: %v", err)
	}
	dst := filepath.Join(t.TempDir(), "store.db")
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatalf("copy the SQLite template: %v", err)
	}
	return dst
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
	s, err := NewSchema(base, "cgtest_")
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	t.Cleanup(func() { s.Drop() })
	return s.URL
}

// Schema is an empty PostgreSQL schema made by NewSchema, and the
// connection that drops it.
type Schema struct {
	Name  string // the prefix given to NewSchema and 12 random hex digits
	URL   string // the base URL with search_path set to the schema
	admin *gorm.DB
}

// NewSchema creates a new, empty schema in the PostgreSQL database at
// baseURL, named prefix (lower-case letters, digits and underscores, as it
// is used in SQL unquoted) and random hex digits, and returns it; call Drop
// (or Close, to keep it) when done. Two stores opened on its URL share its
// data. Tools that need a throwaway database outside tests use it too.
//
// The btree_gist extension, which the bookings' exclusion constraint
// needs, is installed in public first, once, under an advisory lock:
// extensions belong to one schema, so dropping this one never drops it
// from under another, and the lock serialises processes that start
// together. It returns an error if baseURL cannot be parsed or connected
// to, or the extension or schema cannot be created.
func NewSchema(baseURL, prefix string) (*Schema, error) {
	parsed, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("parse the database URL: %w", err)
	}
	buf := make([]byte, 6)
	rand.Read(buf)
	name := prefix + hex.EncodeToString(buf)
	admin, err := gorm.Open(postgres.Open(baseURL), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	s := &Schema{Name: name, admin: admin}
	err = admin.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", extensionLockKey).Error; err != nil {
			return err
		}
		return tx.Exec("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public").Error
	})
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("create extension btree_gist: %w", err)
	}
	if err := admin.Exec("CREATE SCHEMA " + name).Error; err != nil {
		s.Close()
		return nil, fmt.Errorf("create schema: %w", err)
	}
	q := parsed.Query()
	q.Set("search_path", name)
	parsed.RawQuery = q.Encode()
	s.URL = parsed.String()
	return s, nil
}

// Drop drops the schema with everything in it, and closes the connection.
func (s *Schema) Drop() error {
	err := s.admin.Exec("DROP SCHEMA " + s.Name + " CASCADE").Error
	return errors.Join(err, s.Close())
}

// Close closes the connection and keeps the schema.
func (s *Schema) Close() error {
	sqlDB, err := s.admin.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
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
