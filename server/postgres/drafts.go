package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"rathaus/api"
	"rathaus/server"
)

// PutDraft implements server.Store: read, merge and write in one
// transaction under the draft's lock, so that concurrent copies of one
// draft, on any process, queue up and none is lost (the lock also covers a
// draft's first copy, which has no row to lock yet).
func (db *DB) PutDraft(ctx context.Context, d server.Device, id string, merge server.DraftMerge) (_ api.DraftCopy, err error) {
	defer func() { err = classify(err) }()
	owner := draftOwner(d)
	var merged api.DraftCopy
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if err := lock(ctx, tx, lockDraft, owner+" "+id); err != nil {
			return err
		}
		var stored *api.DraftCopy
		var raw []byte
		err := tx.QueryRow(ctx, "SELECT copy FROM drafts WHERE owner = $1 AND id = $2", owner, id).Scan(&raw)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		default:
			stored = &api.DraftCopy{}
			if err := json.Unmarshal(raw, stored); err != nil {
				return fmt.Errorf("draft %s: %w", id, err)
			}
		}

		var lost []server.DraftConflict
		var changed bool
		merged, lost, changed = merge(stored)
		for _, c := range lost {
			var value *string
			if len(c.Value) > 0 {
				v := string(c.Value)
				value = &v
			}
			if _, err := tx.Exec(ctx, `INSERT INTO draft_conflicts (owner, draft_id, field, value, clock, device, winner)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
				owner, id, []byte(c.Field), value, c.Clock, c.Device, c.Winner); err != nil {
				return fmt.Errorf("draft conflict: %w", err)
			}
		}
		if !changed {
			return nil
		}
		b, err := json.Marshal(merged)
		if err != nil {
			return fmt.Errorf("draft %s: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO drafts (owner, id, copy, bytes, has_fields) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (owner, id) DO UPDATE SET copy = excluded.copy, bytes = excluded.bytes,
				has_fields = excluded.has_fields, updated = now()`,
			owner, id, string(b), len(b), len(merged.Fields) > 0); err != nil {
			return err
		}
		if d.Account == "" {
			return nil
		}
		return addChange(ctx, tx, scopeAccount, d.Account, d.ID, api.Change{Kind: api.ChangeDraft, Draft: &merged})
	})
	if err != nil {
		return api.DraftCopy{}, fmt.Errorf("postgres: put draft: %w", err)
	}
	return merged, nil
}

// draftOwner is who a device's draft copies belong to: its account, or the
// device while it has none.
func draftOwner(d server.Device) string {
	if d.Account != "" {
		return "account:" + d.Account
	}
	return "device:" + d.ID
}
