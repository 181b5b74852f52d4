-- The change revision and the change log that read models follow (see
-- store/changes.go). change_counter has exactly one row; its pruned_through
-- is the newest revision PruneChanges has removed from change_log.

-- +goose Up

CREATE TABLE change_counter (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	revision BIGINT NOT NULL,
	pruned_through BIGINT NOT NULL DEFAULT 0
);

INSERT INTO change_counter (id, revision, pruned_through) VALUES (1, 0, 0);

CREATE TABLE change_log (
	revision BIGINT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('organisation', 'venue', 'space', 'bulk')),
	entity_id TEXT NOT NULL,
	changed_at DATETIME NOT NULL
);

CREATE INDEX change_log_revision ON change_log (revision);
