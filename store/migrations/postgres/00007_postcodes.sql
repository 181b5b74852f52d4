-- Postcodes, imported from the ONS Postcode Directory (go run . import
-- --postcodes FILE.csv), for place names and geocoding venues.
--
-- postcodes holds one row a postcode, written as it is printed ("CB7 4DL"),
-- with its district (the outward code, "CB7") and its point. The postcode
-- is compared byte by byte, so that a range on it finds the postcodes
-- starting with some text. postcode_districts holds each district's mean
-- point and how many postcodes it has, worked out again for the districts
-- an import touches.

-- +goose Up

CREATE TABLE postcodes (
	postcode TEXT COLLATE "C" PRIMARY KEY,
	district TEXT COLLATE "C" NOT NULL,
	lat DOUBLE PRECISION NOT NULL,
	lon DOUBLE PRECISION NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX postcodes_district ON postcodes (district);

CREATE TABLE postcode_districts (
	district TEXT COLLATE "C" PRIMARY KEY,
	lat DOUBLE PRECISION NOT NULL,
	lon DOUBLE PRECISION NOT NULL,
	postcodes INTEGER NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
