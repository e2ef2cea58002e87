-- Handoffs of a draft from a kiosk to a phone (server/handoff): ciphertext
-- the backend cannot open, dropped at the claim. Times are Unix
-- milliseconds; claimed 0 until claimed.
CREATE TABLE handoffs (
	id         TEXT PRIMARY KEY,
	device     TEXT NOT NULL REFERENCES devices (id),
	ciphertext BLOB NOT NULL,
	created    INTEGER NOT NULL,
	expires    INTEGER NOT NULL,
	claimed    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX handoffs_expires ON handoffs (expires);
