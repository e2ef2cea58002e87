-- Draft copies shared by the devices of an account, merged per field by
-- hybrid logical clock, and the values that lost a merge.

CREATE TABLE drafts (
	owner   text NOT NULL,  -- 'account:' + account id, or 'device:' + device id
	id      text NOT NULL,  -- the app's draft id
	copy    json NOT NULL,  -- the merged api.DraftCopy
	updated timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (owner, id)
);

CREATE TABLE draft_conflicts (
	owner    text NOT NULL,
	draft_id text NOT NULL,
	field    bytea NOT NULL,  -- UTF-8; bytea, as a field name is any JSON string, NUL included, which text cannot hold
	value    json,            -- the losing value; NULL: it was a clearing
	clock    text NOT NULL,   -- the losing value's clock
	device   text NOT NULL,   -- the device in that clock
	winner   text NOT NULL,   -- the clock that won
	recorded timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (owner, draft_id, field, clock)
);
