-- The app's local database. Personal data (draft values, outgoing payloads)
-- is stored sealed (the *_sealed columns); times are Unix milliseconds (UTC).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- The catalog as last received (or the embedded demo one); one row.
CREATE TABLE catalog (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    body    TEXT    NOT NULL,
    etag    TEXT    NOT NULL DEFAULT '',
    source  TEXT    NOT NULL,            -- 'demo' or 'backend'
    updated INTEGER NOT NULL
) STRICT;

-- Form definitions are immutable per version: fetched once, kept.
CREATE TABLE forms (
    id      TEXT    NOT NULL,
    version INTEGER NOT NULL,
    body    TEXT    NOT NULL,
    fetched INTEGER NOT NULL,
    PRIMARY KEY (id, version)
) STRICT;

CREATE TABLE drafts (
    id            TEXT    PRIMARY KEY,
    service       TEXT    NOT NULL,
    form_id       TEXT    NOT NULL,
    form_version  INTEGER NOT NULL,
    values_sealed BLOB    NOT NULL,
    step          INTEGER NOT NULL DEFAULT 0,
    state         TEXT    NOT NULL CHECK (state IN ('editing', 'queued', 'sent', 'rejected')),
    case_number   TEXT    NOT NULL DEFAULT '',
    problem       TEXT,                  -- RFC 9457 JSON of a rejection
    created       INTEGER NOT NULL,
    updated       INTEGER NOT NULL
) STRICT;

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id        TEXT    NOT NULL REFERENCES drafts (id) ON DELETE RESTRICT,
    kind            TEXT    NOT NULL CHECK (kind IN ('submission')),
    idempotency_key TEXT    NOT NULL UNIQUE,
    payload_sealed  BLOB    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt    INTEGER NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '',
    last_code       TEXT    NOT NULL DEFAULT '',
    created         INTEGER NOT NULL
) STRICT;

CREATE INDEX outbox_due ON outbox (state, next_attempt);
CREATE INDEX outbox_draft ON outbox (draft_id);

-- Mirror of the backend's cases for this device.
CREATE TABLE cases (
    id           TEXT    PRIMARY KEY,
    number       TEXT    NOT NULL UNIQUE,
    draft_id     TEXT    REFERENCES drafts (id) ON DELETE SET NULL,
    service      TEXT    NOT NULL,
    form_id      TEXT    NOT NULL,
    form_version INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    submitted    INTEGER NOT NULL
) STRICT;

CREATE INDEX cases_draft ON cases (draft_id);

-- Cursors and validators of the sync engine.
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
