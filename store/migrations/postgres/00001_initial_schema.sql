-- The first schema: organisations with their offers and needs, venues and
-- their spaces. List columns (values_list, prices, opening_hours, …) hold
-- JSON text.

-- +goose Up

CREATE TABLE organisations (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	type TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	website TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	lat DOUBLE PRECISION NOT NULL,
	lon DOUBLE PRECISION NOT NULL,
	service_radius_km DOUBLE PRECISION NOT NULL DEFAULT 0,
	values_list TEXT NOT NULL DEFAULT '[]',
	practices TEXT NOT NULL DEFAULT '[]',
	exclusions TEXT NOT NULL DEFAULT '[]',
	capacity_hours_per_month INTEGER NOT NULL DEFAULT 0,
	token_hash TEXT UNIQUE,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX organisations_lat_lon ON organisations (lat, lon);

CREATE TABLE offers (
	id TEXT PRIMARY KEY,
	organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	category TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	hours_per_month INTEGER NOT NULL DEFAULT 0,
	created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX offers_organisation ON offers (organisation_id);
CREATE INDEX offers_category ON offers (category);

CREATE TABLE needs (
	id TEXT PRIMARY KEY,
	organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	category TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	hours_per_month INTEGER NOT NULL DEFAULT 0,
	created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX needs_organisation ON needs (organisation_id);
CREATE INDEX needs_category ON needs (category);

CREATE TABLE venues (
	id TEXT PRIMARY KEY,
	organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	postcode TEXT NOT NULL DEFAULT '',
	lat DOUBLE PRECISION NOT NULL,
	lon DOUBLE PRECISION NOT NULL,
	timezone TEXT NOT NULL,
	step_free BOOLEAN NOT NULL DEFAULT FALSE,
	accessible_toilet BOOLEAN NOT NULL DEFAULT FALSE,
	hearing_loop BOOLEAN NOT NULL DEFAULT FALSE,
	parking BOOLEAN NOT NULL DEFAULT FALSE,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX venues_lat_lon ON venues (lat, lon);
CREATE INDEX venues_organisation ON venues (organisation_id);

CREATE TABLE spaces (
	id TEXT PRIMARY KEY,
	venue_id TEXT NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
	organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	lat DOUBLE PRECISION NOT NULL,
	lon DOUBLE PRECISION NOT NULL,
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	capacity INTEGER NOT NULL,
	floor_area_m2 DOUBLE PRECISION NOT NULL,
	ceiling_height_m DOUBLE PRECISION NOT NULL DEFAULT 0,
	floor TEXT NOT NULL,
	mirrors BOOLEAN NOT NULL DEFAULT FALSE,
	barres BOOLEAN NOT NULL DEFAULT FALSE,
	sound_system BOOLEAN NOT NULL DEFAULT FALSE,
	changing_rooms BOOLEAN NOT NULL DEFAULT FALSE,
	climate_control BOOLEAN NOT NULL DEFAULT FALSE,
	obstructions BOOLEAN NOT NULL DEFAULT FALSE,
	prohibited_activities TEXT NOT NULL DEFAULT '[]',
	instant_book BOOLEAN NOT NULL DEFAULT FALSE,
	prices TEXT NOT NULL DEFAULT '[]',
	opening_hours TEXT NOT NULL DEFAULT '[]',
	closures TEXT NOT NULL DEFAULT '[]',
	fit_to_dance INTEGER NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX spaces_lat_lon ON spaces (lat, lon);
CREATE INDEX spaces_venue ON spaces (venue_id);
CREATE INDEX spaces_organisation ON spaces (organisation_id);
