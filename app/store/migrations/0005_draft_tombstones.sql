-- The latest deletion of each draft this device learnt of from the
-- backend, by its clock. It outlives the draft: the changes feed and the
-- answer to a sent copy can cross, and an older copy arriving after the
-- deletion must not bring back the fields written before it. A draft id
-- and a clock are no personal data.
CREATE TABLE draft_tombstones (
    draft_id TEXT PRIMARY KEY,
    clock    TEXT NOT NULL
) STRICT;
