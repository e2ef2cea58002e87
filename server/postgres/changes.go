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

// Scopes of a change: who may see it.
const (
	scopeDevice   = "device"
	scopeAccount  = "account"
	scopeEveryone = "everyone"
)

// Changes implements server.Store: the changes after since that d may see
// (its own, its account's except draft changes it made itself, and
// everyone's), in order. Appends are serialised by the feed's lock (see
// addChange), so every change below the newest one visible is visible too:
// a cursor never passes a change that commits later.
func (db *DB) Changes(ctx context.Context, d server.Device, since int64, limit int) (_ []api.Change, _ bool, err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: changes: %w", err)
	}
	defer conn.Release()
	rows, err := conn.Query(ctx, `SELECT seq, payload FROM changes
		WHERE seq > $1 AND (
			(scope = 'device' AND target = $2)
			OR (scope = 'account' AND $3::text <> '' AND target = $3 AND NOT (kind = 'draft' AND origin = $2))
			OR scope = 'everyone')
		ORDER BY seq LIMIT $4`, since, d.ID, d.Account, limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: changes: %w", err)
	}
	defer rows.Close()
	out := []api.Change{}
	for rows.Next() {
		var seq int64
		var payload []byte
		if err := rows.Scan(&seq, &payload); err != nil {
			return nil, false, fmt.Errorf("postgres: changes: %w", err)
		}
		var c api.Change
		if err := json.Unmarshal(payload, &c); err != nil {
			return nil, false, fmt.Errorf("postgres: change %d: %w", seq, err)
		}
		c.Seq = seq
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("postgres: changes: %w", err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// RecordCatalog implements server.Store. The first ETag ever recorded
// makes no change: there is no device yet that could hold an older one.
// It holds the feed's lock throughout, so that processes starting at once
// with a new catalog announce it once.
func (db *DB) RecordCatalog(ctx context.Context, etag string) (_ bool, err error) {
	defer func() { err = classify(err) }()
	var changed bool
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if err := lock(ctx, tx, lockFeed, ""); err != nil {
			return err
		}
		var last string
		err := tx.QueryRow(ctx, "SELECT value FROM server_state WHERE key = 'catalog_etag'").Scan(&last)
		switch {
		case err == nil && last == etag:
			changed = false
			return nil
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		changed = err == nil
		if changed {
			if err := addChange(ctx, tx, scopeEveryone, "", "", api.Change{Kind: api.ChangeCatalog, Catalog: etag}); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO server_state (key, value) VALUES ('catalog_etag', $1)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, etag)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("postgres: record catalog: %w", err)
	}
	return changed, nil
}

// addChange appends a change to the feed.
func addChange(ctx context.Context, tx pgx.Tx, scope, target, origin string, c api.Change) error {
	b := &pgx.Batch{}
	if err := queueChange(b, scope, target, origin, c); err != nil {
		return err
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("postgres: add change: %w", err)
	}
	return nil
}

// queueChange adds a change to the batch, after the feed's lock: the seq
// the change draws is then above every seq of a transaction still running,
// so seqs become visible in their order. It comes last in every
// transaction that makes a change, to hold the lock for as short as can
// be: the lock and the row go in one round trip, then the commit.
func queueChange(b *pgx.Batch, scope, target, origin string, c api.Change) error {
	c.Seq = 0
	payload, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("postgres: change payload: %w", err)
	}
	b.Queue(lockSQL, lockFeed, "")
	b.Queue("INSERT INTO changes (scope, target, kind, origin, payload) VALUES ($1, $2, $3, $4, $5)",
		scope, target, c.Kind, origin, string(payload))
	return nil
}

// addDeviceChange tells a device, or its account when it has one, of a
// change of something it made; device "" has no one to tell.
func addDeviceChange(ctx context.Context, tx pgx.Tx, device string, c api.Change) error {
	scope, target, err := caseAudience(ctx, tx, device)
	if err != nil || scope == "" {
		return err
	}
	return addChange(ctx, tx, scope, target, device, c)
}

// caseAudience says who hears of a device's case: the device, or its
// account when it has one; scope "" for an anonymous case, which has no
// one to tell.
func caseAudience(ctx context.Context, tx pgx.Tx, device string) (scope, target string, err error) {
	if device == "" {
		return "", "", nil
	}
	var account *string
	if err := tx.QueryRow(ctx, "SELECT account FROM devices WHERE id = $1", device).Scan(&account); err != nil {
		return "", "", fmt.Errorf("postgres: account of device %s: %w", device, err)
	}
	if account != nil {
		return scopeAccount, *account, nil
	}
	return scopeDevice, device, nil
}
