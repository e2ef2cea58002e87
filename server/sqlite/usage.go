package sqlite

import (
	"context"
	"fmt"

	"rathaus/api"
	"rathaus/server"
)

// Usage implements server.Store, in one read transaction.
func (db *DB) Usage(ctx context.Context, d server.Device) (_ server.Usage, err error) {
	defer func() { err = classify(err) }()
	tx, err := db.ro.BeginTx(ctx, nil)
	if err != nil {
		return server.Usage{}, fmt.Errorf("sqlite: usage: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var u server.Usage
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM cases WHERE device = ? AND status <> ?",
		d.ID, api.StatusDecided).Scan(&u.OpenCases); err != nil {
		return server.Usage{}, fmt.Errorf("sqlite: usage: cases: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT
			coalesce(sum(json_extract(copy, '$.fields') NOT IN ('{}', 'null')), 0),
			coalesce(sum(length(CAST(copy AS BLOB))), 0)
		FROM drafts WHERE owner = ?`, draftOwner(d)).Scan(&u.Drafts, &u.DraftBytes); err != nil {
		return server.Usage{}, fmt.Errorf("sqlite: usage: drafts: %w", err)
	}
	return u, nil
}
