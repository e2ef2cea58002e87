package sqlite

// The API keys of outside Open311 clients: their SHA-256 only.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"rathaus/server/open311"
)

// Open311Key implements server.Store.
func (db *DB) Open311Key(ctx context.Context, hash []byte) (name string, ok bool, err error) {
	defer func() { err = classify(err) }()
	err = db.ro.QueryRowContext(ctx, "SELECT name FROM open311_keys WHERE key_hash = ? AND revoked IS NULL", hash).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("sqlite: open311 key: %w", err)
	}
	return name, true, nil
}

// AddOpen311Key implements open311.KeyStore.
func (db *DB) AddOpen311Key(ctx context.Context, k open311.Key) (added bool, err error) {
	defer func() { err = classify(err) }()
	err = db.w.write(ctx, func(ctx context.Context, q querier) error {
		res, err := q.ExecContext(ctx, "INSERT INTO open311_keys (name, key_hash, created) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
			k.Name, k.Hash, k.Created.UTC().Format(time.RFC3339Nano))
		if err != nil {
			return fmt.Errorf("sqlite: add open311 key: %w", err)
		}
		n, err := res.RowsAffected()
		added = n == 1
		return err
	})
	return added, err
}

// Open311Keys implements open311.KeyStore.
func (db *DB) Open311Keys(ctx context.Context) (_ []open311.Key, err error) {
	defer func() { err = classify(err) }()
	rows, err := db.ro.QueryContext(ctx, "SELECT name, key_hash, created, revoked FROM open311_keys ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open311 keys: %w", err)
	}
	defer rows.Close()
	var out []open311.Key
	for rows.Next() {
		var k open311.Key
		var created string
		var revoked sql.NullString
		if err := rows.Scan(&k.Name, &k.Hash, &created, &revoked); err != nil {
			return nil, fmt.Errorf("sqlite: open311 keys: %w", err)
		}
		if k.Created, err = time.Parse(time.RFC3339Nano, created); err != nil {
			return nil, err
		}
		if revoked.Valid {
			if k.Revoked, err = time.Parse(time.RFC3339Nano, revoked.String); err != nil {
				return nil, err
			}
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeOpen311Key implements open311.KeyStore.
func (db *DB) RevokeOpen311Key(ctx context.Context, name string, at time.Time) (ok bool, err error) {
	defer func() { err = classify(err) }()
	err = db.w.write(ctx, func(ctx context.Context, q querier) error {
		if _, err := q.ExecContext(ctx, "UPDATE open311_keys SET revoked = ? WHERE name = ? AND revoked IS NULL",
			at.UTC().Format(time.RFC3339Nano), name); err != nil {
			return fmt.Errorf("sqlite: revoke open311 key: %w", err)
		}
		return q.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM open311_keys WHERE name = ?)", name).Scan(&ok)
	})
	return ok, err
}
