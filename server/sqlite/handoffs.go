package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"rathaus/server/handoff"
)

// CreateHandoff implements server.Store.
func (db *DB) CreateHandoff(ctx context.Context, h handoff.Handoff) (err error) {
	defer func() { err = classify(err) }()
	return db.execOne(ctx, "create handoff", `INSERT INTO handoffs (id, device, ciphertext, created, expires) VALUES (?, ?, ?, ?, ?)`,
		h.ID, h.Device, h.Ciphertext, h.Created.UnixMilli(), h.Expires.UnixMilli())
}

// Handoff implements server.Store.
func (db *DB) Handoff(ctx context.Context, id string) (_ handoff.Handoff, err error) {
	defer func() { err = classify(err) }()
	h := handoff.Handoff{ID: id}
	var created, expires, claimed int64
	err = db.ro.QueryRowContext(ctx, `SELECT device, created, expires, claimed FROM handoffs WHERE id = ?`, id).
		Scan(&h.Device, &created, &expires, &claimed)
	if errors.Is(err, sql.ErrNoRows) {
		return h, handoff.ErrNotFound
	}
	if err != nil {
		return h, fmt.Errorf("sqlite: handoff: %w", err)
	}
	h.Created, h.Expires = time.UnixMilli(created).UTC(), time.UnixMilli(expires).UTC()
	if claimed != 0 {
		h.Claimed = time.UnixMilli(claimed).UTC()
	}
	return h, nil
}

// ClaimHandoff implements server.Store: one UPDATE takes the ciphertext
// only from an unclaimed, unexpired handoff, so two claims at once give it
// to one of them.
func (db *DB) ClaimHandoff(ctx context.Context, id string, at time.Time) (ct []byte, err error) {
	defer func() { err = classify(err) }()
	err = db.w.write(ctx, func(ctx context.Context, q querier) error {
		err := q.QueryRowContext(ctx, `SELECT ciphertext FROM handoffs WHERE id = ? AND claimed = 0 AND expires > ?`,
			id, at.UnixMilli()).Scan(&ct)
		if errors.Is(err, sql.ErrNoRows) {
			return whyUnclaimable(ctx, q, id)
		}
		if err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `UPDATE handoffs SET claimed = ?, ciphertext = x'' WHERE id = ?`, at.UnixMilli(), id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim handoff: %w", err)
	}
	return ct, nil
}

func whyUnclaimable(ctx context.Context, q querier, id string) error {
	var claimed int64
	err := q.QueryRowContext(ctx, `SELECT claimed FROM handoffs WHERE id = ?`, id).Scan(&claimed)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return handoff.ErrNotFound
	case err != nil:
		return err
	case claimed != 0:
		return handoff.ErrClaimed
	}
	return handoff.ErrExpired
}

// DeleteHandoffs implements server.Store.
func (db *DB) DeleteHandoffs(ctx context.Context, before time.Time) (n int, err error) {
	defer func() { err = classify(err) }()
	err = db.w.write(ctx, func(ctx context.Context, q querier) error {
		res, err := q.ExecContext(ctx, `DELETE FROM handoffs WHERE expires < ?`, before.UnixMilli())
		if err != nil {
			return err
		}
		m, err := res.RowsAffected()
		n = int(m)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete handoffs: %w", err)
	}
	return n, nil
}
