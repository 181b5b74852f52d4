package store_test

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"commonground/geo"
	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

// upgradeFixture is one row or more of every table, written through the
// store at the latest version into a scratch database. The upgrade tests
// copy into an older database what its version has room for, upgrade it,
// and read it back.
type upgradeFixture struct {
	src         *store.DB
	owner       matching.Organisation
	booker      matching.Organisation
	venue       matching.Venue
	space       matching.Space
	bookingID   string
	bookingReq  *matching.BookingRequest
	idemKey     string
	idemHash    string
	replyBody   string
	partnership matching.Partnership
	check       matching.HealthCheck
}

func writeUpgradeFixture(t *testing.T, d store.Dialect) *upgradeFixture {
	t.Helper()
	ctx := t.Context()
	f := &upgradeFixture{src: storetest.Open(t, d)}
	db := f.src
	f.owner = newOrg("Rambert Cambridge", 52.2053, 0.1218)
	f.owner.Offers = []matching.Offer{newOffer(f.owner.ID, "skill.dance-teaching")}
	f.owner.Needs = []matching.Need{newNeed(f.owner.ID, "space.dance-studio")}
	createOrg(t, db, &f.owner, "hash-of-owner-token")
	f.booker = newOrg("Arbury Youth Service", 52.22, 0.12)
	createOrg(t, db, &f.booker, "")
	f.venue = newVenue(f.owner.ID, "Mill Road Hall", 52.1986, 0.1400)
	createVenue(t, db, &f.venue)
	f.space = newSpace(f.venue.ID, "Studio 1")
	f.space.Kind = matching.KindOutdoor // indoor false from step 6 on
	createSpace(t, db, &f.space)

	f.bookingID, f.idemKey, f.idemHash = uuid.NewString(), "upgrade-1", "hash-upgrade-1"
	f.bookingReq = &matching.BookingRequest{SpaceID: f.space.ID, OrganisationID: f.booker.ID, Purpose: "rehearsals",
		Sessions: []matching.Session{sessionAt(0, 18, 20), sessionAt(1, 18, 20), sessionAt(2, 18, 20)}}
	reply, _, err := db.Book(ctx, f.bookingID, f.bookingReq, &matching.Idempotency{Key: f.idemKey, RequestHash: f.idemHash}, renderID(new(atomic.Int32)))
	if err != nil || reply.Status != 201 {
		t.Fatalf("Book: got %d, %v, want 201, nil", reply.Status, err)
	}
	f.replyBody = string(reply.Body)

	f.partnership = newPartnership(f.owner.ID, f.booker.ID)
	createPartnership(t, db, &f.partnership)
	transition(t, db, f.partnership.ID, matching.Actor{OrganisationID: f.booker.ID}, matching.ActionAccept)
	f.check = addCheck(t, db, healthCheck(f.partnership.ID, f.booker.ID, t0.Add(time.Hour), 4, 5, 3, 4, 5, 2))
	if _, err := db.ImportPostcodes(ctx, []geo.Place{postcode("CB1 2LJ", 52.1986, 0.1400)}); err != nil {
		t.Fatalf("ImportPostcodes: %v", err)
	}
	return f
}

// upgradeTables lists every table the migrations make, parents first.
var upgradeTables = []string{
	"organisations", "api_keys", "offers", "needs", "venues", "spaces",
	"change_counter", "change_log",
	"bookings", "booking_occurrences", "idempotency_keys",
	"partnerships", "partnership_health",
	"postcodes", "postcode_districts", "events", "notifications",
}

// columns lists the columns table has in g's database, or nil if it has
// no such table.
func columns(t *testing.T, g *gorm.DB, table string) []string {
	t.Helper()
	if !g.Migrator().HasTable(table) {
		return nil
	}
	rows, err := g.Raw("SELECT * FROM " + table + " WHERE 1 = 0").Rows()
	if err != nil {
		t.Fatalf("columns of %s: %v", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatalf("columns of %s: %v", table, err)
	}
	return cols
}

// readRows returns table's rows in g, restricted to cols, each printed on
// one line, sorted.
func readRows(t *testing.T, g *gorm.DB, table string, cols []string) []string {
	t.Helper()
	rows, err := g.Raw("SELECT " + strings.Join(cols, ", ") + " FROM " + table).Rows()
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
			if tm, ok := v.(time.Time); ok {
				vals[i] = tm.UTC()
			}
		}
		out = append(out, fmt.Sprint(vals...))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	slices.Sort(out)
	return out
}

