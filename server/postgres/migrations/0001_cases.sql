-- Accounts and devices, cases with their timelines, and the idempotency
-- keys that created them. Times are timestamptz (microseconds, UTC on the
-- way out); case data and notes are json, which keeps the text as given (the
-- canonical form the backend made), unlike jsonb.

CREATE TABLE accounts (
	id      text PRIMARY KEY,
	created timestamptz NOT NULL
);

-- A device is known by the SHA-256 of its token; the token itself is never
-- stored.
CREATE TABLE devices (
	id          text PRIMARY KEY,
	token_hash  bytea NOT NULL UNIQUE,
	platform    text NOT NULL,
	app_version text NOT NULL,
	account     text REFERENCES accounts (id),
	created     timestamptz NOT NULL
);

CREATE INDEX devices_account ON devices (account);

CREATE TABLE cases (
	id           text PRIMARY KEY,
	number       text NOT NULL UNIQUE,  -- 'YYYY-NNNNNN', for people
	service      text NOT NULL,
	form_id      text NOT NULL,
	form_version integer NOT NULL,
	data         json NOT NULL,
	status       text NOT NULL,
	created      timestamptz NOT NULL,
	device       text REFERENCES devices (id)  -- NULL for an anonymous submission
);

-- The last case number given out per year. Its row is locked from the
-- number's assignment until the case commits, so numbers have no gaps and no
-- duplicates, whichever process makes the case.
CREATE TABLE case_counters (
	year integer PRIMARY KEY,
	last integer NOT NULL
);

-- Idempotency keys are unique per scope: a device's id, or '' for anonymous
-- clients, so that one client's key never finds another client's case.
CREATE TABLE idempotency_keys (
	scope        text NOT NULL,
	key          text NOT NULL,
	request_hash bytea NOT NULL,
	case_id      text NOT NULL REFERENCES cases (id),
	created      timestamptz NOT NULL,
	PRIMARY KEY (scope, key)
);

CREATE INDEX idempotency_keys_case_id ON idempotency_keys (case_id);

-- The timeline of a case, oldest first.
CREATE TABLE case_events (
	case_id text NOT NULL REFERENCES cases (id),
	seq     integer NOT NULL,  -- 1, 2, ... per case
	status  text NOT NULL,
	at      timestamptz NOT NULL,
	note    json,              -- api.Text
	PRIMARY KEY (case_id, seq)
);
