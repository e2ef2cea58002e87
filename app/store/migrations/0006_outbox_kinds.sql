-- Outgoing kinds are checked in Go (app/citizen registers them): the table
-- takes any kind's name, so that a new kind needs no table rebuild. This is
-- the last rebuild for that.
--
-- Draft copies without a tombstone used to seal their empty payload ('{}')
-- without the item's key as associated data, so that it could not be
-- opened like every other payload. They carry nothing: their payload
-- becomes empty, which reads as an empty payload. A sealed '{}' is 43
-- bytes (version, 24-byte nonce, 2 bytes, 16-byte tag); a tombstone is
-- far longer.
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id        TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind <> ''),
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

INSERT INTO outbox_new (id, draft_id, kind, idempotency_key, payload_sealed, state, attempts, next_attempt, last_error, last_code, created, progress, total)
    SELECT id, draft_id, kind, idempotency_key,
           CASE WHEN kind = 'draft' AND length(payload_sealed) = 43 THEN x'' ELSE payload_sealed END,
           state, attempts, next_attempt, last_error, last_code, created, progress, total
    FROM outbox;
-- Ids are never reused, also those of items deleted before.
INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_new', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'outbox_new');
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)) WHERE name = 'outbox_new';
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (state, next_attempt);
CREATE INDEX outbox_draft ON outbox (draft_id);
-- At most one pending copy per draft: later edits ride on it.
CREATE UNIQUE INDEX outbox_one_pending_copy ON outbox (draft_id) WHERE kind = 'draft' AND state = 'pending';
