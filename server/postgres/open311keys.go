package postgres

// The API keys of outside Open311 clients: their SHA-256 only.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"rathaus/server/open311"
)

// Open311Key implements server.Store.
func (db *DB) Open311Key(ctx context.Context, hash []byte) (name string, ok bool, err error) {
	defer func() { err = classify(err) }()
	err = db.tx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT name FROM open311_keys WHERE key_hash = $1 AND revoked IS NULL", hash).Scan(&name)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("postgres: open311 key: %w", err)
	}
	return name, true, nil
}

// AddOpen311Key implements open311.KeyStore.
func (db *DB) AddOpen311Key(ctx context.Context, k open311.Key) (added bool, err error) {
	defer func() { err = classify(err) }()
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "INSERT INTO open311_keys (name, key_hash, created) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
			k.Name, k.Hash, stamp(k.Created))
		if err != nil {
			return fmt.Errorf("postgres: add open311 key: %w", err)
		}
		added = tag.RowsAffected() == 1
		return nil
	})
	return added, err
}

// Open311Keys implements open311.KeyStore.
func (db *DB) Open311Keys(ctx context.Context) (out []open311.Key, err error) {
	defer func() { err = classify(err) }()
	err = db.tx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT name, key_hash, created, revoked FROM open311_keys ORDER BY name")
		if err != nil {
			return fmt.Errorf("postgres: open311 keys: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var k open311.Key
			var revoked *time.Time
			if err := rows.Scan(&k.Name, &k.Hash, &k.Created, &revoked); err != nil {
				return fmt.Errorf("postgres: open311 keys: %w", err)
			}
			k.Created = k.Created.UTC()
			if revoked != nil {
				k.Revoked = revoked.UTC()
			}
			out = append(out, k)
		}
		return rows.Err()
	})
	return out, err
}

// RevokeOpen311Key implements open311.KeyStore.
func (db *DB) RevokeOpen311Key(ctx context.Context, name string, at time.Time) (ok bool, err error) {
	defer func() { err = classify(err) }()
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE open311_keys SET revoked = $1 WHERE name = $2 AND revoked IS NULL", stamp(at), name); err != nil {
			return fmt.Errorf("postgres: revoke open311 key: %w", err)
		}
		return tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM open311_keys WHERE name = $1)", name).Scan(&ok)
	})
	return ok, err
}
