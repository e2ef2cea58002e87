-- An upload belongs to the device that created it (NULL: an anonymous
-- upload) and serves one case: case_id is set, once, by the transaction
-- that makes the case, with a conditional update that a second case cannot
-- pass. Uploads recorded before this migration came from clients that sent
-- no credential: they stay anonymous. A case that already shares an upload
-- with another keeps its link; the upload is claimed by the earliest one.

ALTER TABLE uploads ADD COLUMN device TEXT REFERENCES devices (id);
ALTER TABLE uploads ADD COLUMN case_id TEXT REFERENCES cases (id);

UPDATE uploads SET case_id = (SELECT min(case_id) FROM case_attachments WHERE upload_id = uploads.id);
