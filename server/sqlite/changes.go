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

// Scopes of a change: who may see it.
const (
	scopeDevice   = "device"
	scopeAccount  = "account"
	scopeEveryone = "everyone"
)

// Changes implements server.Store: the changes after since that d may see
// (its own, its account's except draft changes it made itself, and
// everyone's), in order.
func (db *DB) Changes(ctx context.Context, d server.Device, since int64, limit int) (_ []api.Change, _ bool, err error) {
	defer func() { err = classify(err) }()
	rows, err := db.ro.QueryContext(ctx, `SELECT seq, payload FROM changes
		WHERE seq > ?1 AND (
			(scope = 'device' AND target = ?2)
			OR (scope = 'account' AND ?3 != '' AND target = ?3 AND NOT (kind = 'draft' AND origin = ?2))
			OR scope = 'everyone')
		ORDER BY seq LIMIT ?4`, since, d.ID, d.Account, limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: changes: %w", err)
	}
	defer rows.Close()
	out := []api.Change{}
	for rows.Next() {
		var seq int64
		var payload string
		if err := rows.Scan(&seq, &payload); err != nil {
			return nil, false, fmt.Errorf("sqlite: changes: %w", err)
		}
		var c api.Change
		if err := json.Unmarshal([]byte(payload), &c); err != nil {
			return nil, false, fmt.Errorf("sqlite: change %d: %w", seq, err)
		}
		c.Seq = seq
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("sqlite: changes: %w", err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// RecordCatalog implements server.Store. The first ETag ever recorded
// makes no change: there is no device yet that could hold an older one.
func (db *DB) RecordCatalog(ctx context.Context, etag string) (changed bool, err error) {
	defer func() { err = classify(err) }()
	err = db.w.write(ctx, func(ctx context.Context, q querier) (err error) {
		changed, err = recordCatalog(ctx, q, etag)
		return err
	})
	if err != nil {
		return false, err
	}
	return changed, nil
}

func recordCatalog(ctx context.Context, q querier, etag string) (bool, error) {
	var last string
	err := q.QueryRowContext(ctx, "SELECT value FROM server_state WHERE key = 'catalog_etag'").Scan(&last)
	switch {
	case err == nil && last == etag:
		return false, nil
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return false, fmt.Errorf("sqlite: record catalog: %w", err)
	}
	changed := err == nil
	if changed {
		if err := addChange(ctx, q, scopeEveryone, "", "", api.Change{Kind: api.ChangeCatalog, Catalog: etag}); err != nil {
			return false, err
		}
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO server_state (key, value) VALUES ('catalog_etag', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, etag); err != nil {
		return false, fmt.Errorf("sqlite: record catalog: %w", err)
	}
	return changed, nil
}

// addChange appends a change to the feed.
func addChange(ctx context.Context, tx querier, scope, target, origin string, c api.Change) error {
	c.Seq = 0
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("sqlite: change payload: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO changes (scope, target, kind, origin, payload) VALUES (?, ?, ?, ?, ?)",
		scope, target, c.Kind, origin, string(b)); err != nil {
		return fmt.Errorf("sqlite: add change: %w", err)
	}
	return nil
}

// addCaseChange tells the case's device, or its account when it has one,
// about the case as it is now. Anonymous cases have no one to tell.
func addCaseChange(ctx context.Context, tx querier, device string, c api.Case) error {
	return addDeviceChange(ctx, tx, device, api.Change{Kind: api.ChangeCase, Case: &c})
}

// addDeviceChange tells a device, or its account when it has one, of a
// change of something it made; device "" has no one to tell.
func addDeviceChange(ctx context.Context, tx querier, device string, c api.Change) error {
	if device == "" {
		return nil
	}
	var account sql.NullString
	if err := tx.QueryRowContext(ctx, "SELECT account FROM devices WHERE id = ?", device).Scan(&account); err != nil {
		return fmt.Errorf("sqlite: account of device %s: %w", device, err)
	}
	scope, target := scopeDevice, device
	if account.Valid {
		scope, target = scopeAccount, account.String
	}
	return addChange(ctx, tx, scope, target, device, c)
}
