-- The changes feed: an append-only log that devices read from a cursor
-- (GET /v1/changes?since=SEQ), and the server's own small state.
--
-- A sequence hands out seq when the row is inserted, not when it commits; two
-- transactions could commit out of order, and a device whose cursor passed the
-- later one would never see the earlier. So whoever appends takes the feed's
-- lock first (an advisory lock held until commit, see server/postgres): seqs
-- become visible in order.

CREATE TABLE changes (
	seq     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	scope   text NOT NULL CHECK (scope IN ('device', 'account', 'everyone')),
	target  text NOT NULL DEFAULT '',  -- the device's or account's id; '' for everyone
	kind    text NOT NULL,             -- api.ChangeCase, api.ChangeCatalog, api.ChangeDraft
	origin  text NOT NULL DEFAULT '',  -- the device that caused the change, if any
	payload json NOT NULL,             -- the api.Change without its seq
	created timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX changes_target ON changes (scope, target, seq);

-- Key-value state of the server itself, e.g. the catalog ETag it last
-- announced.
CREATE TABLE server_state (
	key   text PRIMARY KEY,
	value text NOT NULL
);
