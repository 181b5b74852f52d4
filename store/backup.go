package store

import (
	"context"
	"errors"
	"fmt"
	"os"

	"commonground/matching"
)

// Backup writes a consistent copy of a SQLite database to the file at
// path, while other connections go on reading and writing: SQLite's
// VACUUM INTO reads one snapshot, so the copy holds every transaction
// committed before it began and none after. The copy is a database
// Open can use as it is ("sqlite:" + path).
//
// It returns an error wrapping matching.ErrConflict when path exists, and
// one wrapping matching.ErrInvalid on PostgreSQL, whose backups are
// pg_dump's work (see README.md). It may take longer than the store's
// timeout on a large database: call it with WithoutTimeout.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return fmt.Errorf("%w: backup copies SQLite databases only; back up PostgreSQL with pg_dump "+
			"(pg_dump --format=custom --file=FILE \"$DATABASE_URL\", restored with pg_restore)", matching.ErrInvalid)
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup to %s: %w: the file exists", path, matching.ErrConflict)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := db.gorm.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		os.Remove(path) // a partial copy is no backup
		return translate(err, "backup to "+path)
	}
	return nil
}
