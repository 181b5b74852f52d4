// Package migrations holds Common Ground's schema history: SQL files that
// github.com/pressly/goose/v3 applies in order of version, recording each
// in the goose_db_version table (store.Open runs them).
//
// The two databases differ in types (TIMESTAMPTZ and DATETIME, DOUBLE
// PRECISION and REAL) and in what they can enforce (PostgreSQL refuses
// overlapping bookings with an exclusion constraint), so each has its own
// directory, sqlite/ and postgres/, holding the same versions under the same
// names. A test checks that they do.
//
// To change the schema, add a migration:
//
//  1. Pick the next version, one above the highest file, and a name in
//     snake case saying what the step does: 00005_venue_notes.sql.
//  2. Write the file in both directories, each for its database, starting
//     with "-- +goose Up"; one statement per semicolon-terminated line
//     end (wrap a statement with inner semicolons, such as a function body,
//     in "-- +goose StatementBegin" and "-- +goose StatementEnd").
//  3. Change the row types and queries in package store to match, and run
//     the store tests with -update once to record the new schema in
//     store/testdata/schema, checking the diff.
//
// Each file runs in one transaction. Never edit, rename or delete a
// migration once it has been merged: databases that applied it will not
// run it again, so a change would leave them with a different schema than
// new ones. Fix a mistake with a new migration. The history only goes
// forward (the files have no Down section): undo a release's schema change
// with a new migration, or restore a backup.
package migrations
