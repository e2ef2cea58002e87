-- The mirror of cases and the device's reports are personal too: a case's
-- number and its timeline (the town's messages to the citizen), a report's
-- timeline, and the cached feed of reports (with this device's own report,
-- its description and address) are sealed from here on.
--
-- What stays clear, and why: ids (lookups, foreign keys, the changes feed
-- names them), states and times (the sync engine and the lists select and
-- order by them), the service and form of a case (a catalog entry, the same
-- for every citizen, that the app joins with the catalog and forms), and
-- steps, the length of a case's timeline (the rule that a timeline only
-- grows, decided in SQL when a copy of the case comes).
--
-- A sent draft's case number is read from the sealed mirror (the case
-- whose draft_id it is); drafts.case_number is emptied as it is written
-- (the store's Acknowledge names it and records the case in the same
-- transaction), and Open empties what an older version wrote.
CREATE TRIGGER drafts_case_number_sealed AFTER UPDATE OF case_number ON drafts
    WHEN NEW.case_number <> ''
BEGIN
    UPDATE drafts SET case_number = '' WHERE rowid = NEW.rowid;
END;

-- The clear columns cases.number, cases.history and my_reports.history stay
-- (a UNIQUE column cannot be dropped, and rebuilding cases would cascade
-- into notices) but hold nothing personal once sealed: number holds the
-- case's id, history '[]'. A row whose sealed is NULL was written before
-- this migration: Open seals it with the data key (sealMirror in
-- app/store/mirror.go), which SQL cannot do.
ALTER TABLE cases      ADD COLUMN sealed BLOB;                       -- {"number","history"} sealed
ALTER TABLE cases      ADD COLUMN steps  INTEGER NOT NULL DEFAULT 0; -- len(history)
ALTER TABLE my_reports ADD COLUMN sealed BLOB;                       -- {"history"} sealed

-- Caches that may hold personal data (the feed of reports holds this
-- device's own), sealed under their key.
CREATE TABLE sealed_state (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;
