-- The quotas count, before every submission and draft write, the draft
-- copies of the device's owner that hold a field and their bytes
-- (server.Usage). Both are kept beside each copy when it is written, as
-- PostgreSQL's store does, and an index holds them with the owner, so that
-- counting reads the index only, never a copy. (The defaults only let the
-- columns be added to a table with rows; PutDraft always writes both.)

ALTER TABLE drafts ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE drafts ADD COLUMN has_fields INTEGER NOT NULL DEFAULT 0 CHECK (has_fields IN (0, 1));

-- The copies written before are json.Marshal(api.DraftCopy): what Usage
-- read from them until now.
UPDATE drafts SET
	bytes = length(CAST(copy AS BLOB)),
	has_fields = coalesce(json_extract(copy, '$.fields') NOT IN ('{}', 'null'), 0);

CREATE INDEX drafts_usage ON drafts (owner, has_fields, bytes);
