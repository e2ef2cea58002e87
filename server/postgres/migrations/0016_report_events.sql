-- The steps of a report's workflow (api.Statuses) with the town's message
-- and time, in order: Open311 keeps only open or closed and the latest
-- status_notes, the citizen's timeline wants each step. The receipt is not
-- stored: it is the report's requested time. Reports closed before this
-- migration get their closing as the one step known.
CREATE TABLE report_events (
	report_seq bigint      NOT NULL REFERENCES reports (seq),
	n          integer     NOT NULL,  -- 1, 2, ... in order
	status     text        NOT NULL,
	note       text        NOT NULL,  -- the town's message, as status_notes
	at         timestamptz NOT NULL,
	PRIMARY KEY (report_seq, n)
);

INSERT INTO report_events (report_seq, n, status, note, at)
	SELECT seq, 1, 'closed', status_notes, updated FROM reports WHERE status = 'closed';
