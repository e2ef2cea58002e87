package store

import (
	"context"
	"encoding/json"

	"rathaus/app/citizen"
)

// A kiosk's citizen session has a database of its own (app/kiosk); what
// the citizen submitted is carried into the kiosk's database, which the
// kiosk's sync engine sends, so that it goes out even once the session
// and its key are gone. Carried is one such submission, opened.

// Carried is a submission on its way, with its draft and files, in clear:
// it leaves one store's seal for another's, never for a file.
type Carried struct {
	Draft *citizen.Draft
	Files []CarriedFile
	Item  *citizen.OutboxItem
}

// CarriedFile is one of the draft's attachments with its bytes.
type CarriedFile struct {
	citizen.Attachment
	Data []byte
}

// PendingSubmissions returns the submissions queued and not yet carried
// or sent, oldest first, each with its draft and files.
func (s *Store) PendingSubmissions(ctx context.Context) ([]Carried, error) {
	items, err := s.queryOutbox(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE state = 'pending' AND kind = ? ORDER BY id`,
		citizen.OutboxSubmission.String())
	if err != nil {
		return nil, err
	}
	var out []Carried
	for _, it := range items {
		if it.Locked {
			continue // sealed with a key the session never lost: cannot happen
		}
		d, err := s.Draft(ctx, it.DraftID)
		if err != nil {
			return nil, err
		}
		atts, err := s.Attachments(ctx, it.DraftID)
		if err != nil {
			return nil, err
		}
		c := Carried{Draft: d, Item: it}
		for _, a := range atts {
			data, err := s.AttachmentData(ctx, a.ID)
			if err != nil {
				return nil, err
			}
			c.Files = append(c.Files, CarriedFile{Attachment: *a, Data: data})
		}
		out = append(out, c)
	}
	return out, nil
}

// TakeCarried stores a carried submission, sealed with this store's key,
// under its idempotency key, in one transaction: the draft (queued), its
// files (to be uploaded afresh) and the outbox item, due now. Taking one
// twice (a crash before the session marked it carried) stores it once,
// and the backend's idempotency makes one case of it however often it goes.
func (s *Store) TakeCarried(ctx context.Context, c Carried) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("taking a submission over", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE idempotency_key = ?`, c.Item.IdempotencyKey).Scan(&n); err != nil {
		return storageError("taking a submission over", err)
	}
	if n > 0 {
		return nil
	}
	d := c.Draft
	sealed, err := s.sealValues(d.ID, d.Values)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO drafts (id, service, form_id, form_version, values_sealed, step, state, created, updated, clocks)
		VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, '{}')`,
		d.ID, d.Service, d.Form.ID, d.Form.Version, sealed, d.Step, ms(d.Created), ms(s.now())); err != nil {
		return storageError("taking a submission over", err)
	}
	for _, f := range c.Files {
		meta, err := json.Marshal(attachmentMeta{Name: f.Name, Type: f.Type})
		if err != nil {
			return err
		}
		sealedMeta, err := s.sealer.Seal(meta, attachmentMetaAD(f.ID))
		if err != nil {
			return err
		}
		sealedData, err := s.sealer.Seal(f.Data, attachmentAD(f.ID))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO attachments (id, draft_id, meta_sealed, data_sealed, size, sha256, created)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, f.ID, d.ID, sealedMeta, sealedData, f.Size, f.SHA256, ms(s.now())); err != nil {
			return storageError("taking a submission over", err)
		}
	}
	now := s.now()
	it := &citizen.OutboxItem{Kind: c.Item.Kind, DraftID: d.ID, IdempotencyKey: c.Item.IdempotencyKey, Payload: c.Item.Payload,
		State: citizen.OutboxPending, NextAttempt: now, Created: c.Item.Created, Total: c.Item.Total}
	if _, err := s.enqueue(ctx, tx, it, false); err != nil {
		return err
	}
	return storageError("taking a submission over", tx.Commit())
}

// PurgeSent deletes, on a kiosk, every trace of citizens whose
// submissions the backend acknowledged: their drafts, files, done items,
// and the cases and notices the changes feed mirrors for the kiosk's
// device. What is still on its way, or refused, stays (rule 1). The rows
// are zeroed (secure_delete) and the WAL is checkpointed and truncated.
func (s *Store) PurgeSent(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("purging", err)
	}
	defer tx.Rollback()
	for _, q := range []string{
		`DELETE FROM outbox WHERE state = 'done'`,
		`DELETE FROM notices`,
		`DELETE FROM cases`,
		`DELETE FROM conflicts WHERE draft_id IN (SELECT id FROM drafts WHERE state = 'sent')`,
		`DELETE FROM drafts WHERE state = 'sent' AND id NOT IN (SELECT draft_id FROM outbox)`,
		`DELETE FROM draft_tombstones`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return storageError("purging", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return storageError("purging", err)
	}
	return s.Checkpoint(ctx)
}

// Checkpoint copies the WAL into the database and truncates it, so that
// what was deleted is gone from the WAL file too.
func (s *Store) Checkpoint(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return storageError("checkpointing", err)
}
