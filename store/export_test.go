package store

import (
	"context"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"commonground/store/migrations"
)

// MigrationVersions are the versions of the schema history, from 0 (the
// empty schema) up, for tests of SchemaVersion and upgrades. Versions are
// numbered by their files and need not be contiguous.
var MigrationVersions = func() []int64 {
	fsys, err := migrations.FS(string(SQLite))
	if err != nil {
		panic(err)
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		panic(err)
	}
	vs := []int64{0}
	for _, n := range names {
		v, err := strconv.ParseInt(n[:strings.IndexByte(n, '_')], 10, 64)
		if err != nil {
			panic(err)
		}
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return vs
}()

// NumMigrations is the length of the schema history.
var NumMigrations = len(MigrationVersions) - 1

// LatestMigration is the newest version of the schema.
var LatestMigration = int(MigrationVersions[NumMigrations])

// ParseListColumn decodes text as the bulk readers decode a list column:
// kind is "strings", "prices", "hours" or "closures".
func ParseListColumn(kind string, text []byte) (any, error) {
	in := newInterner()
	switch kind {
	case "strings":
		return parseStrings(text, in)
	case "prices":
		return parsePrices(text, in)
	case "hours":
		return parseHours(text, in)
	case "closures":
		return parseClosures(text, in)
	}
	panic("unknown list column kind " + kind)
}

// BulkColumns returns, by table, the columns of the table's gorm row
// (those the bulk readers select and those their plan skips) and the
// columns the database has.
func (db *DB) BulkColumns(ctx context.Context) (map[string][2][]string, error) {
	out := map[string][2][]string{}
	for _, m := range []struct {
		table string
		model any
		plan  []planCol
		skip  []string
	}{
		{"organisations", &organisationRow{}, orgPlan.cols, orgPlan.skipped},
		{"offers", &offerRow{}, itemPlan.cols, itemPlan.skipped},
		{"needs", &needRow{}, itemPlan.cols, itemPlan.skipped},
		{"venues", &venueRow{}, venuePlan.cols, venuePlan.skipped},
		{"spaces", &spaceRow{}, spacePlan.cols, spacePlan.skipped},
	} {
		var row []string
		for _, c := range m.plan {
			row = append(row, c.name)
		}
		row = append(row, m.skip...)
		cts, err := db.gorm.WithContext(ctx).Migrator().ColumnTypes(m.model)
		if err != nil {
			return nil, err
		}
		var table []string
		for _, ct := range cts {
			table = append(table, ct.Name())
		}
		out[m.table] = [2][]string{row, table}
	}
	return out, nil
}
