-- Issue reports (Mängelmelder; Open311 service requests) and the Open311
-- API keys. The id people and Open311 clients see is seq as text. private
-- holds what the reporter said about themselves (e-mail, name, phone) and
-- is never part of a public answer.

CREATE TABLE reports (
	seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	token        text NOT NULL UNIQUE,
	service_code text NOT NULL,
	description  text NOT NULL,
	status       text NOT NULL CHECK (status IN ('open', 'closed')),
	status_notes text NOT NULL DEFAULT '',
	lat          double precision,
	long         double precision,
	address      text NOT NULL,
	address_id   text NOT NULL,
	media_url    text NOT NULL,
	attributes   json NOT NULL,
	private      json NOT NULL,
	device       text REFERENCES devices (id),
	source       text NOT NULL,
	requested    timestamptz NOT NULL,
	updated      timestamptz NOT NULL,
	CHECK ((lat IS NULL) = (long IS NULL))
);

CREATE INDEX reports_requested ON reports (requested);

-- Idempotency keys of reports from the app, per device ('' anonymous).
CREATE TABLE report_keys (
	scope        text NOT NULL,
	key          text NOT NULL,
	request_hash bytea NOT NULL,
	report_seq   bigint NOT NULL REFERENCES reports (seq),
	PRIMARY KEY (scope, key)
);

-- Keys of outside Open311 clients: the SHA-256 only.
CREATE TABLE open311_keys (
	name     text PRIMARY KEY,
	key_hash bytea NOT NULL UNIQUE,
	created  timestamptz NOT NULL,
	revoked  timestamptz
);