// copyRows copies every row of src into dst, in the columns dst's version
// has, for the tables it has. It returns the columns copied, by table.
func copyRows(t *testing.T, src, dst *gorm.DB) map[string][]string {
	t.Helper()
	copied := make(map[string][]string)
	err := dst.Transaction(func(tx *gorm.DB) error {
		for _, table := range upgradeTables {
			cols := columns(t, tx, table)
			if cols == nil {
				continue
			}
			copied[table] = cols
			if table == "change_counter" {
				// Its one row comes with the table.
				if err := tx.Exec("DELETE FROM change_counter").Error; err != nil {
					return err
				}
			}
			rows, err := src.Raw("SELECT " + strings.Join(cols, ", ") + " FROM " + table).Rows()
			if err != nil {
				return err
			}
			insert := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (" +
				strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				if err := tx.Exec(insert, vals...).Error; err != nil {
					rows.Close()
					return fmt.Errorf("copy into %s: %w", table, err)
				}
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("copy rows: %v", err)
	}
	return copied
}

// checkUpgraded checks that db, upgraded from a database that held the
// fixture's rows in copied, has every one of them unchanged, that the
// store reads them as it reads the fixture's own, and that the schema is
// exactly a new database's.
func checkUpgraded(t *testing.T, f *upgradeFixture, db *store.DB, copied map[string][]string) {
	t.Helper()
	ctx := t.Context()
	checkSchemaVersion(t, db)
	for _, table := range upgradeTables {
		cols, ok := copied[table]
		if !ok {
			continue
		}
		got, want := readRows(t, db.Gorm(), table, cols), readRows(t, f.src.Gorm(), table, cols)
		if len(want) == 0 {
			t.Fatalf("fixture has no rows in %s", table)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s rows:\ngot  %q\nwant %q", table, got, want)
		}
	}
	golden, err := os.ReadFile(filepath.Join("testdata", "schema", string(db.Dialect())+".golden"))
	if err != nil {
		t.Fatal(err)
	}
	// Leave out the rows: the copied ones replace change_counter's.
	schemaOnly := func(dump string) string {
		lines := strings.SplitAfter(dump, "\n")
		return strings.Join(slices.DeleteFunc(lines, func(l string) bool { return strings.HasPrefix(l, "rows ") }), "")
	}
	if got, want := schemaOnly(dumpSchema(t, db)), schemaOnly(string(golden)); got != want {
		t.Errorf("upgraded schema differs from a new database's:\n%s", got)
	}

	if _, ok := copied["organisations"]; ok {
		got, err := db.GetOrganisation(ctx, f.owner.ID)
		if err != nil {
			t.Fatalf("GetOrganisation: %v", err)
		}
		checkOrganisation(t, got, &f.owner)
		if id, err := db.OrganisationIDByTokenHash(ctx, "hash-of-owner-token"); err != nil || id != f.owner.ID {
			t.Errorf("OrganisationIDByTokenHash: got %q, %v, want %q, nil", id, err, f.owner.ID)
		}
		offer, err := db.GetOffer(ctx, f.owner.Offers[0].ID)
		if err != nil {
			t.Fatalf("GetOffer: %v", err)
		}
		checkOffer(t, offer, &f.owner.Offers[0])
		need, err := db.GetNeed(ctx, f.owner.Needs[0].ID)
		if err != nil {
			t.Fatalf("GetNeed: %v", err)
		}
		checkNeed(t, need, &f.owner.Needs[0])
		venue, err := db.GetVenue(ctx, f.venue.ID)
		if err != nil {
			t.Fatalf("GetVenue: %v", err)
		}
		checkVenue(t, venue, &f.venue)
		space, err := db.GetSpace(ctx, f.space.ID)
		if err != nil {
			t.Fatalf("GetSpace: %v", err)
		}
		checkSpace(t, space, &f.space)
		var indoorOutdoors int64
		if err := db.Gorm().Raw("SELECT COUNT(*) FROM spaces WHERE kind = 'outdoor' AND indoor").Scan(&indoorOutdoors).Error; err != nil || indoorOutdoors != 0 {
			t.Errorf("spaces of kind outdoor marked indoor: %d, %v", indoorOutdoors, err)
		}
		// The owner's registration token became its first API key.
		checkCount(t, db, store.Counts{Organisations: 2, Offers: 1, Needs: 1, Venues: 1, Spaces: 1, APIKeys: 1})
	}
	if _, ok := copied["change_log"]; ok {
		if got, want := revision(t, db), revision(t, f.src); got != want {
			t.Errorf("Revision: got %d, want %d", got, want)
		}
		if got, want := idsOfSet(changesSince(t, db, 0)), idsOfSet(changesSince(t, f.src, 0)); !reflect.DeepEqual(got, want) {
			t.Errorf("ChangesSince(0): got %+v, want %+v", got, want)
		}
	}
	if _, ok := copied["bookings"]; ok {
		got, err := db.GetBooking(ctx, f.bookingID)
		if err != nil {
			t.Fatalf("GetBooking: %v", err)
		}
		want, err := f.src.GetBooking(ctx, f.bookingID)
		if err != nil {
			t.Fatalf("GetBooking from the fixture: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("GetBooking: got %+v, want %+v", got, want)
		}
		calls := new(atomic.Int32)
		reply, _, err := db.Book(ctx, uuid.NewString(), f.bookingReq, &matching.Idempotency{Key: f.idemKey, RequestHash: f.idemHash}, renderID(calls))
		if err != nil || !reply.Replayed || reply.Status != 201 || string(reply.Body) != f.replyBody || calls.Load() != 0 {
			t.Errorf("Book with the kept key: got %d %q replayed %v, %v, %d renders; want 201 %q replayed, nil, 0 renders",
				reply.Status, reply.Body, reply.Replayed, err, calls.Load(), f.replyBody)
		}
	}
	if _, ok := copied["partnerships"]; ok {
		got, want := getPartnership(t, db, f.partnership.ID), getPartnership(t, f.src, f.partnership.ID)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("GetPartnership: got %+v, want %+v", got, want)
		}
		checks, err := db.ListHealthChecks(ctx, f.partnership.ID, matching.Page{})
		if err != nil {
			t.Fatalf("ListHealthChecks: %v", err)
		}
		if len(checks) != 1 || !reflect.DeepEqual(checks[0], f.check) {
			t.Errorf("ListHealthChecks: got %+v, want [%+v]", checks, f.check)
		}
		// The accepted partnership's agreement is its version 1, whether
		// kept when it was accepted or by the migration that added versions.
		vs := versions(t, db, f.partnership.ID)
		if len(vs) != 1 || vs[0].Version != 1 || !reflect.DeepEqual(vs[0].Agreement, want.Agreement()) {
			t.Errorf("agreement versions: got %+v, want version 1 holding %+v", vs, want.Agreement())
		}
	}
}

// gooseVersions returns the versions goose_db_version records, in order.
func gooseVersions(t *testing.T, db *store.DB) []int64 {
	t.Helper()
	var vs []int64
	if err := db.Gorm().Raw("SELECT version_id FROM goose_db_version ORDER BY version_id").Scan(&vs).Error; err != nil {
		t.Fatalf("read goose_db_version: %v", err)
	}
	return vs
}

// allVersions are the versions goose records after every migration: 0,
// then each of the schema history.
func allVersions() []int64 { return append([]int64{0}, store.MigrationVersions...) }

// versionsAfter is how many migrations come after version n.
func versionsAfter(n int) int {
	c := 0
	for _, v := range store.MigrationVersions {
		if v > int64(n) {
			c++
		}
	}
	return c
}

// TestUpgrade builds, for every earlier version N, a database migrated to
// N and holding rows of every table N has, then opens it as a store: the
// steps after N run once each, and every row is still there, read through
// the store as it was written. With "legacy", the database's history is
// kept as the runner before goose kept it (schema_migrations, up to its
// last step, LegacySteps, and from an empty history: that runner created its
// table before its first step); Open adopts it, keeps the table, and runs
// only the steps that runner had not.
func TestUpgrade(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			if d == store.Postgres && os.Getenv(storetest.EnvURL) == "" {
				t.Skipf("PostgreSQL tests skipped: set %s", storetest.EnvURL)
			}
			f := writeUpgradeFixture(t, d)
			for _, legacy := range []bool{false, true} {
				from := allVersions()[:store.NumMigrations]
				if legacy {
					from = allVersions()[:store.LegacySteps+1]
				}
				for _, v := range from {
					n := int(v)
					name := fmt.Sprintf("from %d", n)
					if legacy {
						name = fmt.Sprintf("legacy from %d", n)
					}
					t.Run(name, func(t *testing.T) {
						url := storetest.SharedURL(t, d)
						g, err := store.OpenAtVersion(t.Context(), url, int64(n))
						if err != nil {
							t.Fatalf("migrate to %d: %v", n, err)
						}
						if legacy {
							if err := store.MakeLegacy(t.Context(), g, int64(n)); err != nil {
								t.Fatalf("MakeLegacy: %v", err)
							}
						}
						copied := copyRows(t, f.src.Gorm(), g)
						if sqlDB, err := g.DB(); err == nil {
							sqlDB.Close()
						}

						rec := &recorder{}
						db := open(t, url, store.Options{Logger: slog.New(rec)})
						defer db.Close()
						if got, want := rec.count("applied migration"), versionsAfter(n); got != want {
							t.Errorf("migrations applied: got %d, want %d", got, want)
						}
						if got, want := gooseVersions(t, db), allVersions(); !slices.Equal(got, want) {
							t.Errorf("goose_db_version: got %v, want %v", got, want)
						}
						checkUpgraded(t, f, db, copied)
						if legacy {
							var kept int64
							if err := db.Gorm().Raw("SELECT COUNT(*) FROM schema_migrations").Scan(&kept).Error; err != nil {
								t.Errorf("schema_migrations after adoption: %v", err)
							} else if kept != int64(n) {
								t.Errorf("schema_migrations rows after adoption: got %d, want %d", kept, n)
							}
						}
						db.Close()

						rec = &recorder{}
						db = open(t, url, store.Options{Logger: slog.New(rec)})
						if got := rec.count("applied migration"); got != 0 {
							t.Errorf("reopen: got %d migrations applied, want 0", got)
						}
						if got, want := gooseVersions(t, db), allVersions(); !slices.Equal(got, want) {
							t.Errorf("goose_db_version after reopen: got %v, want %v", got, want)
						}
						db.Close()
					})
				}
			}
		})
	}
}

