package store_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

// backupTables are the tables a backup must hold, each with the columns
// that order its rows.
var backupTables = []struct{ name, order string }{
	{"organisations", "id"}, {"offers", "id"}, {"needs", "id"}, {"venues", "id"}, {"spaces", "id"},
	{"bookings", "id"}, {"booking_occurrences", "booking_id, seq"}, {"idempotency_keys", "organisation_id, idem_key"},
	{"partnerships", "id"}, {"partnership_health", "id"}, {"change_log", "revision, kind, entity_id"},
	{"goose_db_version", "id"},
}

// tableRows reads every row of table, in order, as text.
func tableRows(t *testing.T, db *store.DB, table, order string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	if err := db.Gorm().Raw("SELECT * FROM " + table + " ORDER BY " + order).Scan(&rows).Error; err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	return rows
}

// fillEveryTable writes at least one row to every table.
func fillEveryTable(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := t.Context()
	_, booker, space := bookingFixture(t, db)
	for _, err := range []error{
		db.CreateOffer(ctx, ptr(newOffer(booker.ID, "space.rehearsal"))),
		db.CreateNeed(ctx, ptr(newNeed(booker.ID, "skill.marketing"))),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	var calls atomic.Int32
	req := &matching.BookingRequest{SpaceID: space.ID, OrganisationID: booker.ID, Purpose: "rehearsals",
		Sessions: []matching.Session{sessionAt(0, 18, 20), sessionAt(1, 18, 20)}}
	if reply, _, err := db.Book(ctx, uuid.NewString(), req, &matching.Idempotency{Key: "k1", RequestHash: "h1"}, renderID(&calls)); err != nil || reply.Status != 201 {
		t.Fatalf("Book: %d %v", reply.Status, err)
	}
	pr := newPair(t, db)
	p := newPartnership(pr.proposer.ID, pr.partner.ID)
	createPartnership(t, db, &p)
	transition(t, db, p.ID, pr.as(pr.partner), matching.ActionAccept)
	addCheck(t, db, healthCheck(p.ID, pr.partner.ID, t0, 4, 4, 4, 4, 4, 4))
	for _, tb := range backupTables {
		if n := countRows(t, db, tb.name); n == 0 {
			t.Fatalf("fixture left %s empty", tb.name)
		}
	}
}

// TestBackupWhileWriting backs up a SQLite database holding rows in every
// table while another goroutine keeps writing, opens the copy as a store,
// and finds every row committed before the backup began, unchanged, and a
// consistent state: every write the copy's change log records is there.
func TestBackupWhileWriting(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	db := open(t, "sqlite:"+filepath.Join(dir, "live.db"), store.Options{})
	defer db.Close()
	fillEveryTable(t, db)
	before := map[string][]map[string]any{}
	for _, tb := range backupTables {
		before[tb.name] = tableRows(t, db, tb.name, tb.order)
	}
	revBefore, err := db.Revision(ctx)
	if err != nil {
		t.Fatal(err)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var written atomic.Int64
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			o := newOrg(fmt.Sprintf("Writer %d", i), 52.2, 0.1)
			if err := db.CreateOrganisation(ctx, &o, ""); err != nil {
				t.Errorf("write during backup: %v", err)
				return
			}
			written.Add(1)
		}
	})
	for written.Load() < 5 { // the writer is under way
	}
	path := filepath.Join(dir, "backup.db")
	err = db.Backup(store.WithoutTimeout(ctx), path)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}

	restored := open(t, "sqlite:"+path, store.Options{})
	defer restored.Close()
	for _, tb := range backupTables {
		got := tableRows(t, restored, tb.name, tb.order)
		if len(got) < len(before[tb.name]) {
			t.Errorf("%s: got %d rows, want at least the %d committed before the backup", tb.name, len(got), len(before[tb.name]))
			continue
		}
		for i, want := range before[tb.name] {
			if !reflect.DeepEqual(findRow(got, want, tb.order), want) {
				t.Errorf("%s row %d: not in the backup as it was: %v", tb.name, i, want)
			}
		}
	}
	rev, err := restored.Revision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var maxLogged int64
	if err := restored.Gorm().Raw("SELECT COALESCE(MAX(revision), 0) FROM change_log").Scan(&maxLogged).Error; err != nil {
		t.Fatal(err)
	}
	if rev < revBefore || rev != maxLogged {
		t.Errorf("backup revision: got %d with change log up to %d, want one revision, at least %d", rev, maxLogged, revBefore)
	}
	var missing int64
	err = restored.Gorm().Raw(`SELECT COUNT(*) FROM change_log l WHERE l.kind = 'organisation'
		AND NOT EXISTS (SELECT 1 FROM organisations o WHERE o.id = l.entity_id)`).Scan(&missing).Error
	if err != nil || missing != 0 {
		t.Errorf("organisations the backup's change log records but it lacks: got %d (%v), want 0", missing, err)
	}
	t.Logf("%d organisations written during the backup; the copy is at revision %d (%d before)", written.Load(), rev, revBefore)
}

// findRow returns the row of rows whose key columns (the order columns)
// equal want's, or nil.
func findRow(rows []map[string]any, want map[string]any, order string) map[string]any {
	keys := strings.Split(order, ", ")
next:
	for _, r := range rows {
		for _, k := range keys {
			if !reflect.DeepEqual(r[k], want[k]) {
				continue next
			}
		}
		return r
	}
	return nil
}

func TestBackupRefuses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dir, err := os.MkdirTemp("", "cg") // no database name in the path: see checkErr
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		path := filepath.Join(dir, "exists.db")
		if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
			t.Fatal(err)
		}
		err = db.Backup(t.Context(), path)
		if db.Dialect() == store.Postgres {
			if !errors.Is(err, matching.ErrInvalid) || !strings.Contains(err.Error(), "pg_dump") {
				t.Errorf("Backup on PostgreSQL: got %v, want ErrInvalid pointing to pg_dump", err)
			}
		} else {
			checkErr(t, "Backup onto an existing file", err, matching.ErrConflict)
		}
		if b, _ := os.ReadFile(path); string(b) != "keep me" {
			t.Errorf("existing file: got %q, want it untouched", b)
		}
	})
}
