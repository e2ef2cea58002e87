package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"rathaus/api"
	"rathaus/server"
)

// PutDraft implements server.Store: read, merge and write in one
// transaction, so that concurrent copies of one draft queue up.
func (db *DB) PutDraft(ctx context.Context, d server.Device, id string, merge server.DraftMerge) (_ api.DraftCopy, err error) {
	defer func() { err = classify(err) }()
	owner := draftOwner(d)
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return api.DraftCopy{}, fmt.Errorf("sqlite: put draft: %w", err)
	}
	defer func() { _ = tx.Rollback() }()

	var stored *api.DraftCopy
	var raw string
	err = tx.QueryRowContext(ctx, "SELECT copy FROM drafts WHERE owner = ? AND id = ?", owner, id).Scan(&raw)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return api.DraftCopy{}, fmt.Errorf("sqlite: put draft: %w", err)
	default:
		stored = &api.DraftCopy{}
		if err := json.Unmarshal([]byte(raw), stored); err != nil {
			return api.DraftCopy{}, fmt.Errorf("sqlite: draft %s: %w", id, err)
		}
	}

	merged, lost, changed := merge(stored)
	for _, c := range lost {
		var value any
		if len(c.Value) > 0 {
			value = string(c.Value)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO draft_conflicts (owner, draft_id, field, value, clock, device, winner)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, owner, id, c.Field, value, c.Clock, c.Device, c.Winner); err != nil {
			return api.DraftCopy{}, fmt.Errorf("sqlite: draft conflict: %w", err)
		}
	}
	if changed {
		b, err := json.Marshal(merged)
		if err != nil {
			return api.DraftCopy{}, fmt.Errorf("sqlite: draft %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO drafts (owner, id, copy, bytes, has_fields) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (owner, id) DO UPDATE SET copy = excluded.copy, bytes = excluded.bytes,
				has_fields = excluded.has_fields, updated = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
			owner, id, string(b), len(b), len(merged.Fields) > 0); err != nil {
			return api.DraftCopy{}, fmt.Errorf("sqlite: put draft: %w", err)
		}
		if d.Account != "" {
			if err := addChange(ctx, tx, scopeAccount, d.Account, d.ID, api.Change{Kind: api.ChangeDraft, Draft: &merged}); err != nil {
				return api.DraftCopy{}, err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return api.DraftCopy{}, fmt.Errorf("sqlite: put draft: commit: %w", err)
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
