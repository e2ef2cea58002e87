-- Cases and the idempotency keys that created them.

CREATE TABLE cases (
	id           TEXT PRIMARY KEY,
	number       TEXT NOT NULL UNIQUE,  -- "YYYY-NNNNNN", for people
	service      TEXT NOT NULL,
	form_id      TEXT NOT NULL,
	form_version INTEGER NOT NULL,
	data         TEXT NOT NULL CHECK (json_valid(data)),
	status       TEXT NOT NULL,
	created      TEXT NOT NULL          -- RFC 3339, UTC
) STRICT;

-- The last case number given out per year; a row per year keeps numbering
-- O(1) and gap-free within the transaction that creates the case.
CREATE TABLE case_counters (
	year INTEGER PRIMARY KEY,
	last INTEGER NOT NULL
) STRICT;

CREATE TABLE idempotency_keys (
	key          TEXT PRIMARY KEY,
	request_hash BLOB NOT NULL,
	case_id      TEXT NOT NULL REFERENCES cases (id),
	created      TEXT NOT NULL
) STRICT;

CREATE INDEX idempotency_keys_case_id ON idempotency_keys (case_id);
