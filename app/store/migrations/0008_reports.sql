-- Issue reports: the photos of a queued report wait here (sealed) until
-- the report is sent; my_reports remembers what this device reported.
-- The report itself is its outbox item's payload.

CREATE TABLE report_photos (
    id            TEXT    PRIMARY KEY,
    report_id     TEXT    NOT NULL,       -- the report's local id (its outbox item's draft_id)
    n             INTEGER NOT NULL,       -- 1, 2, 3
    type          TEXT    NOT NULL,
    data_sealed   BLOB    NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    upload_url    TEXT    NOT NULL DEFAULT '',
    upload_offset INTEGER NOT NULL DEFAULT 0,
    uploaded      INTEGER NOT NULL DEFAULT 0 CHECK (uploaded IN (0, 1)),
    UNIQUE (report_id, n)
) STRICT;

CREATE TABLE my_reports (
    local_id     TEXT    PRIMARY KEY,
    report_id    TEXT    NOT NULL DEFAULT '',
    service_code TEXT    NOT NULL,
    vote         INTEGER NOT NULL DEFAULT 0 CHECK (vote IN (0, 1)),
    queued       INTEGER NOT NULL
) STRICT;
