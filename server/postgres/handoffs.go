package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"rathaus/server/handoff"
)

// CreateHandoff implements server.Store.
func (db *DB) CreateHandoff(ctx context.Context, h handoff.Handoff) (err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: create handoff: %w", err)
	}
	defer conn.Release()
	_, err = conn.Exec(ctx, `INSERT INTO handoffs (id, device, ciphertext, created, expires) VALUES ($1, $2, $3, $4, $5)`,
		h.ID, h.Device, h.Ciphertext, h.Created.UnixMilli(), h.Expires.UnixMilli())
	if err != nil {
		return fmt.Errorf("postgres: create handoff: %w", err)
	}
	return nil
}

// Handoff implements server.Store.
func (db *DB) Handoff(ctx context.Context, id string) (_ handoff.Handoff, err error) {
	defer func() { err = classify(err) }()
	h := handoff.Handoff{ID: id}
	conn, err := db.acquire(ctx)
	if err != nil {
		return h, fmt.Errorf("postgres: handoff: %w", err)
	}
	defer conn.Release()
	var created, expires, claimed int64
	err = conn.QueryRow(ctx, `SELECT device, created, expires, claimed FROM handoffs WHERE id = $1`, id).
		Scan(&h.Device, &created, &expires, &claimed)
	if errors.Is(err, pgx.ErrNoRows) {
		return h, handoff.ErrNotFound
	}
	if err != nil {
		return h, fmt.Errorf("postgres: handoff: %w", err)
	}
	h.Created, h.Expires = time.UnixMilli(created).UTC(), time.UnixMilli(expires).UTC()
	if claimed != 0 {
		h.Claimed = time.UnixMilli(claimed).UTC()
	}
	return h, nil
}

// ClaimHandoff implements server.Store: one UPDATE ... RETURNING takes the
// ciphertext only from an unclaimed, unexpired handoff (the ciphertext
// returned is the row's before the update), so of two claims at once,
// on any processes, one gets it.
func (db *DB) ClaimHandoff(ctx context.Context, id string, at time.Time) (ct []byte, err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: claim handoff: %w", err)
	}
	defer conn.Release()
	err = conn.QueryRow(ctx, `UPDATE handoffs h SET claimed = $2, ciphertext = ''::bytea
		FROM (SELECT id, ciphertext FROM handoffs WHERE id = $1 FOR UPDATE) old
		WHERE h.id = old.id AND h.claimed = 0 AND h.expires > $2
		RETURNING old.ciphertext`, id, at.UnixMilli()).Scan(&ct)
	if errors.Is(err, pgx.ErrNoRows) {
		var claimed int64
		err = conn.QueryRow(ctx, `SELECT claimed FROM handoffs WHERE id = $1`, id).Scan(&claimed)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return nil, handoff.ErrNotFound
		case err != nil:
		case claimed != 0:
			return nil, handoff.ErrClaimed
		default:
			return nil, handoff.ErrExpired
		}
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: claim handoff: %w", err)
	}
	return ct, nil
}

// DeleteHandoffs implements server.Store.
func (db *DB) DeleteHandoffs(ctx context.Context, before time.Time) (_ int, err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("postgres: delete handoffs: %w", err)
	}
	defer conn.Release()
	tag, err := conn.Exec(ctx, `DELETE FROM handoffs WHERE expires < $1`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("postgres: delete handoffs: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
