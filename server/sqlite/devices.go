package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"rathaus/server"
)

// CreateDevice implements server.Store.
func (db *DB) CreateDevice(ctx context.Context, d server.NewDevice) (err error) {
	defer func() { err = classify(err) }()
	return db.execOne(ctx, "create device", `INSERT INTO devices (id, token_hash, platform, app_version, created, signing_key)
			VALUES (?, ?, ?, ?, ?, ?)`, d.ID, d.TokenHash, d.Platform, d.AppVersion, d.Created.UTC().Format(time.RFC3339), nullBytes(d.SigningKey))
}

// DeviceByToken implements server.Store.
func (db *DB) DeviceByToken(ctx context.Context, tokenHash []byte) (_ server.Device, err error) {
	defer func() { err = classify(err) }()
	var d server.Device
	var account sql.NullString
	err = db.ro.QueryRowContext(ctx, "SELECT id, account, signing_key FROM devices WHERE token_hash = ?", tokenHash).Scan(&d.ID, &account, &d.SigningKey)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return server.Device{}, server.ErrNotFound
	case err != nil:
		return server.Device{}, fmt.Errorf("sqlite: device by token: %w", err)
	}
	d.Account = account.String
	return d, nil
}

// SetDeviceKey implements server.Store, as one write (writer.go).
func (db *DB) SetDeviceKey(ctx context.Context, id string, key []byte) (err error) {
	defer func() { err = classify(err) }()
	return db.w.write(ctx, func(ctx context.Context, q querier) error {
		var have []byte
		err := q.QueryRowContext(ctx, "SELECT signing_key FROM devices WHERE id = ?", id).Scan(&have)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return server.ErrNotFound
		case err != nil:
			return fmt.Errorf("sqlite: device key: %w", err)
		case have != nil && !bytes.Equal(have, key):
			return server.ErrKeyConflict
		case have != nil:
			return nil
		}
		if _, err := q.ExecContext(ctx, "UPDATE devices SET signing_key = ? WHERE id = ?", key, id); err != nil {
			return fmt.Errorf("sqlite: set device key: %w", err)
		}
		return nil
	})
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
		return errors.New("sqlite: link devices: empty account id")
	}
	return db.w.write(ctx, func(ctx context.Context, q querier) error {
		if _, err := q.ExecContext(ctx, "INSERT INTO accounts (id, created) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
			account, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return fmt.Errorf("sqlite: create account: %w", err)
		}
		for _, d := range devices {
			res, err := q.ExecContext(ctx, "UPDATE devices SET account = ? WHERE id = ?", account, d)
			if err != nil {
				return fmt.Errorf("sqlite: link device %s: %w", d, err)
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return fmt.Errorf("sqlite: link device %s: %w", d, server.ErrNotFound)
			}
		}
		return nil
	})
}
