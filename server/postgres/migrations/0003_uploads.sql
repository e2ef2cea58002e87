-- Resumable uploads (their bytes live in the tus file store) and the
-- attachments of cases, which keep their uploads from expiring.

CREATE TABLE uploads (
	id       text PRIMARY KEY,     -- the tus upload id, the last segment of its URL
	size     bigint NOT NULL,      -- the declared Upload-Length
	sha256   text NOT NULL,        -- from Upload-Metadata, 64 lower-case hex digits
	filename text NOT NULL,
	filetype text NOT NULL,
	created  timestamptz NOT NULL,
	finished timestamptz           -- once complete and checked
);

CREATE INDEX uploads_created ON uploads (created) WHERE finished IS NULL;
CREATE INDEX uploads_finished ON uploads (finished) WHERE finished IS NOT NULL;

CREATE TABLE case_attachments (
	case_id   text NOT NULL REFERENCES cases (id),
	pointer   text NOT NULL,       -- JSON Pointer of the value in the case's data
	upload_id text NOT NULL REFERENCES uploads (id),
	PRIMARY KEY (case_id, pointer)
);

CREATE INDEX case_attachments_upload ON case_attachments (upload_id);
