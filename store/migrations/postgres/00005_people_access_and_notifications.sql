-- People and access, and notifications.
--
-- people hold the accounts: email lowercased and unique, password as an
-- argon2id PHC string. memberships tie people to organisations with a
-- role. Every token (sessions, API keys, invitations, password resets) is
-- stored as the SHA-256 hex of itself, never in the clear. The
-- organisations' registration tokens become their first API keys; the old
-- token_hash column is kept for a rollback and cleared when that key is
-- revoked.
--
-- events is the outbox: each row is written in the transaction of the change
-- that causes it, with one notifications row (the inbox) per organisation
-- concerned; the job queue delivers them by email and webhook. audit_log
-- records who (a person, a key or the operator) changed what, in the same
-- transaction as the change.

-- +goose Up

CREATE TABLE people (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	email TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	email_notifications BOOLEAN NOT NULL DEFAULT TRUE,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE memberships (
	organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
	role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (organisation_id, person_id)
);

CREATE INDEX memberships_person ON memberships (person_id);

CREATE TABLE auth_sessions (
	id TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX auth_sessions_person ON auth_sessions (person_id);

CREATE TABLE api_keys (
	id TEXT PRIMARY KEY,
	organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	created_by TEXT REFERENCES people (id) ON DELETE SET NULL,
	created_at TIMESTAMPTZ NOT NULL,
	last_used_at TIMESTAMPTZ
);

CREATE INDEX api_keys_organisation ON api_keys (organisation_id, created_at, id);

INSERT INTO api_keys (id, organisation_id, name, token_hash, created_at)
	SELECT gen_random_uuid()::text, id, 'registration', token_hash, created_at FROM organisations WHERE token_hash IS NOT NULL;

CREATE TABLE invitations (
	id TEXT PRIMARY KEY,
	organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	email TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
	token_hash TEXT NOT NULL UNIQUE,
	invited_by TEXT REFERENCES people (id) ON DELETE SET NULL,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	accepted_at TIMESTAMPTZ
);

CREATE INDEX invitations_organisation ON invitations (organisation_id, created_at);

CREATE TABLE password_resets (
	token_hash TEXT PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	used_at TIMESTAMPTZ
);

CREATE INDEX password_resets_person ON password_resets (person_id);

CREATE TABLE audit_log (
	id TEXT PRIMARY KEY,
	organisation_id TEXT NOT NULL,
	actor_type TEXT NOT NULL CHECK (actor_type IN ('person', 'key', 'operator')),
	actor_id TEXT NOT NULL DEFAULT '',
	actor_name TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	subject_type TEXT NOT NULL,
	subject_id TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX audit_log_organisation ON audit_log (organisation_id, created_at, id);

CREATE TABLE events (
	id TEXT PRIMARY KEY,
	event TEXT NOT NULL,
	subject_type TEXT NOT NULL,
	subject_id TEXT NOT NULL,
	summary TEXT NOT NULL,
	data TEXT NOT NULL DEFAULT '{}',
	actor_organisation_id TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE notifications (
	id TEXT PRIMARY KEY,
	event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	created_at TIMESTAMPTZ NOT NULL,
	read_at TIMESTAMPTZ
);

CREATE INDEX notifications_inbox ON notifications (organisation_id, created_at, id);
CREATE INDEX notifications_event ON notifications (event_id);

CREATE TABLE messages (
	id TEXT PRIMARY KEY,
	subject_type TEXT NOT NULL CHECK (subject_type IN ('booking', 'partnership')),
	subject_id TEXT NOT NULL,
	organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	person_id TEXT REFERENCES people (id) ON DELETE SET NULL,
	author_name TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX messages_subject ON messages (subject_type, subject_id, created_at, id);

CREATE TABLE webhooks (
	id TEXT PRIMARY KEY,
	organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	url TEXT NOT NULL,
	events TEXT NOT NULL DEFAULT '[]',
	secret TEXT NOT NULL,
	created_by TEXT REFERENCES people (id) ON DELETE SET NULL,
	created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX webhooks_organisation ON webhooks (organisation_id, created_at, id);

CREATE TABLE webhook_deliveries (
	id TEXT PRIMARY KEY,
	webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
	event_id TEXT NOT NULL,
	message_id TEXT NOT NULL,
	event TEXT NOT NULL,
	attempt INTEGER NOT NULL,
	status INTEGER NOT NULL DEFAULT 0,
	error TEXT NOT NULL DEFAULT '',
	duration_ms INTEGER NOT NULL DEFAULT 0,
	attempted_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, attempted_at, id);
