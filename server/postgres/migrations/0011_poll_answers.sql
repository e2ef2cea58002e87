-- Poll answers (server/polls): one per device and poll, replaced while the
-- poll is open. Times are Unix seconds, as in the SQLite store.
CREATE TABLE poll_answers (
	poll     text NOT NULL,
	device   text NOT NULL REFERENCES devices (id),
	data     text NOT NULL,  -- the answer, JSON
	answered bigint NOT NULL,
	PRIMARY KEY (poll, device)
);
