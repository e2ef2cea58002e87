-- Casework (server/casework): the clerk who took a case, and the audit
-- log of every staff action, append-only: a trigger refuses to change or
-- delete a row of it.

ALTER TABLE cases ADD COLUMN assignee text;

CREATE INDEX cases_created ON cases (created);
CREATE INDEX cases_service_created ON cases (service, created);

CREATE TABLE case_audit (
	seq     bigserial PRIMARY KEY,
	case_id text NOT NULL REFERENCES cases (id),
	actor   text NOT NULL,
	at      timestamptz NOT NULL,
	action  text NOT NULL,   -- casework.ActTake, ActMove, ActNote
	before  json NOT NULL,   -- casework.State
	after   json NOT NULL,
	detail  text NOT NULL DEFAULT ''
);

CREATE INDEX case_audit_case ON case_audit (case_id, seq);

CREATE FUNCTION case_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the audit log is append-only';
END;
$$;

CREATE TRIGGER case_audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON case_audit
	FOR EACH STATEMENT EXECUTE FUNCTION case_audit_append_only();
