-- Files and photos the citizen attached to a draft. The bytes and the file
-- name are sealed; size and checksum are not personal. upload_* track the
-- resumable upload to the backend.
CREATE TABLE attachments (
    id            TEXT    PRIMARY KEY,
    draft_id      TEXT    NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    meta_sealed   BLOB    NOT NULL,      -- {"name": ..., "type": ...}
    data_sealed   BLOB    NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    upload_url    TEXT    NOT NULL DEFAULT '',
    upload_offset INTEGER NOT NULL DEFAULT 0,
    uploaded      INTEGER NOT NULL DEFAULT 0 CHECK (uploaded IN (0, 1)),
    created       INTEGER NOT NULL
) STRICT;

CREATE INDEX attachments_draft ON attachments (draft_id);
