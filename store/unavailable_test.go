package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/glebarez/go-sqlite" // the raw connection that holds the write lock
	"gorm.io/gorm"

	"commonground/matching"
	"commonground/seed"
	"commonground/store"
	"commonground/store/storetest"
)

// TestMemoryDatabaseSurvivesCancelledWrite cancels a write transaction
// on an in-memory SQLite database half way. database/sql discards the
// connection of such a transaction; the database must not go with it.
func TestMemoryDatabaseSurvivesCancelledWrite(t *testing.T) {
	db := open(t, "sqlite::memory:", store.Options{})
	defer db.Close()
	o := newOrg("Kept", 52.2, 0.1)
	createOrg(t, db, &o, "")

	ctx, cancel := context.WithCancel(t.Context())
	err := db.Gorm().WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("UPDATE organisations SET name = 'Half way'").Error; err != nil {
			return err
		}
		cancel()
		time.Sleep(50 * time.Millisecond) // database/sql rolls back and discards the connection
		return tx.Exec("UPDATE organisations SET name = 'Never'").Error
	})
	if err == nil {
		t.Fatal("cancelled transaction: got no error")
	}
	got, err := db.GetOrganisation(t.Context(), o.ID)
	if err != nil {
		t.Fatalf("GetOrganisation after a cancelled write: %v", err)
	}
	if got.Name != "Kept" {
		t.Errorf("name: got %q, want %q (the cancelled write rolled back)", got.Name, "Kept")
	}
	checkSchemaVersion(t, db)
}

// TestMemoryDatabasesAreSeparate: each in-memory store has a database of
// its own, also now that they are named shared-cache databases.
func TestMemoryDatabasesAreSeparate(t *testing.T) {
	a := open(t, "sqlite::memory:", store.Options{})
	defer a.Close()
	b := open(t, "sqlite::memory:", store.Options{})
	defer b.Close()
	o := newOrg("Only in a", 52.2, 0.1)
	createOrg(t, a, &o, "")
	checkCount(t, b, store.Counts{})
}

// checkUnavailable checks err wraps matching.ErrUnavailable and came
// within the timeout and a second.
func checkUnavailable(t *testing.T, what string, err error, took, timeout time.Duration) {
	t.Helper()
	if !errors.Is(err, matching.ErrUnavailable) {
		t.Errorf("%s: got error %v, want one wrapping ErrUnavailable", what, err)
	}
	if took > timeout+time.Second {
		t.Errorf("%s: took %s, want at most the timeout %s and a second", what, took, timeout)
	}
}

