package postgres

import (
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
	_, err = conn.Exec(ctx, `INSERT INTO devices (id, token_hash, platform, app_version, created)
		VALUES ($1, $2, $3, $4, $5)`, d.ID, d.TokenHash, d.Platform, d.AppVersion, stamp(d.Created))
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
	err = conn.QueryRow(ctx, "SELECT id, account FROM devices WHERE token_hash = $1", tokenHash).Scan(&d.ID, &account)
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
