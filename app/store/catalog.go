package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"rathaus/api"
	"rathaus/app/citizen"
)

// Catalog sources.
const (
	SourceDemo    = "demo"
	SourceBackend = "backend"
)

// Catalog returns the cached catalog, its ETag and where it came from
// (SourceDemo or SourceBackend); ENOTFOUND when none was ever stored.
func (s *Store) Catalog(ctx context.Context) (cat api.Catalog, etag, source string, err error) {
	var body string
	err = s.db.QueryRowContext(ctx, `SELECT body, etag, source FROM catalog WHERE id = 1`).Scan(&body, &etag, &source)
	if errors.Is(err, sql.ErrNoRows) {
		return cat, "", "", citizen.Errorf(citizen.ENOTFOUND, "No catalog is stored yet.")
	}
	if err != nil {
		return cat, "", "", storageError("reading the catalog", err)
	}
	if err := json.Unmarshal([]byte(body), &cat); err != nil {
		return cat, "", "", &citizen.Error{Code: citizen.EINTERNAL, Message: "The stored catalog is damaged.", Err: err}
	}
	return cat, etag, source, nil
}

// HasCatalog reports whether a catalog is stored, without reading it
// (SeedDemo asks at every start).
func (s *Store) HasCatalog(ctx context.Context) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM catalog WHERE id = 1`).Scan(&n)
	return n > 0, storageError("reading the catalog", err)
}

// SaveCatalog replaces the cached catalog.
func (s *Store) SaveCatalog(ctx context.Context, c api.Catalog, etag, source string) error {
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO catalog (id, body, etag, source, updated) VALUES (1, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET body = excluded.body, etag = excluded.etag, source = excluded.source, updated = excluded.updated`,
		string(body), etag, source, ms(s.now()))
	return storageError("saving the catalog", err)
}

// Form returns the raw definition of a form version; ENOTFOUND if it is not
// cached.
func (s *Store) Form(ctx context.Context, ref api.FormRef) ([]byte, error) {
	var body string
	err := s.db.QueryRowContext(ctx, `SELECT body FROM forms WHERE id = ? AND version = ?`, ref.ID, ref.Version).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &citizen.Error{Code: citizen.ENOTFOUND, Message: "This form is not on this device yet.", Err: fmt.Errorf("form %s version %d", ref.ID, ref.Version)}
	}
	return []byte(body), storageError("reading a form", err)
}

// HasForm reports whether a form version is cached.
func (s *Store) HasForm(ctx context.Context, ref api.FormRef) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM forms WHERE id = ? AND version = ?`, ref.ID, ref.Version).Scan(&n)
	return n > 0, storageError("looking up a form", err)
}

// SaveForm caches a form version. Versions are immutable, so a version
// already stored is kept as it is.
func (s *Store) SaveForm(ctx context.Context, ref api.FormRef, body []byte) error {
	_, err := s.db.ExecContext(ctx, `INSERT OR IGNORE INTO forms (id, version, body, fetched) VALUES (?, ?, ?, ?)`,
		ref.ID, ref.Version, string(body), ms(s.now()))
	return storageError("saving a form", err)
}

// Seed stores the embedded demo catalog and its form definitions when no
// catalog was ever stored, so that the app works on first start without a
// backend. It reports whether it seeded.
func (s *Store) Seed(ctx context.Context, c api.Catalog, forms [][]byte) (bool, error) {
	if has, err := s.HasCatalog(ctx); err != nil || has {
		return false, err
	}
	for _, body := range forms {
		var ref api.FormRef
		if err := json.Unmarshal(body, &ref); err != nil || ref.ID == "" {
			return false, &citizen.Error{Code: citizen.EINVALID, Message: "A built-in form is damaged.", Err: err}
		}
		if err := s.SaveForm(ctx, ref, body); err != nil {
			return false, err
		}
	}
	return true, s.SaveCatalog(ctx, c, "", SourceDemo)
}
