package store

import (
	"context"
	"database/sql"
	"errors"
)

// Keys of the sync engine's state (SyncValue) that more than one package
// reads or writes.
const (
	// KeyChangesCursor is where the changes feed was read up to; the store
	// writes it with each page it applies (ApplyChanges).
	KeyChangesCursor = "changes_cursor"
	// KeyDeviceID is the backend's id of this device, set at registration.
	KeyDeviceID = "device_id"
)

// SyncValue returns a value of the sync engine's state ("" if unset).
func (s *Store) SyncValue(ctx context.Context, key string) (string, error) {
	return s.keyValue(ctx, "sync_state", key)
}

// SetSyncValue stores a value of the sync engine's state.
func (s *Store) SetSyncValue(ctx context.Context, key, value string) error {
	return s.setKeyValue(ctx, "sync_state", key, value)
}

// Setting returns a setting ("" if unset).
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	return s.keyValue(ctx, "settings", key)
}

// SetSetting stores a setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	return s.setKeyValue(ctx, "settings", key, value)
}

// table is one of the two tables above, never input.
func (s *Store) keyValue(ctx context.Context, table, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM `+table+` WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, storageError("reading "+table, err)
}

func (s *Store) setKeyValue(ctx context.Context, table, key, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO `+table+` (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return storageError("writing "+table, err)
}
