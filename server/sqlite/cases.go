package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"rathaus/api"
	"rathaus/server"
)

// ReplayCase implements server.Store.
func (db *DB) ReplayCase(ctx context.Context, key string, requestHash []byte) (api.Case, bool, error) {
	tx, err := db.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: replay case: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	return replay(ctx, tx, key, requestHash)
}

// replay looks the key up: the stored case when the hash matches,
// ErrKeyReused when it does not, found=false when the key is new.
func replay(ctx context.Context, tx *sql.Tx, key string, requestHash []byte) (api.Case, bool, error) {
	var storedHash []byte
	var caseID string
	err := tx.QueryRowContext(ctx, "SELECT request_hash, case_id FROM idempotency_keys WHERE key = ?", key).
		Scan(&storedHash, &caseID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return api.Case{}, false, nil
	case err != nil:
		return api.Case{}, false, fmt.Errorf("sqlite: look up idempotency key: %w", err)
	case !bytes.Equal(storedHash, requestHash):
		return api.Case{}, false, server.ErrKeyReused
	}
	stored, err := caseByID(ctx, tx, caseID)
	if err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: replay case %s: %w", caseID, err)
	}
	return stored, true, nil
}

// CreateCase implements server.Store. The lookup of the key, the case number
// and both inserts share one immediate transaction, so concurrent requests
// with one key queue up and all but the first find the stored case.
func (db *DB) CreateCase(ctx context.Context, key string, requestHash []byte, c server.NewCase) (api.Case, bool, error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: create case: %w", err)
	}
	defer func() { _ = tx.Rollback() }()

	if stored, found, err := replay(ctx, tx, key, requestHash); found || err != nil {
		return stored, found, err
	}

	created := c.Created.UTC()
	var seq int
	err = tx.QueryRowContext(ctx, `INSERT INTO case_counters (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last`, created.Year()).Scan(&seq)
	if err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: next case number: %w", err)
	}
	out := api.Case{
		ID:      c.ID,
		Number:  fmt.Sprintf("%04d-%06d", created.Year(), seq),
		Service: c.Service,
		Form:    c.Form,
		Status:  c.Status,
		Created: created,
	}
	stamp := created.Format(time.RFC3339Nano)
	if _, err := tx.ExecContext(ctx, `INSERT INTO cases (id, number, service, form_id, form_version, data, status, created)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		out.ID, out.Number, out.Service, out.Form.ID, out.Form.Version, string(c.Data), out.Status, stamp); err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: insert case: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO idempotency_keys (key, request_hash, case_id, created) VALUES (?, ?, ?, ?)",
		key, requestHash, out.ID, stamp); err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: insert idempotency key: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: create case: commit: %w", err)
	}
	return out, false, nil
}

func caseByID(ctx context.Context, tx *sql.Tx, id string) (api.Case, error) {
	var c api.Case
	var created string
	err := tx.QueryRowContext(ctx, "SELECT id, number, service, form_id, form_version, status, created FROM cases WHERE id = ?", id).
		Scan(&c.ID, &c.Number, &c.Service, &c.Form.ID, &c.Form.Version, &c.Status, &created)
	if err != nil {
		return api.Case{}, err
	}
	if c.Created, err = time.Parse(time.RFC3339Nano, created); err != nil {
		return api.Case{}, fmt.Errorf("created %q: %w", created, err)
	}
	return c, nil
}
