-- What a need for a room (a space.* category) says of the room: how many
-- people, which activity (a slug), the weekly windows it wants the room
-- in, and the most it would pay an hour at the standard price. Zero, empty
-- and '[]' say nothing, as for needs written before. windows holds a JSON
-- list of {"day": "mon".."sun", "start": minutes, "end": minutes}, local
-- wall-clock time in the room's venue's zone, as opening_hours does.

-- +goose Up

ALTER TABLE needs ADD COLUMN group_size INTEGER NOT NULL DEFAULT 0;
ALTER TABLE needs ADD COLUMN activity TEXT NOT NULL DEFAULT '';
ALTER TABLE needs ADD COLUMN windows TEXT NOT NULL DEFAULT '[]';
ALTER TABLE needs ADD COLUMN max_pence_per_hour INTEGER NOT NULL DEFAULT 0;
