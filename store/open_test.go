package store_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

// recorder is a slog.Handler that keeps the messages logged through it.
type recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Message)
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

func (r *recorder) count(msg string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.msgs {
		if m == msg {
			n++
		}
	}
	return n
}

func open(t *testing.T, url string, opts store.Options) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), url, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return db
}

func checkSchemaVersion(t *testing.T, db *store.DB) {
	t.Helper()
	v, err := db.SchemaVersion(t.Context())
	if err != nil {
		t.Fatalf("SchemaVersion: %v", err)
	}
	if v != store.LastMigration {
		t.Errorf("SchemaVersion: got %d, want %d", v, store.LastMigration)
	}
}

func TestOpenMigrates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		checkSchemaVersion(t, db)
		checkCount(t, db, store.Counts{})
		var n int64
		if err := db.Gorm().Raw("SELECT COUNT(*) FROM goose_db_version WHERE version_id > 0").Scan(&n).Error; err != nil {
			t.Fatalf("count goose_db_version: %v", err)
		}
		if n != int64(store.NumMigrations) {
			t.Errorf("goose_db_version rows: got %d, want %d", n, store.NumMigrations)
		}
	})
}

func TestDialect(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		want := store.Dialect(strings.TrimPrefix(t.Name(), "TestDialect/"))
		if got := db.Dialect(); got != want {
			t.Errorf("Dialect: got %q, want %q", got, want)
		}
		if err := db.Ping(t.Context()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
}

// TestReopen opens a store, writes to it, closes it and opens the same
// database again: the second Open applies no migration and the data is
// still there (a restart).
func TestReopen(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.SharedURL(t, d)
			first := &recorder{}
			db := open(t, url, store.Options{Logger: slog.New(first)})
			if got, want := first.count("applied migration"), store.NumMigrations; got != want {
				t.Errorf("first Open: got %d migrations applied, want %d", got, want)
			}
			o := newOrg("Rambert Cambridge", 52.2053, 0.1218)
			o.Offers = []matching.Offer{newOffer(o.ID, "skill.dance-teaching")}
			o.Needs = []matching.Need{newNeed(o.ID, "space.dance-studio")}
			createOrg(t, db, &o, "hash-of-token")
			v := newVenue(o.ID, "Mill Road Hall", 52.1986, 0.1400)
			createVenue(t, db, &v)
			s := newSpace(v.ID, "Studio 1")
			createSpace(t, db, &s)
			if err := db.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}

			second := &recorder{}
			db = open(t, url, store.Options{Logger: slog.New(second)})
			defer db.Close()
			if got := second.count("applied migration"); got != 0 {
				t.Errorf("second Open: got %d migrations applied, want 0", got)
			}
			checkSchemaVersion(t, db)
			checkCount(t, db, store.Counts{Organisations: 1, Offers: 1, Needs: 1, Venues: 1, Spaces: 1, APIKeys: 1})
			got, err := db.GetOrganisation(t.Context(), o.ID)
			if err != nil {
				t.Fatalf("GetOrganisation after reopen: %v", err)
			}
			checkOrganisation(t, got, &o)
			gotSpace, err := db.GetSpace(t.Context(), s.ID)
			if err != nil {
				t.Fatalf("GetSpace after reopen: %v", err)
			}
			checkSpace(t, gotSpace, &s)
			id, err := db.OrganisationIDByTokenHash(t.Context(), "hash-of-token")
			if err != nil || id != o.ID {
				t.Errorf("OrganisationIDByTokenHash after reopen: got %q, %v, want %q, nil", id, err, o.ID)
			}
		})
	}
}

// TestOpenTwice keeps two stores open on one database at once, as two
// replicas would: each sees what the other writes.
func TestOpenTwice(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.SharedURL(t, d)
			a := open(t, url, store.Options{})
			defer a.Close()
			rec := &recorder{}
			b := open(t, url, store.Options{Logger: slog.New(rec)})
			defer b.Close()
			if got := rec.count("applied migration"); got != 0 {
				t.Errorf("second Open: got %d migrations applied, want 0", got)
			}
			checkSchemaVersion(t, b)
			o := newOrg("Written by A", 52.2, 0.12)
			createOrg(t, a, &o, "")
			got, err := b.GetOrganisation(t.Context(), o.ID)
			if err != nil {
				t.Fatalf("GetOrganisation through the second store: %v", err)
			}
			checkOrganisation(t, got, &o)
		})
	}
}

// TestOpenOneConnection opens PostgreSQL asking for a pool of one
// connection, as a single-connection benchmark does: the job queue's
// migrations hold a connection for their lock while they run on another,
// so the pool keeps two and Open returns.
func TestOpenOneConnection(t *testing.T) {
	url := storetest.SharedURL(t, store.Postgres)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, url, store.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatalf("Open with one connection: %v", err)
	}
	defer db.Close()
	checkSchemaVersion(t, db)
}

// TestOpenConcurrently starts several stores on one database at the same
// moment, as replicas starting together do: each must succeed and the
// migrations must be applied exactly once.
func TestOpenConcurrently(t *testing.T) {
	const n = 4
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.SharedURL(t, d)
			rec := &recorder{}
			wantApplied := store.NumMigrations
			if d == store.SQLite {
				// Only one process serves a SQLite file. Connections racing
				// to switch a brand-new file to WAL can get SQLITE_BUSY
				// without waiting, so the file is created first; the
				// concurrent Opens then check and skip the migrations.
				open(t, url, store.Options{}).Close()
				wantApplied = 0
			}
			var wg sync.WaitGroup
			errs := make([]error, n)
			dbs := make([]*store.DB, n)
			for i := range n {
				wg.Go(func() {
					dbs[i], errs[i] = store.Open(t.Context(), url, store.Options{Logger: slog.New(rec)})
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("Open %d: %v", i, err)
					continue
				}
				defer dbs[i].Close()
				checkSchemaVersion(t, dbs[i])
			}
			if got := rec.count("applied migration"); got != wantApplied {
				t.Errorf("migrations applied: got %d, want %d", got, wantApplied)
			}
		})
	}
}

func TestOpenBadURL(t *testing.T) {
	tests := []struct {
		name, url string
	}{
		{"empty", ""},
		{"unknown scheme", "mysql://x"},
		{"sqlite without a path", "sqlite:"},
		{"postgres bad escape", "postgres://%zz"},
		{"postgresql bad escape", "postgresql://%zz"},
		{"postgres bad port", "postgres://localhost:notaport/db"},
		{"no scheme", "commonground.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			db, err := store.Open(ctx, tt.url, store.Options{})
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q): got nil error, want one wrapping ErrInvalid", tt.url)
			}
			if !errors.Is(err, matching.ErrInvalid) {
				t.Errorf("Open(%q): got %v, want an error wrapping ErrInvalid", tt.url, err)
			}
		})
	}
}
