-- The steps of a report's workflow (api.Statuses) with the town's message
-- and time, in order: Open311 keeps only open or closed and the latest
-- status_notes, the citizen's timeline wants each step. The receipt is not
-- stored: it is the report's requested time. Reports closed before this
-- migration get their closing as the one step known.
CREATE TABLE report_events (
	report_seq INTEGER NOT NULL REFERENCES reports (seq),
	n          INTEGER NOT NULL,  -- 1, 2, ... in order
	status     TEXT    NOT NULL,
	note       TEXT    NOT NULL,  -- the town's message, as status_notes
	at         TEXT    NOT NULL,  -- RFC 3339, UTC, to the microsecond
	PRIMARY KEY (report_seq, n)
) STRICT;

INSERT INTO report_events (report_seq, n, status, note, at)
	SELECT seq, 1, 'closed', status_notes, updated FROM reports WHERE status = 'closed';
