-- A draft's revision, so that SaveDraft can trust its memory of what it
-- last wrote (app/store/autosave.go) without reading the row back. It moves
-- with every write to the draft's row and when the draft's pending copy
-- stops being pending (sent, failed for good, deleted): SaveDraft's own
-- write moves it itself (rev = rev + 1), every other write by the
-- triggers below, so that no writer, today's or a future one, has to
-- remember it. A new row starts at a random revision: a draft deleted and
-- brought back by another device never matches what was remembered of the
-- one before.
ALTER TABLE drafts ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER drafts_rev_insert AFTER INSERT ON drafts
BEGIN
    UPDATE drafts SET rev = (random() & 0x3fffffffffffffff) WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER drafts_rev_update AFTER UPDATE ON drafts WHEN NEW.rev = OLD.rev
BEGIN
    UPDATE drafts SET rev = OLD.rev + 1 WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER outbox_copy_done AFTER UPDATE OF state ON outbox
    WHEN OLD.kind = 'draft' AND OLD.state = 'pending' AND NEW.state <> 'pending'
BEGIN
    UPDATE drafts SET rev = rev + 1 WHERE id = OLD.draft_id;
END;

CREATE TRIGGER outbox_copy_deleted AFTER DELETE ON outbox
    WHEN OLD.kind = 'draft' AND OLD.state = 'pending'
BEGIN
    UPDATE drafts SET rev = rev + 1 WHERE id = OLD.draft_id;
END;
