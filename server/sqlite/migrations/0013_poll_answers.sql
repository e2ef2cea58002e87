-- Poll answers (server/polls): one per device and poll, replaced while the
-- poll is open. Times are Unix seconds.
CREATE TABLE poll_answers (
	poll     TEXT NOT NULL,
	device   TEXT NOT NULL REFERENCES devices (id),
	data     TEXT NOT NULL,  -- the answer, JSON
	answered INTEGER NOT NULL,
	PRIMARY KEY (poll, device)
) STRICT;
