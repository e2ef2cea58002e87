package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

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
	it := s.newItem(d.ID, &citizen.SubmissionPayload{Request: api.SubmissionRequest{Service: d.Service, Form: d.Form, Data: payload}, Answers: d.Answers})
	if _, err := tx.ExecContext(ctx, `UPDATE drafts SET state = 'queued', problem = NULL, updated = ? WHERE id = ?`, ms(it.Created), d.ID); err != nil {
		return nil, storageError("submitting", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(size), 0) FROM attachments WHERE draft_id = ?`, d.ID).Scan(&it.Total); err != nil {
		return nil, storageError("submitting", err)
	}
	if _, err := s.enqueue(ctx, tx, it, false); err != nil {
		return nil, err
	}
	return it, storageError("submitting", tx.Commit())
}

// Acknowledge records the backend's case for a submission: the item is
// done, its draft sent with the case number, and the case mirrored, in one
// transaction. Acknowledging twice is harmless.
func (s *Store) Acknowledge(ctx context.Context, itemID int64, c api.Case) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("recording a case", err)
	}
	defer tx.Rollback()
	draftID, err := submissionDraft(ctx, tx, itemID)
	if err != nil {
		return err
	}
	now := ms(s.now())
	stmts := []struct {
		q    string
		args []any
	}{
		{`UPDATE outbox SET state = 'done', last_error = '', last_code = '' WHERE id = ?`, []any{itemID}},
		{`UPDATE drafts SET state = 'sent', case_number = ?, problem = NULL, answers = NULL, updated = ? WHERE id = ?`, []any{c.Number, now, draftID}},
	}
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
			return storageError("recording a case", err)
		}
	}
	if _, err := s.upsertCase(ctx, tx, draftID, c); err != nil {
		return err
	}
	return storageError("recording a case", tx.Commit())
}

// Reject records that a submission failed for good (the backend refused
// it, or it failed too often): the item fails with its error, and its
// draft becomes editable again with the backend's problem (p, if any)
// attached, in one transaction.
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
	draftID, err := submissionDraft(ctx, tx, itemID)
	if err != nil {
		return err
	}
	if err := failItem(ctx, tx, itemID, code, message); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE drafts SET state = 'rejected', problem = ?, updated = ? WHERE id = ?`,
		problem, ms(s.now()), draftID); err != nil {
		return storageError("recording a rejection", err)
	}
	return storageError("recording a rejection", tx.Commit())
}

// submissionDraft returns the draft of a submission item.
func submissionDraft(ctx context.Context, tx *sql.Tx, itemID int64) (string, error) {
	var draftID string
	err := tx.QueryRowContext(ctx, `SELECT draft_id FROM outbox WHERE id = ? AND kind = ?`, itemID, citizen.OutboxSubmission.String()).Scan(&draftID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", citizen.Errorf(citizen.ENOTFOUND, "No such outbox item.")
	}
	return draftID, storageError("reading the outbox", err)
}
