package store

import (
	"io/fs"

	"commonground/store/migrations"
)

// NumMigrations is the length of the schema history, for tests of
// SchemaVersion.
var NumMigrations = func() int {
	fsys, err := migrations.FS(string(SQLite))
	if err != nil {
		panic(err)
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		panic(err)
	}
	return len(names)
}()

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
