-- An upload belongs to the device that created it (NULL: an anonymous
-- upload) and serves one case: case_id is set, once, by the transaction
-- that makes the case, with a conditional update that a second case cannot
-- pass. Uploads recorded before this migration came from clients that sent
-- no credential: they stay anonymous. A case that already shares an upload
-- with another keeps its link; the upload is claimed by the case with the
-- least id, as in server/sqlite's 0007. The claim comes before the
-- case's own row in its transaction (the number is taken last), so the
-- reference to the case is checked at commit.

ALTER TABLE uploads ADD COLUMN device text REFERENCES devices (id);
ALTER TABLE uploads ADD COLUMN case_id text REFERENCES cases (id) DEFERRABLE INITIALLY DEFERRED;

UPDATE uploads SET case_id = (SELECT min(case_id) FROM case_attachments WHERE upload_id = uploads.id);
