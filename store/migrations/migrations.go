package migrations

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// FS returns the migrations of one database, "sqlite" or "postgres", as
// goose reads them: the SQL files at the root of the returned file system.
// It returns an error for any other name.
func FS(database string) (fs.FS, error) {
	switch database {
	case "sqlite", "postgres":
		return fs.Sub(files, database)
	}
	return nil, fmt.Errorf("no migrations for database %q", database)
}
