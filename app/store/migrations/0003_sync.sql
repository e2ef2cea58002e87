-- Sync across the devices of an account, and progress of outgoing items.

-- clocks: the hybrid logical clock of each top-level field's last change;
-- synced: per field, the clock the backend is known to have (JSON objects).
-- A field whose two clocks differ still has to be sent.
ALTER TABLE drafts ADD COLUMN clocks TEXT NOT NULL DEFAULT '{}';
ALTER TABLE drafts ADD COLUMN synced TEXT NOT NULL DEFAULT '{}';

-- The outbox gains draft copies ('draft') beside submissions, and byte
-- progress for uploads. A draft's deletion travels as a tombstone that
-- outlives the draft, so draft_id is no foreign key any more.
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id        TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('submission', 'draft')),
    idempotency_key TEXT    NOT NULL UNIQUE,
    payload_sealed  BLOB    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt    INTEGER NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '',
    last_code       TEXT    NOT NULL DEFAULT '',
    created         INTEGER NOT NULL,
    progress        INTEGER NOT NULL DEFAULT 0,
    total           INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO outbox_new (id, draft_id, kind, idempotency_key, payload_sealed, state, attempts, next_attempt, last_error, last_code, created)
    SELECT id, draft_id, kind, idempotency_key, payload_sealed, state, attempts, next_attempt, last_error, last_code, created FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (state, next_attempt);
CREATE INDEX outbox_draft ON outbox (draft_id);
-- At most one pending copy per draft: later edits ride on it.
CREATE UNIQUE INDEX outbox_one_pending_copy ON outbox (draft_id) WHERE kind = 'draft' AND state = 'pending';

-- Values that lost against another device's later change, for the citizen
-- to look at. The value is sealed like the draft's.
CREATE TABLE conflicts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id     TEXT    NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    field        TEXT    NOT NULL,
    value_sealed BLOB    NOT NULL,
    clock        TEXT    NOT NULL,
    created      INTEGER NOT NULL,
    seen         INTEGER NOT NULL DEFAULT 0 CHECK (seen IN (0, 1))
) STRICT;

CREATE INDEX conflicts_draft ON conflicts (draft_id);

-- The case timeline as the backend reports it (JSON array of events).
ALTER TABLE cases ADD COLUMN history TEXT NOT NULL DEFAULT '[]';
ALTER TABLE cases ADD COLUMN updated INTEGER NOT NULL DEFAULT 0;
