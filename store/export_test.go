package store

// NumMigrations is the length of the schema history, for tests of
// SchemaVersion.
var NumMigrations = len(migrations)
