-- Partnerships and their health checks, and the count of each
-- organisation's completed partnerships whose health stayed good.
--
-- partnerships.health_checks and health_low count a partnership's checks and
-- those that scored any criterion at matching.HealthFlagScore or below;
-- AddHealthCheck keeps them in step inside its transaction, so completing a
-- partnership decides whether its health stayed good from its own row. Roles
-- (an object keyed by organisation ID) and outcomes are JSON text, as the
-- other list columns. review_on is a date written YYYY-MM-DD.

-- +goose Up

CREATE TABLE partnerships (
	id TEXT PRIMARY KEY,
	proposer_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	partner_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	status TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'declined', 'active', 'completed', 'ended')),
	purpose TEXT NOT NULL,
	roles TEXT NOT NULL DEFAULT '{}',
	outcomes TEXT NOT NULL DEFAULT '[]',
	review_on TEXT NOT NULL,
	health_checks INTEGER NOT NULL DEFAULT 0,
	health_low INTEGER NOT NULL DEFAULT 0,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	CHECK (proposer_id <> partner_id)
);

CREATE INDEX partnerships_proposer ON partnerships (proposer_id);
CREATE INDEX partnerships_partner ON partnerships (partner_id);

CREATE TABLE partnership_health (
	id TEXT PRIMARY KEY,
	partnership_id TEXT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
	organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	commitment INTEGER NOT NULL CHECK (commitment BETWEEN 1 AND 5),
	clarity_of_purpose INTEGER NOT NULL CHECK (clarity_of_purpose BETWEEN 1 AND 5),
	coordination INTEGER NOT NULL CHECK (coordination BETWEEN 1 AND 5),
	trust INTEGER NOT NULL CHECK (trust BETWEEN 1 AND 5),
	communication INTEGER NOT NULL CHECK (communication BETWEEN 1 AND 5),
	conflict_resolution INTEGER NOT NULL CHECK (conflict_resolution BETWEEN 1 AND 5),
	comment TEXT NOT NULL DEFAULT '',
	created_at DATETIME NOT NULL
);

CREATE INDEX partnership_health_partnership ON partnership_health (partnership_id, created_at, id);
CREATE INDEX partnership_health_latest ON partnership_health (partnership_id, organisation_id, created_at);

ALTER TABLE organisations ADD COLUMN trusted_partnerships INTEGER NOT NULL DEFAULT 0;
