-- Issue reports (Mängelmelder; Open311 service requests) and the Open311
-- API keys. The id people and Open311 clients see is seq as text. private
-- holds what the reporter said about themselves (e-mail, name, phone) and
-- is never part of a public answer.

CREATE TABLE reports (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	token        TEXT NOT NULL UNIQUE,
	service_code TEXT NOT NULL,
	description  TEXT NOT NULL,
	status       TEXT NOT NULL CHECK (status IN ('open', 'closed')),
	status_notes TEXT NOT NULL DEFAULT '',
	lat          REAL,
	long         REAL,
	address      TEXT NOT NULL,
	address_id   TEXT NOT NULL,
	media_url    TEXT NOT NULL,
	attributes   TEXT NOT NULL CHECK (json_valid(attributes)),
	private      TEXT NOT NULL CHECK (json_valid(private)),
	device       TEXT REFERENCES devices (id),
	source       TEXT NOT NULL,
	requested    TEXT NOT NULL,  -- RFC 3339, UTC, to the microsecond: 2026-12-07T09:30:00.000000Z
	updated      TEXT NOT NULL,
	CHECK ((lat IS NULL) = (long IS NULL))
) STRICT;

CREATE INDEX reports_requested ON reports (requested);

-- Idempotency keys of reports from the app, per device ('' anonymous).
CREATE TABLE report_keys (
	scope        TEXT NOT NULL,
	key          TEXT NOT NULL,
	request_hash BLOB NOT NULL,
	report_seq   INTEGER NOT NULL REFERENCES reports (seq),
	PRIMARY KEY (scope, key)
) STRICT;

-- Keys of outside Open311 clients: the SHA-256 only.
CREATE TABLE open311_keys (
	name     TEXT PRIMARY KEY,
	key_hash BLOB NOT NULL UNIQUE,
	created  TEXT NOT NULL,
	revoked  TEXT
) STRICT;

-- The photos of a report from the app: uploads (tus) of the device that
-- made it, each serving one report; the janitor keeps them.
CREATE TABLE report_photos (
	report_seq INTEGER NOT NULL REFERENCES reports (seq),
	n          INTEGER NOT NULL,  -- 1, 2, 3
	upload_id  TEXT NOT NULL UNIQUE REFERENCES uploads (id),
	PRIMARY KEY (report_seq, n)
) STRICT;

-- "+1": one per voter (a device, or an anonymous request's key) and report.
CREATE TABLE report_votes (
	report_seq INTEGER NOT NULL REFERENCES reports (seq),
	voter      TEXT NOT NULL,
	PRIMARY KEY (report_seq, voter)
) STRICT;
