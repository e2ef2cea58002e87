package sqlite

import (
	"context"
	"fmt"

	"rathaus/api"
	"rathaus/server"
)

// Usage implements server.Store, in one statement (one snapshot). A
// draft's size and whether it holds a field are kept beside it when it is
// written (migration 0008), and the index drafts_usage holds them: counting
// reads no copy.
func (db *DB) Usage(ctx context.Context, d server.Device) (_ server.Usage, err error) {
	defer func() { err = classify(err) }()
	var u server.Usage
	err = db.ro.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM cases WHERE device = ? AND status NOT IN (?, ?)),
			coalesce(sum(has_fields), 0),
			coalesce(sum(bytes), 0)
		FROM drafts WHERE owner = ?`, d.ID, api.StatusDecided, api.StatusClosed, draftOwner(d)).Scan(&u.OpenCases, &u.Drafts, &u.DraftBytes)
	if err != nil {
		return server.Usage{}, fmt.Errorf("sqlite: usage: %w", err)
	}
	return u, nil
}
