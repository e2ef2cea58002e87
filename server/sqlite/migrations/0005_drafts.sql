-- Draft copies shared by the devices of an account, merged per field by
-- hybrid logical clock, and the values that lost a merge.

CREATE TABLE drafts (
	owner   TEXT NOT NULL,  -- 'account:' + account id, or 'device:' + device id
	id      TEXT NOT NULL,  -- the app's draft id
	copy    TEXT NOT NULL CHECK (json_valid(copy)),  -- the merged api.DraftCopy
	updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	PRIMARY KEY (owner, id)
) STRICT;

CREATE TABLE draft_conflicts (
	owner    TEXT NOT NULL,
	draft_id TEXT NOT NULL,
	field    TEXT NOT NULL,
	value    TEXT CHECK (value IS NULL OR json_valid(value)),  -- the losing value; NULL: it was a clearing
	clock    TEXT NOT NULL,  -- the losing value's clock
	device   TEXT NOT NULL,  -- the device in that clock
	winner   TEXT NOT NULL,  -- the clock that won
	recorded TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	PRIMARY KEY (owner, draft_id, field, clock)
) STRICT;
