-- Prices on bookings, the spaces' fair-use rules and organisations'
-- calendar keys.
--
-- A booking keeps the tier it was made at and that tier's hourly price at
-- the time, so a later change of the space's prices does not change what it
-- charges. Bookings made before this migration were all at the standard
-- tier: they take the space's standard price as it stands now (0 when it has
-- none).
--
-- A space's fair-use rules: the turnaround kept clear around each booking,
-- how many days ahead it may be booked (365 unless its owner says), and the
-- future confirmed hours one organisation may hold there before its
-- instant-book requests wait for the owner (0: no cap).
--
-- calendar_keys holds the SHA-256 hex of each organisation's calendar key,
-- one per organisation: a new key replaces the old.

-- +goose Up

ALTER TABLE bookings ADD COLUMN tier TEXT NOT NULL DEFAULT 'standard';
ALTER TABLE bookings ADD COLUMN pence_per_hour INTEGER NOT NULL DEFAULT 0;

UPDATE bookings SET pence_per_hour = COALESCE((
	SELECT (p ->> 'pence_per_hour')::INTEGER
	FROM spaces s, jsonb_array_elements(s.prices::jsonb) p
	WHERE s.id = bookings.space_id AND p ->> 'tier' = 'standard'), 0);

ALTER TABLE spaces ADD COLUMN turnaround_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE spaces ADD COLUMN booking_horizon_days INTEGER NOT NULL DEFAULT 365;
ALTER TABLE spaces ADD COLUMN max_hours_per_organisation INTEGER NOT NULL DEFAULT 0;

CREATE TABLE calendar_keys (
	organisation_id TEXT PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
	key_hash TEXT NOT NULL UNIQUE,
	created_at TIMESTAMPTZ NOT NULL
);
