package store

import (
	"context"
	"database/sql"
	"errors"

	"rathaus/app/citizen"
)

// SetEncrypted keeps a submission's data as the JWE it is sent as (for a
// service with an encryption key), in its sealed payload: the JWE is made
// once, so that every retry sends the same bytes and the backend's
// idempotency key finds the same request (a fresh encryption would differ
// in every byte). The plaintext data stays too, sealed like the rest.
func (s *Store) SetEncrypted(ctx context.Context, itemID int64, jwe string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("keeping the encrypted submission", err)
	}
	defer tx.Rollback()
	var key string
	var sealed []byte
	err = tx.QueryRowContext(ctx, `SELECT idempotency_key, payload_sealed FROM outbox WHERE id = ? AND kind = ?`,
		itemID, citizen.OutboxSubmission.String()).Scan(&key, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return citizen.Errorf(citizen.ENOTFOUND, "No such outbox item.")
	}
	if err != nil {
		return storageError("keeping the encrypted submission", err)
	}
	p, ok := s.openPayload(citizen.OutboxSubmission, key, sealed)
	sub, isSub := p.(*citizen.SubmissionPayload)
	if !ok || !isSub {
		return citizen.Errorf(citizen.ELOCKED, "This submission was saved with a key this device no longer has; please fill in the form again.")
	}
	sub.Request.Encrypted = jwe
	if sealed, err = s.sealPayload(key, sub); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET payload_sealed = ? WHERE id = ?`, sealed, itemID); err != nil {
		return storageError("keeping the encrypted submission", err)
	}
	return storageError("keeping the encrypted submission", tx.Commit())
}
