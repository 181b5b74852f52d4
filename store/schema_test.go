package store_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"commonground/store"
	"commonground/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden schema files in testdata/schema")

// versionTables keep the migration bookkeeping, which is not part of the
// schema the rest of the store relies on.
var versionTables = map[string]bool{"schema_migrations": true, "goose_db_version": true}

// TestSchemaGolden checks that a fresh database gets exactly the schema in
// testdata/schema (tables, column types and defaults, constraints,
// indexes), so a change to the migrations that alters the schema shows up
// in review as a change to the golden file. Run with -update to rewrite
// the golden files.
func TestSchemaGolden(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		got := dumpSchema(t, db)
		path := filepath.Join("testdata", "schema", string(db.Dialect())+".golden")
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read golden schema: %v", err)
		}
		if got != string(want) {
			t.Errorf("schema differs from %s (run with -update to see the change in git diff):\ngot:\n%s", path, got)
		}
	})
}

var spaces = regexp.MustCompile(`\s+`)

// normaliseSQL makes DDL text comparable whatever its layout: SQLite keeps
// each CREATE statement as written.
func normaliseSQL(s string) string {
	s = spaces.ReplaceAllString(strings.TrimSpace(s), " ")
	s = strings.NewReplacer("( ", "(", " )", ")", " ,", ",").Replace(s)
	return s
}

// dumpSchema describes the schema of db's database (its current schema on
// PostgreSQL), one object a line, in a stable order, and the rows the
// migrations write.
func dumpSchema(t *testing.T, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	g := db.Gorm().WithContext(t.Context())
	// The one row the migrations write.
	var counter []struct{ ID, Revision, PrunedThrough int64 }
	if err := g.Raw(`SELECT id, revision, pruned_through FROM change_counter ORDER BY id`).Scan(&counter).Error; err != nil {
		t.Fatalf("read change_counter: %v", err)
	}
	fmt.Fprintf(&b, "rows change_counter: %+v\n", counter)
	if db.Dialect() == store.SQLite {
		var objs []struct{ Type, Name, SQL string }
		err := g.Raw(`SELECT type, name, sql FROM sqlite_master
			WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type DESC, name`).Scan(&objs).Error
		if err != nil {
			t.Fatalf("read sqlite_master: %v", err)
		}
		for _, o := range objs {
			if versionTables[o.Name] {
				continue
			}
			fmt.Fprintf(&b, "%s %s: %s\n", o.Type, o.Name, normaliseSQL(o.SQL))
		}
		return b.String()
	}
	var cols []struct {
		TableName, ColumnName, DataType, IsNullable string
		ColumnDefault                               *string
	}
	err := g.Raw(`SELECT table_name, column_name, data_type, is_nullable, column_default
		FROM information_schema.columns WHERE table_schema = current_schema()
		ORDER BY table_name, ordinal_position`).Scan(&cols).Error
	if err != nil {
		t.Fatalf("read columns: %v", err)
	}
	for _, c := range cols {
		if versionTables[c.TableName] {
			continue
		}
		def := ""
		if c.ColumnDefault != nil {
			def = " DEFAULT " + *c.ColumnDefault
		}
		nullable := ""
		if c.IsNullable == "NO" {
			nullable = " NOT NULL"
		}
		fmt.Fprintf(&b, "column %s.%s: %s%s%s\n", c.TableName, c.ColumnName, c.DataType, nullable, def)
	}
	var cons []struct{ TableName, Name, Def string }
	err = g.Raw(`SELECT c.relname AS table_name, k.conname AS name, pg_get_constraintdef(k.oid) AS def
		FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
		WHERE c.relnamespace = current_schema()::regnamespace
		ORDER BY c.relname, k.conname`).Scan(&cons).Error
	if err != nil {
		t.Fatalf("read constraints: %v", err)
	}
	for _, c := range cons {
		if versionTables[c.TableName] {
			continue
		}
		fmt.Fprintf(&b, "constraint %s.%s: %s\n", c.TableName, c.Name, c.Def)
	}
	var idx []struct{ Tablename, Indexname, Indexdef string }
	err = g.Raw(`SELECT tablename, indexname, indexdef FROM pg_indexes
		WHERE schemaname = current_schema() ORDER BY tablename, indexname`).Scan(&idx).Error
	if err != nil {
		t.Fatalf("read indexes: %v", err)
	}
	var schema string
	if err := g.Raw(`SELECT current_schema()`).Scan(&schema).Error; err != nil {
		t.Fatalf("read current schema: %v", err)
	}
	for _, i := range idx {
		if versionTables[i.Tablename] {
			continue
		}
		fmt.Fprintf(&b, "index %s: %s\n", i.Indexname, strings.ReplaceAll(i.Indexdef, schema+".", ""))
	}
	return b.String()
}
