package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
)

// Submit queues a draft for the backend: in one transaction the draft turns
// "queued" and an outbox row is written with the submission and a fresh
// idempotency key. Either both happen or neither. data is what is sent (the
// draft's values without those of hidden fields); nil sends the draft's
// stored values as they are.
func (s *Store) Submit(ctx context.Context, draftID string, data map[string]any) (*citizen.OutboxItem, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, storageError("submitting", err)
	}
	defer tx.Rollback()
	d, err := s.scanDraft(tx.QueryRowContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE id = ?`, draftID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, citizen.Errorf(citizen.ENOTFOUND, "This draft does not exist (any more).")
	}
	if err != nil {
		return nil, err
	}
	if d.Locked {
		return nil, citizen.Errorf(citizen.ELOCKED, "This draft was saved with a key this device no longer has.")
	}
	if !d.State.Editable() {
		return nil, citizen.Errorf(citizen.ECONFLICT, "This draft was already sent.")
	}
	if data == nil {
		data = d.Values
	}
	payload, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	now := s.now()
	it := &citizen.OutboxItem{
		Kind:           citizen.OutboxSubmission,
		DraftID:        d.ID,
		IdempotencyKey: citizen.NewID(),
		Request:        api.SubmissionRequest{Service: d.Service, Form: d.Form, Data: payload},
		State:          citizen.OutboxPending,
		NextAttempt:    now,
		Created:        now,
	}
	sealed, err := s.sealPayload(it)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE drafts SET state = 'queued', problem = NULL, updated = ? WHERE id = ?`, ms(now), d.ID); err != nil {
		return nil, storageError("submitting", err)
	}
	var total int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(size), 0) FROM attachments WHERE draft_id = ?`, d.ID).Scan(&total); err != nil {
		return nil, storageError("submitting", err)
	}
	it.Total = total
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (draft_id, kind, idempotency_key, payload_sealed, state, next_attempt, created, total)
		VALUES (?, 'submission', ?, ?, 'pending', ?, ?, ?)`, d.ID, it.IdempotencyKey, sealed, ms(now), ms(now), total)
	if err != nil {
		return nil, storageError("submitting", err)
	}
	if it.ID, err = res.LastInsertId(); err != nil {
		return nil, storageError("submitting", err)
	}
	return it, storageError("submitting", tx.Commit())
}

const outboxColumns = `id, kind, draft_id, idempotency_key, payload_sealed, state, attempts, next_attempt, last_error, last_code, created, progress, total`

// DueOutbox returns the pending items whose next attempt is due at now, in
// the order they were queued; with all set, every pending item (used when
// connectivity returns, to retry at once).
func (s *Store) DueOutbox(ctx context.Context, now time.Time, all bool) ([]*citizen.OutboxItem, error) {
	due := ms(now)
	if all {
		due = 1<<63 - 1
	}
	return s.queryOutbox(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE state = 'pending' AND next_attempt <= ? ORDER BY id`, due)
}

// Outbox returns the submissions not yet done (pending and failed), oldest
// first: what the citizen sees as on its way.
func (s *Store) Outbox(ctx context.Context) ([]*citizen.OutboxItem, error) {
	return s.queryOutbox(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE state != 'done' AND kind = 'submission' ORDER BY id`)
}

// OutboxItem returns one item.
func (s *Store) OutboxItem(ctx context.Context, id int64) (*citizen.OutboxItem, error) {
	items, err := s.queryOutbox(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, citizen.Errorf(citizen.ENOTFOUND, "No such outbox item.")
	}
	return items[0], nil
}

func (s *Store) queryOutbox(ctx context.Context, query string, args ...any) ([]*citizen.OutboxItem, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, storageError("reading the outbox", err)
	}
	defer rows.Close()
	var out []*citizen.OutboxItem
	for rows.Next() {
		var it citizen.OutboxItem
		var payload []byte
		var state string
		var next, created int64
		if err := rows.Scan(&it.ID, &it.Kind, &it.DraftID, &it.IdempotencyKey, &payload, &state, &it.Attempts, &next, &it.LastError, &it.LastCode, &created, &it.Progress, &it.Total); err != nil {
			return nil, storageError("reading the outbox", err)
		}
		it.State, _ = citizen.ParseOutboxState(state)
		it.NextAttempt, it.Created = fromMS(next), fromMS(created)
		var err error
		switch it.Kind {
		case citizen.OutboxSubmission:
			var plain []byte
			if plain, err = s.sealer.Open(payload, []byte("outbox:"+it.IdempotencyKey)); err == nil {
				err = json.Unmarshal(plain, &it.Request)
			}
		case citizen.OutboxDraft:
			if plain, oerr := s.sealer.Open(payload, []byte("outbox:"+it.IdempotencyKey)); oerr == nil {
				// A tombstone; a copy of changes has no payload of its own.
				var t api.DraftCopy
				if json.Unmarshal(plain, &t) == nil && t.Deleted != nil {
					it.Tombstone = &t
				}
			}
		}
		if err != nil {
			// Keep the item visible; the engine fails it as locked.
			it.LastCode = citizen.ELOCKED
		}
		out = append(out, &it)
	}
	return out, storageError("reading the outbox", rows.Err())
}

