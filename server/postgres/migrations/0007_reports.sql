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

-- The photos of a report from the app: uploads (tus) of the device that
-- made it, each serving one report; the janitor keeps them.
CREATE TABLE report_photos (
	report_seq bigint NOT NULL REFERENCES reports (seq),
	n          bigint NOT NULL,  -- 1, 2, 3
	upload_id  text NOT NULL UNIQUE REFERENCES uploads (id),
	PRIMARY KEY (report_seq, n)
);

-- "+1": one per voter (a device, or an anonymous request's key) and report.
CREATE TABLE report_votes (
	report_seq bigint NOT NULL REFERENCES reports (seq),
	voter      text NOT NULL,
	PRIMARY KEY (report_seq, voter)
);
