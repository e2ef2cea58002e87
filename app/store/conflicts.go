package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"rathaus/app/citizen"
)

// Conflicts are values kept for the citizen to look at, never silently
// dropped: one that lost against another device's later change, or one
// that did not carry over to a new version of its form.

// keep stores a value for the citizen to look at, sealed, in the
// transaction.
func (s *Store) keep(ctx context.Context, tx *sql.Tx, draftID, field string, value any, clock, reason string) error {
	plain, err := json.Marshal(value)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO conflicts (draft_id, field, value_sealed, clock, reason, created) VALUES (?, ?, x'', ?, ?, ?)`,
		draftID, field, clock, reason, ms(s.now()))
	if err != nil {
		return storageError("keeping a conflict", err)
	}
	id, _ := res.LastInsertId()
	sealed, err := s.sealer.Seal(plain, conflictAD(id))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE conflicts SET value_sealed = ? WHERE id = ?`, sealed, id)
	return storageError("keeping a conflict", err)
}

// Conflicts returns the values of a draft that lost against another
// device's later change, newest first.
func (s *Store) Conflicts(ctx context.Context, draftID string) ([]citizen.Conflict, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, draft_id, field, value_sealed, clock, reason, created, seen FROM conflicts
		WHERE draft_id = ? ORDER BY created DESC, id DESC`, draftID)
	if err != nil {
		return nil, storageError("reading conflicts", err)
	}
	defer rows.Close()
	var out []citizen.Conflict
	for rows.Next() {
		var c citizen.Conflict
		var sealed []byte
		var created int64
		var seen int
		if err := rows.Scan(&c.ID, &c.DraftID, &c.Field, &sealed, &c.Clock, &c.Reason, &created, &seen); err != nil {
			return nil, storageError("reading conflicts", err)
		}
		c.Created, c.Seen = fromMS(created), seen == 1
		if plain, err := s.sealer.Open(sealed, conflictAD(c.ID)); err == nil {
			_ = json.Unmarshal(plain, &c.Value)
		}
		out = append(out, c)
	}
	return out, storageError("reading conflicts", rows.Err())
}

// MarkConflictsSeen records that the citizen looked at a draft's conflicts.
func (s *Store) MarkConflictsSeen(ctx context.Context, draftID string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE conflicts SET seen = 1 WHERE draft_id = ?`, draftID)
	return storageError("marking conflicts seen", err)
}
