package migrations_test

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"commonground/store/migrations"
)

var fileName = regexp.MustCompile(`^(\d{5})_[a-z0-9]+(_[a-z0-9]+)*\.sql$`)

func list(t *testing.T, database string) []string {
	t.Helper()
	fsys, err := migrations.FS(database)
	if err != nil {
		t.Fatalf("FS(%q): %v", database, err)
	}
	names, err := fs.Glob(fsys, "*")
	if err != nil {
		t.Fatalf("list %s migrations: %v", database, err)
	}
	return names
}

// TestSameHistory checks that both databases have the same migrations:
// the same versions, one above the other from 1, under the same names, so
// a schema change is never written for one database only.
func TestSameHistory(t *testing.T) {
	sqlite, postgres := list(t, "sqlite"), list(t, "postgres")
	if len(sqlite) == 0 {
		t.Fatal("no sqlite migrations")
	}
	if !slices.Equal(sqlite, postgres) {
		t.Errorf("migrations differ:\nsqlite:   %v\npostgres: %v", sqlite, postgres)
	}
	for _, names := range [][]string{sqlite, postgres} {
		for i, name := range names {
			m := fileName.FindStringSubmatch(name)
			if m == nil {
				t.Errorf("%s: want a name like 00001_what_it_does.sql", name)
				continue
			}
			if got, want := m[1], fmt.Sprintf("%05d", i+1); got != want {
				t.Errorf("%s: got version %s, want %s (one above the previous)", name, got, want)
			}
		}
	}
}

// TestFilesAreGooseMigrations checks what goose needs to find in each file
// and what the history relies on: an Up section, and no Down section (the
// history only goes forward; see the package documentation).
func TestFilesAreGooseMigrations(t *testing.T) {
	for _, database := range []string{"sqlite", "postgres"} {
		fsys, err := migrations.FS(database)
		if err != nil {
			t.Fatalf("FS(%q): %v", database, err)
		}
		for _, name := range list(t, database) {
			b, err := fs.ReadFile(fsys, name)
			if err != nil {
				t.Fatalf("read %s/%s: %v", database, name, err)
			}
			text := string(b)
			if !strings.Contains(text, "\n-- +goose Up\n") {
				t.Errorf("%s/%s: no \"-- +goose Up\" line", database, name)
			}
			if strings.Contains(text, "+goose Down") {
				t.Errorf("%s/%s: has a Down section, want none", database, name)
			}
		}
	}
}

func TestFSUnknownDatabase(t *testing.T) {
	if _, err := migrations.FS("mysql"); err == nil {
		t.Error("FS(\"mysql\"): got nil error, want one")
	}
}
