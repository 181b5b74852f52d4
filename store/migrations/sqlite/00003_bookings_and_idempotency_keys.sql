-- Bookings, their occurrences and the idempotency keys of booking requests.
-- booking_occurrences repeats its booking's space_id so that one index
-- (space, start) finds what is booked in a space.

-- +goose Up

CREATE TABLE bookings (
	id TEXT PRIMARY KEY,
	space_id TEXT NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
	organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	status TEXT NOT NULL CHECK (status IN ('requested', 'confirmed', 'declined', 'cancelled')),
	purpose TEXT NOT NULL DEFAULT '',
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL
);

CREATE INDEX bookings_space ON bookings (space_id);
CREATE INDEX bookings_organisation ON bookings (organisation_id);

CREATE TABLE booking_occurrences (
	booking_id TEXT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	space_id TEXT NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
	starts_at DATETIME NOT NULL,
	ends_at DATETIME NOT NULL,
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
	created_at DATETIME NOT NULL,
	PRIMARY KEY (organisation_id, idem_key)
);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- SQLite has no exclusion constraint (PostgreSQL's file has one): Book and
-- ApproveBooking check and write in one transaction, and SQLite runs one
-- write transaction at a time (they begin IMMEDIATE, see store.Open), so the
-- check cannot go stale before the write.
