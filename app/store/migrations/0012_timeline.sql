-- Status timelines: a report of this device keeps the town's steps as the
-- changes feed brought them (Open311 keeps only open or closed), and a
-- case or report the town moved on is new until the citizen opens it.

ALTER TABLE my_reports ADD COLUMN status  TEXT    NOT NULL DEFAULT '';
ALTER TABLE my_reports ADD COLUMN history TEXT    NOT NULL DEFAULT '[]';  -- JSON: the steps (api.CaseEvent), oldest first
ALTER TABLE my_reports ADD COLUMN unseen  INTEGER NOT NULL DEFAULT 0 CHECK (unseen IN (0, 1));
ALTER TABLE cases      ADD COLUMN unseen  INTEGER NOT NULL DEFAULT 0 CHECK (unseen IN (0, 1));
