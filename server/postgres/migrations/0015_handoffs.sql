-- Handoffs of a draft from a kiosk to a phone (server/handoff): ciphertext
-- the backend cannot open, dropped at the claim. Times are Unix
-- milliseconds, as in the SQLite store; claimed 0 until claimed.
CREATE TABLE handoffs (
	id         text PRIMARY KEY,
	device     text NOT NULL REFERENCES devices (id),
	ciphertext bytea NOT NULL,
	created    bigint NOT NULL,
	expires    bigint NOT NULL,
	claimed    bigint NOT NULL DEFAULT 0
);
CREATE INDEX handoffs_expires ON handoffs (expires);