// Acknowledge records the backend's case for an item: the item is done, its
// draft sent with the case number, and the case mirrored, in one transaction.
// Acknowledging twice is harmless.
func (s *Store) Acknowledge(ctx context.Context, itemID int64, c api.Case) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("recording a case", err)
	}
	defer tx.Rollback()
	var draftID string
	if err := tx.QueryRowContext(ctx, `SELECT draft_id FROM outbox WHERE id = ?`, itemID).Scan(&draftID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return citizen.Errorf(citizen.ENOTFOUND, "No such outbox item.")
		}
		return storageError("recording a case", err)
	}
	now := ms(s.now())
	stmts := []struct {
		q    string
		args []any
	}{
		{`UPDATE outbox SET state = 'done', last_error = '', last_code = '' WHERE id = ?`, []any{itemID}},
		{`UPDATE drafts SET state = 'sent', case_number = ?, problem = NULL, updated = ? WHERE id = ?`, []any{c.Number, now, draftID}},
	}
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
			return storageError("recording a case", err)
		}
	}
	if err := s.upsertCase(ctx, tx, draftID, c); err != nil {
		return err
	}
	return storageError("recording a case", tx.Commit())
}

// Reject records that the backend refused an item for good: the item fails
// and, for a submission, its draft becomes editable again with the
// backend's problem attached. A refused draft copy leaves the draft alone.
func (s *Store) Reject(ctx context.Context, itemID int64, p *api.Problem, code, message string) error {
	var problem any
	if p != nil {
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		problem = string(b)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("recording a rejection", err)
	}
	defer tx.Rollback()
	var draftID, kind string
	if err := tx.QueryRowContext(ctx, `SELECT draft_id, kind FROM outbox WHERE id = ?`, itemID).Scan(&draftID, &kind); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return citizen.Errorf(citizen.ENOTFOUND, "No such outbox item.")
		}
		return storageError("recording a rejection", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?, last_code = ? WHERE id = ?`,
		message, code, itemID); err != nil {
		return storageError("recording a rejection", err)
	}
	if kind == citizen.OutboxSubmission {
		if _, err := tx.ExecContext(ctx, `UPDATE drafts SET state = 'rejected', problem = ?, updated = ? WHERE id = ?`,
			problem, ms(s.now()), draftID); err != nil {
			return storageError("recording a rejection", err)
		}
	}
	return storageError("recording a rejection", tx.Commit())
}

// Retry records a failed attempt worth repeating and when to try next.
func (s *Store) Retry(ctx context.Context, itemID int64, next time.Time, code, message string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt = ?, last_error = ?, last_code = ?
		WHERE id = ? AND state = 'pending'`, ms(next), message, code, itemID)
	return storageError("recording a retry", err)
}

// Cases returns the mirrored cases, newest first.
func (s *Store) Cases(ctx context.Context) ([]citizen.Case, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, number, coalesce(draft_id, ''), service, form_id, form_version, status, submitted, history
		FROM cases ORDER BY submitted DESC, number DESC`)
	if err != nil {
		return nil, storageError("reading cases", err)
	}
	defer rows.Close()
	var out []citizen.Case
	for rows.Next() {
		var c citizen.Case
		var submitted int64
		var hist string
		if err := rows.Scan(&c.ID, &c.Number, &c.DraftID, &c.Service, &c.Form.ID, &c.Form.Version, &c.Status, &submitted, &hist); err != nil {
			return nil, storageError("reading cases", err)
		}
		c.Submitted = fromMS(submitted)
		_ = json.Unmarshal([]byte(hist), &c.History)
		out = append(out, c)
	}
	return out, storageError("reading cases", rows.Err())
}

func (s *Store) sealPayload(it *citizen.OutboxItem) ([]byte, error) {
	plain, err := json.Marshal(it.Request)
	if err != nil {
		return nil, err
	}
	return s.sealer.Seal(plain, []byte("outbox:"+it.IdempotencyKey))
}