// TestSQLiteWriterWaitsAtMostTimeout: a write queued behind another
// process's write lock gives up after the timeout, as unavailable.
func TestSQLiteWriterWaitsAtMostTimeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locked.db")
	const timeout = 500 * time.Millisecond
	db := open(t, "sqlite:"+path, store.Options{Timeout: timeout})
	defer db.Close()
	if got := db.Timeout(); got != timeout {
		t.Errorf("Timeout: got %s, want %s", got, timeout)
	}

	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	o := newOrg("Waits", 52.2, 0.1)
	start := time.Now()
	err = db.CreateOrganisation(t.Context(), &o, "")
	checkUnavailable(t, "write behind a held lock", err, time.Since(start), timeout)
	checkOneTimeout(t, db, func(ctx context.Context) error {
		w := newOrg("Waits too", 52.2, 0.1)
		return db.CreateOrganisation(ctx, &w, "")
	}, timeout)
	if _, err := conn.ExecContext(t.Context(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	createOrg(t, db, &o, "")
}

// TestPostgresFrozen puts a proxy that stops forwarding between the store
// and PostgreSQL: reads, writes and pings fail as unavailable within the
// timeout and a second, and all is well once it forwards again.
func TestPostgresFrozen(t *testing.T) {
	proxy, url := storetest.PostgresProxy(t)
	const timeout = time.Second
	db := open(t, url, store.Options{Timeout: timeout})
	defer db.Close()
	o := newOrg("Before", 52.2, 0.1)
	createOrg(t, db, &o, "")

	proxy.Freeze()
	ctx := t.Context()
	for _, c := range []struct {
		name string
		do   func() error
	}{
		{"read", func() error { _, err := db.GetOrganisation(ctx, o.ID); return err }},
		{"list", func() error {
			_, err := db.ListOrganisations(ctx, matching.OrganisationFilter{Page: matching.Page{Limit: 5}})
			return err
		}},
		{"write", func() error { w := newOrg("During", 52.2, 0.1); return db.CreateOrganisation(ctx, &w, "") }},
		{"ping", func() error { return db.Ping(ctx) }},
	} {
		start := time.Now()
		err := c.do()
		checkUnavailable(t, c.name, err, time.Since(start), timeout)
	}

	checkOneTimeout(t, db, func(ctx context.Context) error { _, err := db.GetOrganisation(ctx, o.ID); return err }, timeout)

	proxy.Thaw()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := db.GetOrganisation(ctx, o.ID)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the thaw: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	after := newOrg("After", 52.2, 0.1)
	createOrg(t, db, &after, "")
}

// TestOpenUnavailable: Open against a server that accepts connections and
// never answers, or refuses them, fails as unavailable within the timeout
// and a second; a bad URL is invalid, not unavailable.
func TestOpenUnavailable(t *testing.T) {
	silent := storetest.NewProxy(t, "")
	const timeout = 500 * time.Millisecond
	for _, c := range []struct{ name, url string }{
		{"silent", "postgres://postgres@" + silent.Addr() + "/test?sslmode=disable"},
		{"refused", "postgres://postgres@127.0.0.1:1/test?sslmode=disable"},
	} {
		start := time.Now()
		_, err := store.Open(t.Context(), c.url, store.Options{Timeout: timeout})
		checkUnavailable(t, c.name, err, time.Since(start), timeout)
	}
	_, err := store.Open(t.Context(), "postgres://[::1", store.Options{Timeout: timeout})
	if !errors.Is(err, matching.ErrInvalid) || errors.Is(err, matching.ErrUnavailable) {
		t.Errorf("bad URL: got %v, want ErrInvalid only", err)
	}
}

// checkOneTimeout runs do twice under one WithinOneTimeout context while
// the database does not answer: the first waits (at most the timeout and
// a second), the second fails at once; both as unavailable.
func checkOneTimeout(t *testing.T, db *store.DB, do func(ctx context.Context) error, timeout time.Duration) {
	t.Helper()
	ctx := store.WithinOneTimeout(t.Context())
	start := time.Now()
	err := do(ctx)
	checkUnavailable(t, "first wait of a request", err, time.Since(start), timeout)
	start = time.Now()
	err = do(ctx)
	checkUnavailable(t, "second wait of a request", err, time.Since(start), timeout)
	if took := time.Since(start); took > 100*time.Millisecond {
		t.Errorf("second wait of a request: took %s, want it to fail at once", took)
	}
}

// TestFollowerQueueFrozen: writers queued for a catch-up behind one that
// waits on a silent database give up within the timeout and a second,
// rather than one timeout after another.
func TestFollowerQueueFrozen(t *testing.T) {
	proxy, url := storetest.PostgresProxy(t)
	const timeout = time.Second
	db := open(t, url, store.Options{Timeout: timeout})
	defer db.Close()
	f := &store.Follower{DB: db, Engine: matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})}
	if err := f.Load(t.Context()); err != nil {
		t.Fatal(err)
	}
	o := newOrg("Written", 52.2, 0.1)
	createOrg(t, db, &o, "")

	proxy.Freeze()
	defer proxy.Thaw()
	const writers = 3
	errs := make(chan error, writers)
	start := time.Now()
	for range writers {
		go func() { errs <- f.CatchUp(t.Context()) }()
	}
	for range writers {
		err := <-errs
		checkUnavailable(t, "queued catch-up", err, time.Since(start), timeout)
	}
}
