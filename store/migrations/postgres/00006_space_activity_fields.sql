-- What the activity rules of matching read about a space: whether it is
-- indoors (an outdoor space matches only requests that allow one), the
-- surface of an outdoor space ('' when not recorded), its rigging points
-- as a JSON list of {"rated_load_kg": n}, and whether it has tap boards.
-- Spaces of kind outdoor are outdoors.

-- +goose Up

ALTER TABLE spaces ADD COLUMN indoor BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE spaces ADD COLUMN surface TEXT NOT NULL DEFAULT '';
ALTER TABLE spaces ADD COLUMN rigging_points TEXT NOT NULL DEFAULT '[]';
ALTER TABLE spaces ADD COLUMN tap_boards BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE spaces SET indoor = FALSE WHERE kind = 'outdoor';
