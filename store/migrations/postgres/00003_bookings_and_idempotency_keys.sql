-- Bookings, their occurrences and the idempotency keys of booking requests.
-- booking_occurrences repeats its booking's space_id so that one index
-- (space, start) finds what is booked in a space, and so that
-- the exclusion constraint below can refuse two confirmed occurrences of one
-- space that overlap.

-- +goose Up

CREATE TABLE bookings (
	id TEXT PRIMARY KEY,
	space_id TEXT NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
	organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	status TEXT NOT NULL CHECK (status IN ('requested', 'confirmed', 'declined', 'cancelled')),
	purpose TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX bookings_space ON bookings (space_id);
CREATE INDEX bookings_organisation ON bookings (organisation_id);

CREATE TABLE booking_occurrences (
	booking_id TEXT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	space_id TEXT NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
	starts_at TIMESTAMPTZ NOT NULL,
	ends_at TIMESTAMPTZ NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('confirmed', 'requested', 'conflict', 'outside_hours', 'declined', 'cancelled')),
	reason TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (booking_id, seq),
	CHECK (ends_at > starts_at)
);

CREATE INDEX booking_occurrences_space ON booking_occurrences (space_id, starts_at);

CREATE TABLE idempotency_keys (
	organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	idem_key TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	status INTEGER NOT NULL,
	body TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (organisation_id, idem_key)
);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- The database itself refuses overlapping confirmed occurrences of one space,
-- whatever the concurrency: an exclusion constraint over (space, time range)
-- through btree_gist, a trusted extension the database owner may install.
-- SQLite has no such constraint; see its copy of this migration.
CREATE EXTENSION IF NOT EXISTS btree_gist;

ALTER TABLE booking_occurrences ADD CONSTRAINT booking_occurrences_no_overlap
	EXCLUDE USING gist (space_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
	WHERE (status = 'confirmed');
