-- Casework (server/casework): the clerk who took a case, and the audit
-- log of every staff action, append-only: triggers refuse to change or
-- delete a row of it.

ALTER TABLE cases ADD COLUMN assignee TEXT;

CREATE INDEX cases_created ON cases (created);
CREATE INDEX cases_service_created ON cases (service, created);

CREATE TABLE case_audit (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id TEXT NOT NULL REFERENCES cases (id),
	actor   TEXT NOT NULL,
	at      TEXT NOT NULL,  -- RFC 3339, UTC
	action  TEXT NOT NULL,  -- casework.ActTake, ActMove, ActNote
	before  TEXT NOT NULL CHECK (json_valid(before)),  -- casework.State
	after   TEXT NOT NULL CHECK (json_valid(after)),
	detail  TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX case_audit_case ON case_audit (case_id, seq);

CREATE TRIGGER case_audit_no_update BEFORE UPDATE ON case_audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TRIGGER case_audit_no_delete BEFORE DELETE ON case_audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
