-- Amendments of partnership agreements, the agreement's versions, closing
-- evaluations, and consortia (partnerships of several organisations).
--
-- Once a partnership is accepted its agreement (purpose, roles, outcomes,
-- review_on on its row) changes only by consent: a change one side asks for
-- waits in partnership_amendments as 'proposed' until the other side accepts
-- or declines it, and at most one amendment of a partnership waits at a time
-- (the partial unique index); one still waiting when the partnership is
-- completed or ended lapses. Amendments are numbered n = 1, 2, … within
-- their partnership; changes holds only the fields that change, as JSON.
-- partnership_agreement_versions keeps every agreement both sides consented
-- to: version 1 is the agreement as accepted, each accepted amendment (or an
-- operator's correction, amendment_n NULL) adds the next. Partnerships
-- accepted before this migration get their agreement as it stands as
-- version 1.
--
-- partnership_evaluations are the closing evaluations of completed
-- partnerships, one per side (the unique index). partnerships.evaluations
-- and evaluations_low count them and those that scored any criterion at
-- matching.HealthFlagScore or below, kept in step in the same transaction,
-- as health_checks and health_low are.
--
-- consortia are partnerships of a lead and its members: status 'forming'
-- until every member accepted, then the partnership statuses. Each member's
-- answer is on its consortium_members row. consortium_health holds their
-- health checks, as partnership_health does for partnerships.

-- +goose Up

CREATE TABLE partnership_amendments (
	partnership_id TEXT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
	n INTEGER NOT NULL CHECK (n > 0),
	status TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'declined', 'lapsed')),
	proposed_by TEXT NOT NULL,
	changes TEXT NOT NULL,
	decided_by TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL,
	decided_at TIMESTAMPTZ,
	PRIMARY KEY (partnership_id, n)
);

CREATE UNIQUE INDEX partnership_amendments_open ON partnership_amendments (partnership_id) WHERE status = 'proposed';

CREATE TABLE partnership_agreement_versions (
	partnership_id TEXT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
	version INTEGER NOT NULL CHECK (version > 0),
	amendment_n INTEGER,
	purpose TEXT NOT NULL,
	roles TEXT NOT NULL DEFAULT '{}',
	outcomes TEXT NOT NULL DEFAULT '[]',
	review_on TEXT NOT NULL,
	agreed_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (partnership_id, version)
);

INSERT INTO partnership_agreement_versions (partnership_id, version, amendment_n, purpose, roles, outcomes, review_on, agreed_at)
	SELECT id, 1, NULL, purpose, roles, outcomes, review_on, updated_at FROM partnerships
	WHERE status IN ('accepted', 'active', 'completed', 'ended');

CREATE TABLE partnership_evaluations (
	id TEXT PRIMARY KEY,
	partnership_id TEXT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
	organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	commitment INTEGER NOT NULL CHECK (commitment BETWEEN 1 AND 5),
	clarity_of_purpose INTEGER NOT NULL CHECK (clarity_of_purpose BETWEEN 1 AND 5),
	coordination INTEGER NOT NULL CHECK (coordination BETWEEN 1 AND 5),
	trust INTEGER NOT NULL CHECK (trust BETWEEN 1 AND 5),
	communication INTEGER NOT NULL CHECK (communication BETWEEN 1 AND 5),
	conflict_resolution INTEGER NOT NULL CHECK (conflict_resolution BETWEEN 1 AND 5),
	outcomes_met TEXT NOT NULL DEFAULT '[]',
	comment TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL
);

CREATE UNIQUE INDEX partnership_evaluations_once ON partnership_evaluations (partnership_id, organisation_id);

ALTER TABLE partnerships ADD COLUMN evaluations INTEGER NOT NULL DEFAULT 0;
ALTER TABLE partnerships ADD COLUMN evaluations_low INTEGER NOT NULL DEFAULT 0;

CREATE TABLE consortia (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	purpose TEXT NOT NULL,
	lead_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	status TEXT NOT NULL CHECK (status IN ('forming', 'accepted', 'declined', 'active', 'completed', 'ended')),
	roles TEXT NOT NULL DEFAULT '{}',
	bid_title TEXT NOT NULL,
	bid_commissioner TEXT NOT NULL,
	bid_deadline TEXT NOT NULL,
	health_checks INTEGER NOT NULL DEFAULT 0,
	health_low INTEGER NOT NULL DEFAULT 0,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX consortia_lead ON consortia (lead_id);

CREATE TABLE consortium_members (
	consortium_id TEXT NOT NULL REFERENCES consortia (id) ON DELETE CASCADE,
	organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	response TEXT NOT NULL CHECK (response IN ('invited', 'accepted', 'declined')),
	responded_at TIMESTAMPTZ,
	PRIMARY KEY (consortium_id, organisation_id)
);

CREATE INDEX consortium_members_organisation ON consortium_members (organisation_id);

CREATE TABLE consortium_health (
	id TEXT PRIMARY KEY,
	consortium_id TEXT NOT NULL REFERENCES consortia (id) ON DELETE CASCADE,
	organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	commitment INTEGER NOT NULL CHECK (commitment BETWEEN 1 AND 5),
	clarity_of_purpose INTEGER NOT NULL CHECK (clarity_of_purpose BETWEEN 1 AND 5),
	coordination INTEGER NOT NULL CHECK (coordination BETWEEN 1 AND 5),
	trust INTEGER NOT NULL CHECK (trust BETWEEN 1 AND 5),
	communication INTEGER NOT NULL CHECK (communication BETWEEN 1 AND 5),
	conflict_resolution INTEGER NOT NULL CHECK (conflict_resolution BETWEEN 1 AND 5),
	comment TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX consortium_health_consortium ON consortium_health (consortium_id, created_at, id);
