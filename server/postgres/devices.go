package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"rathaus/server"
)

// CreateDevice implements server.Store.
func (db *DB) CreateDevice(ctx context.Context, d server.NewDevice) (err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: create device: %w", err)
	}
	defer conn.Release()
	_, err = conn.Exec(ctx, `INSERT INTO devices (id, token_hash, platform, app_version, created, signing_key)
		VALUES ($1, $2, $3, $4, $5, $6)`, d.ID, d.TokenHash, d.Platform, d.AppVersion, stamp(d.Created), nullBytes(d.SigningKey))
	if err != nil {
		return fmt.Errorf("postgres: create device: %w", err)
	}
	return nil
}

// DeviceByToken implements server.Store.
func (db *DB) DeviceByToken(ctx context.Context, tokenHash []byte) (_ server.Device, err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return server.Device{}, fmt.Errorf("postgres: device by token: %w", err)
	}
	defer conn.Release()
	var d server.Device
	var account *string
	err = conn.QueryRow(ctx, "SELECT id, account, signing_key FROM devices WHERE token_hash = $1", tokenHash).Scan(&d.ID, &account, &d.SigningKey)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return server.Device{}, server.ErrNotFound
	case err != nil:
		return server.Device{}, fmt.Errorf("postgres: device by token: %w", err)
	}
	if account != nil {
		d.Account = *account
	}
	return d, nil
}

// SetDeviceKey implements server.Store. The row is locked from the read to
// the update, so of two keys sent at once one wins and the other conflicts.
func (db *DB) SetDeviceKey(ctx context.Context, id string, key []byte) (err error) {
	defer func() { err = classify(err) }()
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		var have []byte
		err := tx.QueryRow(ctx, "SELECT signing_key FROM devices WHERE id = $1 FOR UPDATE", id).Scan(&have)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return server.ErrNotFound
		case err != nil:
			return err
		case have != nil && !bytes.Equal(have, key):
			return server.ErrKeyConflict
		case have != nil:
			return nil
		}
		_, err = tx.Exec(ctx, "UPDATE devices SET signing_key = $1 WHERE id = $2", key, id)
		return err
	})
	if err != nil && !errors.Is(err, server.ErrNotFound) && !errors.Is(err, server.ErrKeyConflict) {
		return fmt.Errorf("postgres: set device key: %w", err)
	}
	return err
}

// nullBytes is b, or NULL for an empty b.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// LinkDevices implements server.Store.
func (db *DB) LinkDevices(ctx context.Context, account string, devices ...string) (err error) {
	defer func() { err = classify(err) }()
	if account == "" {
		return errors.New("postgres: link devices: empty account id")
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO accounts (id, created) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
			account, stamp(time.Now())); err != nil {
			return fmt.Errorf("create account: %w", err)
		}
		for _, d := range devices {
			tag, err := tx.Exec(ctx, "UPDATE devices SET account = $1 WHERE id = $2", account, d)
			if err != nil {
				return fmt.Errorf("link device %s: %w", d, err)
			}
			if tag.RowsAffected() != 1 {
				return fmt.Errorf("link device %s: %w", d, server.ErrNotFound)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: link devices: %w", err)
	}
	return nil
}
