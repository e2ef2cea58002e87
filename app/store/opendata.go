package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"rathaus/app/citizen"
)

// KeyOpenData is the sync_state key of the cached open data.
const KeyOpenData = "opendata"

// SaveOpenFigures caches the town's open data, replacing what was cached.
func (s *Store) SaveOpenFigures(ctx context.Context, f citizen.OpenFigures) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO sync_state (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, KeyOpenData, string(b))
	return storageError("caching the open data", err)
}

// OpenFigures returns the cached open data (Fetched zero when there is
// none yet).
func (s *Store) OpenFigures(ctx context.Context) (citizen.OpenFigures, error) {
	var raw string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM sync_state WHERE key = ?`, KeyOpenData).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return citizen.OpenFigures{}, nil
	}
	if err != nil {
		return citizen.OpenFigures{}, storageError("reading the open data", err)
	}
	var f citizen.OpenFigures
	if err := json.Unmarshal([]byte(raw), &f); err != nil {
		return citizen.OpenFigures{}, nil // a damaged cache is no cache
	}
	return f, nil
}
