-- Devices and accounts, idempotency keys scoped per device, and the case
-- timeline.

CREATE TABLE accounts (
	id      TEXT PRIMARY KEY,
	created TEXT NOT NULL
) STRICT;

-- A device is known by the SHA-256 of its token; the token itself is never
-- stored.
CREATE TABLE devices (
	id          TEXT PRIMARY KEY,
	token_hash  BLOB NOT NULL UNIQUE,
	platform    TEXT NOT NULL,
	app_version TEXT NOT NULL,
	account     TEXT REFERENCES accounts (id),
	created     TEXT NOT NULL
) STRICT;

CREATE INDEX devices_account ON devices (account);

-- The device that submitted the case; NULL for an anonymous submission.
ALTER TABLE cases ADD COLUMN device TEXT REFERENCES devices (id);

-- Idempotency keys are unique per scope: a device's id, or '' for anonymous
-- clients, so that one client's key never finds another client's case.
CREATE TABLE idempotency_keys_scoped (
	scope        TEXT NOT NULL,
	key          TEXT NOT NULL,
	request_hash BLOB NOT NULL,
	case_id      TEXT NOT NULL REFERENCES cases (id),
	created      TEXT NOT NULL,
	PRIMARY KEY (scope, key)
) STRICT;

INSERT INTO idempotency_keys_scoped (scope, key, request_hash, case_id, created)
	SELECT '', key, request_hash, case_id, created FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_scoped RENAME TO idempotency_keys;
CREATE INDEX idempotency_keys_case_id ON idempotency_keys (case_id);

-- The timeline of a case, oldest first.
CREATE TABLE case_events (
	case_id TEXT NOT NULL REFERENCES cases (id),
	seq     INTEGER NOT NULL,  -- 1, 2, ... per case
	status  TEXT NOT NULL,
	at      TEXT NOT NULL,     -- RFC 3339, UTC
	note    TEXT CHECK (note IS NULL OR json_valid(note)),  -- api.Text as JSON
	PRIMARY KEY (case_id, seq)
) STRICT;

INSERT INTO case_events (case_id, seq, status, at) SELECT id, 1, status, created FROM cases;
