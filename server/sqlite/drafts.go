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

// PutDraft implements server.Store: read, merge and write as one write
// (writer.go), so that concurrent copies of one draft queue up.
func (db *DB) PutDraft(ctx context.Context, d server.Device, id string, merge server.DraftMerge) (merged api.DraftCopy, err error) {
	defer func() { err = classify(err) }()
	err = db.w.write(ctx, func(ctx context.Context, q querier) (err error) {
		merged, err = putDraft(ctx, q, d, id, merge)
		return err
	})
	if err != nil {
		return api.DraftCopy{}, err
	}
	return merged, nil
}

func putDraft(ctx context.Context, q querier, d server.Device, id string, merge server.DraftMerge) (api.DraftCopy, error) {
	owner := draftOwner(d)
	var stored *api.DraftCopy
	var raw string
	err := q.QueryRowContext(ctx, "SELECT copy FROM drafts WHERE owner = ? AND id = ?", owner, id).Scan(&raw)
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
		if _, err := q.ExecContext(ctx, `INSERT INTO draft_conflicts (owner, draft_id, field, value, clock, device, winner)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, owner, id, c.Field, value, c.Clock, c.Device, c.Winner); err != nil {
			return api.DraftCopy{}, fmt.Errorf("sqlite: draft conflict: %w", err)
		}
	}
	if !changed {
		return merged, nil
	}
	b, err := json.Marshal(merged)
	if err != nil {
		return api.DraftCopy{}, fmt.Errorf("sqlite: draft %s: %w", id, err)
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO drafts (owner, id, copy, bytes, has_fields) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (owner, id) DO UPDATE SET copy = excluded.copy, bytes = excluded.bytes,
			has_fields = excluded.has_fields, updated = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
		owner, id, string(b), len(b), len(merged.Fields) > 0); err != nil {
		return api.DraftCopy{}, fmt.Errorf("sqlite: put draft: %w", err)
	}
	if d.Account != "" {
		if err := addChange(ctx, q, scopeAccount, d.Account, d.ID, api.Change{Kind: api.ChangeDraft, Draft: &merged}); err != nil {
			return api.DraftCopy{}, err
		}
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
