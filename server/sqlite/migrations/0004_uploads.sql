-- Resumable uploads (their bytes live in the tus file store) and the
-- attachments of cases, which keep their uploads from expiring.

CREATE TABLE uploads (
	id       TEXT PRIMARY KEY,          -- the tus upload id, the last segment of its URL
	size     INTEGER NOT NULL,          -- the declared Upload-Length
	sha256   TEXT NOT NULL,             -- from Upload-Metadata, 64 lower-case hex digits
	filename TEXT NOT NULL,
	filetype TEXT NOT NULL,
	created  INTEGER NOT NULL,          -- Unix milliseconds
	finished INTEGER                    -- Unix milliseconds, once complete and checked
) STRICT;

CREATE INDEX uploads_created ON uploads (created) WHERE finished IS NULL;
CREATE INDEX uploads_finished ON uploads (finished) WHERE finished IS NOT NULL;

CREATE TABLE case_attachments (
	case_id   TEXT NOT NULL REFERENCES cases (id),
	pointer   TEXT NOT NULL,            -- JSON Pointer of the value in the case's data
	upload_id TEXT NOT NULL REFERENCES uploads (id),
	PRIMARY KEY (case_id, pointer)
) STRICT;

CREATE INDEX case_attachments_upload ON case_attachments (upload_id);
