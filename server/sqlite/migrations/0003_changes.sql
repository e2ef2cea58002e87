-- The changes feed: an append-only log that devices read from a cursor
-- (GET /v1/changes?since=SEQ), and the server's own small state.

CREATE TABLE changes (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: cursors only move forward
	scope   TEXT NOT NULL CHECK (scope IN ('device', 'account', 'everyone')),
	target  TEXT NOT NULL DEFAULT '',  -- the device's or account's id; '' for everyone
	kind    TEXT NOT NULL,             -- api.ChangeCase, api.ChangeCatalog, api.ChangeDraft
	origin  TEXT NOT NULL DEFAULT '',  -- the device that caused the change, if any
	payload TEXT NOT NULL CHECK (json_valid(payload)),  -- the api.Change without its seq
	created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE INDEX changes_target ON changes (scope, target, seq);

-- Key-value state of the server itself, e.g. the catalog ETag it last
-- announced.
CREATE TABLE server_state (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;