// TestLegacyUnknownVersion opens a database whose schema_migrations holds a
// version this build has no migration for: Open refuses it and leaves the
// history as it was.
func TestLegacyUnknownVersion(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.SharedURL(t, d)
			g, err := store.OpenAtVersion(t.Context(), url, store.LegacySteps)
			if err != nil {
				t.Fatal(err)
			}
			if err := store.MakeLegacy(t.Context(), g, store.LegacySteps); err != nil {
				t.Fatal(err)
			}
			unknown := store.LastMigration + 1
			if err := g.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', '2027-01-01T00:00:00Z')", unknown).Error; err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(t.Context(), url, store.Options{})
			if err == nil {
				db.Close()
				t.Fatal("Open: got nil error, want one naming the unknown version")
			}
			if !strings.Contains(err.Error(), fmt.Sprint(unknown)) {
				t.Errorf("Open: got %v, want an error naming version %d", err, unknown)
			}
			if g.Migrator().HasTable("goose_db_version") {
				t.Error("goose_db_version exists after a refused adoption, want none")
			}
			if sqlDB, err := g.DB(); err == nil {
				sqlDB.Close()
			}
		})
	}
}

// TestOpenConcurrentlyNewFile starts several stores at once on a SQLite
// file with no tables yet. SQLite has no lock for goose to hold while it
// checks and applies, so more than one store can find a step missing; each
// Open must still succeed and each step run once.
func TestOpenConcurrentlyNewFile(t *testing.T) {
	const n = 8
	url := storetest.SharedURL(t, store.SQLite)
	// Create the file, in WAL mode, first: connections racing to switch a
	// new file to WAL can fail without waiting (see TestOpenConcurrently).
	g, err := store.OpenAtVersion(t.Context(), url, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Exec("SELECT 1").Error; err != nil {
		t.Fatal(err)
	}
	if sqlDB, err := g.DB(); err == nil {
		sqlDB.Close()
	}
	rec := &recorder{}
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
	if got, want := rec.count("applied migration"), store.NumMigrations; got != want {
		t.Errorf("migrations applied: got %d, want %d", got, want)
	}
	if errs[0] == nil {
		if got, want := gooseVersions(t, dbs[0]), allVersions(); !slices.Equal(got, want) {
			t.Errorf("goose_db_version: got %v, want %v", got, want)
		}
	}
}
