package store

import (
	"context"
	"database/sql"
	"time"

	"rathaus/app/citizen"
)

// The outbox holds outgoing items of every kind. Each kind's store side
// (how it is queued in the transaction of its domain change, how the
// backend's answer is recorded) is in a file of its own: submission.go,
// draftsync.go. A kind whose answer changes nothing but the item uses
// Enqueue, Done and Fail alone.

// Enqueue queues an item of any kind for the backend, with a fresh
// idempotency key: after the items queued before it for the same draft.
func (s *Store) Enqueue(ctx context.Context, draftID string, p citizen.OutboxPayload) (*citizen.OutboxItem, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, storageError("queueing", err)
	}
	defer tx.Rollback()
	it := s.newItem(draftID, p)
	if _, err := s.enqueue(ctx, tx, it, false); err != nil {
		return nil, err
	}
	return it, storageError("queueing", tx.Commit())
}

// newItem is a pending item with a fresh idempotency key, due now.
func (s *Store) newItem(draftID string, p citizen.OutboxPayload) *citizen.OutboxItem {
	now := s.now()
	it := &citizen.OutboxItem{DraftID: draftID, IdempotencyKey: citizen.NewID(), Payload: p,
		State: citizen.OutboxPending, NextAttempt: now, Created: now}
	if p != nil {
		it.Kind = p.OutboxKind()
	}
	return it
}

// enqueue writes a new item in the transaction and sets its ID. The table
// takes any kind's name, so the kind is checked here. With orIgnore, an
// item that a unique index of the table refuses (a second pending copy of
// a draft) is left out, and ok is false.
func (s *Store) enqueue(ctx context.Context, tx *sql.Tx, it *citizen.OutboxItem, orIgnore bool) (ok bool, err error) {
	if it.Kind.NewPayload() == nil || it.Payload == nil || it.Payload.OutboxKind() != it.Kind {
		return false, citizen.Errorf(citizen.EINTERNAL, "An item of an unknown kind cannot be queued.")
	}
	if it.DraftID == "" {
		return false, citizen.Errorf(citizen.EINTERNAL, "An outgoing item needs the draft it belongs to.")
	}
	sealed, err := s.sealPayload(it.IdempotencyKey, it.Payload)
	if err != nil {
		return false, err
	}
	verb := "INSERT"
	if orIgnore {
		verb = "INSERT OR IGNORE"
	}
	res, err := tx.ExecContext(ctx, verb+` INTO outbox (draft_id, kind, idempotency_key, payload_sealed, state, next_attempt, created, total)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, it.DraftID, it.Kind.String(), it.IdempotencyKey, sealed, it.State.String(),
		ms(it.NextAttempt), ms(it.Created), it.Total)
	if err != nil {
		return false, storageError("queueing", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, storageError("queueing", err)
	}
	it.ID, err = res.LastInsertId()
	return true, storageError("queueing", err)
}

const outboxColumns = `id, kind, draft_id, idempotency_key, payload_sealed, state, attempts, next_attempt, last_error, last_code, created, progress, total`

// DueOutbox returns the pending items whose next attempt is due at now, in
// the order they were queued; with all set, every pending item (for a pass
// the citizen asked for, or when the backend is back).
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
	return s.queryOutbox(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE state != 'done' AND kind = ? ORDER BY id`,
		citizen.OutboxSubmission.String())
}

// queryOutbox reads items. An item whose payload cannot be read comes back
// Locked, and one of a kind this app does not know (queued by a newer
// version) without a kind: both stay visible, and the engine leaves the
// latter alone.
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
		var kind, state string
		var next, created int64
		if err := rows.Scan(&it.ID, &kind, &it.DraftID, &it.IdempotencyKey, &payload, &state, &it.Attempts, &next, &it.LastError, &it.LastCode, &created, &it.Progress, &it.Total); err != nil {
			return nil, storageError("reading the outbox", err)
		}
		it.State, _ = citizen.ParseOutboxState(state)
		it.NextAttempt, it.Created = fromMS(next), fromMS(created)
		if k, ok := citizen.ParseOutboxKind(kind); ok {
			it.Kind = k
			var readable bool
			it.Payload, readable = s.openPayload(k, it.IdempotencyKey, payload)
			it.Locked = !readable
		}
		out = append(out, &it)
	}
	return out, storageError("reading the outbox", rows.Err())
}

// Done records that the backend acknowledged an item whose answer changes
// nothing else on the device.
func (s *Store) Done(ctx context.Context, itemID int64) error {
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = 'done', last_error = '', last_code = '' WHERE id = ?`, itemID)
	if err != nil {
		return storageError("recording an answer", err)
	}
	return mustHaveHit(res, "recording an answer")
}

// Fail records that an item failed for good (refused by the backend, or it
// failed too often), with its error: it stays, failed, until the citizen
// acts. What that means for the rest of the device is the kind's business
// (a submission's draft: Reject).
func (s *Store) Fail(ctx context.Context, itemID int64, code, message string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("recording a failure", err)
	}
	defer tx.Rollback()
	if err := failItem(ctx, tx, itemID, code, message); err != nil {
		return err
	}
	return storageError("recording a failure", tx.Commit())
}

func failItem(ctx context.Context, tx *sql.Tx, itemID int64, code, message string) error {
	res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?, last_code = ? WHERE id = ?`,
		message, code, itemID)
	if err != nil {
		return storageError("recording a failure", err)
	}
	return mustHaveHit(res, "recording a failure")
}

// Retry records a failed attempt worth repeating and when to try next.
func (s *Store) Retry(ctx context.Context, itemID int64, next time.Time, code, message string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt = ?, last_error = ?, last_code = ?
		WHERE id = ? AND state = 'pending'`, ms(next), message, code, itemID)
	return storageError("recording a retry", err)
}

// SetProgress records how many bytes of an item's attachments went out.
func (s *Store) SetProgress(ctx context.Context, itemID, progress, total int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET progress = ?, total = ? WHERE id = ?`, progress, total, itemID)
	return storageError("recording progress", err)
}

// mustHaveHit turns an update of no row into ENOTFOUND.
func mustHaveHit(res sql.Result, op string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return storageError(op, err)
	}
	if n == 0 {
		return citizen.Errorf(citizen.ENOTFOUND, "No such outbox item.")
	}
	return nil
}
