package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
)

// The offices and the free slots last fetched, for choosing a time offline
// with the age of what is shown.

const officesKey = "appointments.offices"

// SaveOffices caches the offices.
func (s *Store) SaveOffices(ctx context.Context, o api.Offices) error {
	b, err := json.Marshal(o)
	if err != nil {
		return &citizen.Error{Code: citizen.EINVALID, Message: "The offices cannot be stored.", Err: err}
	}
	return s.SetSyncValue(ctx, officesKey, string(b))
}

// CachedOffices returns the offices last fetched; ok=false when none were.
func (s *Store) CachedOffices(ctx context.Context) (o api.Offices, ok bool, err error) {
	v, err := s.SyncValue(ctx, officesKey)
	if err != nil || v == "" {
		return o, false, err
	}
	return o, json.Unmarshal([]byte(v), &o) == nil, nil
}

// SaveSlots caches the free slots of a service at an office, fetched at
// the time given.
func (s *Store) SaveSlots(ctx context.Context, sl api.Slots, fetched time.Time) error {
	b, err := json.Marshal(sl)
	if err != nil {
		return &citizen.Error{Code: citizen.EINVALID, Message: "The slots cannot be stored.", Err: err}
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO slot_cache (service, office, body, fetched) VALUES (?, ?, ?, ?)
		ON CONFLICT (service, office) DO UPDATE SET body = excluded.body, fetched = excluded.fetched`,
		sl.Service, sl.Office, string(b), ms(fetched))
	return storageError("saving slots", err)
}

// CachedSlots returns the slots last fetched for the service and office and
// when; ok=false when none were.
func (s *Store) CachedSlots(ctx context.Context, service, office string) (sl api.Slots, fetched time.Time, ok bool, err error) {
	var body string
	var at int64
	err = s.db.QueryRowContext(ctx, "SELECT body, fetched FROM slot_cache WHERE service = ? AND office = ?", service, office).Scan(&body, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return sl, time.Time{}, false, nil
	case err != nil:
		return sl, time.Time{}, false, storageError("reading slots", err)
	}
	if json.Unmarshal([]byte(body), &sl) != nil {
		return sl, time.Time{}, false, nil
	}
	return sl, fromMS(at), true, nil
}
