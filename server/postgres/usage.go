package postgres

import (
	"context"
	"fmt"

	"rathaus/api"
	"rathaus/server"
)

// Usage implements server.Store, in one statement (one snapshot). A
// draft's size and whether it holds a field are kept beside it when it is
// written: PostgreSQL's json functions cannot read a copy with a \u0000
// in it, and summing sizes then reads no copy at all.
func (db *DB) Usage(ctx context.Context, d server.Device) (_ server.Usage, err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return server.Usage{}, fmt.Errorf("postgres: usage: %w", err)
	}
	defer conn.Release()
	var u server.Usage
	err = conn.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM cases WHERE device = $1 AND status NOT IN ($2, $4)),
			count(*) FILTER (WHERE has_fields),
			coalesce(sum(bytes), 0)::bigint
		FROM drafts WHERE owner = $3`, d.ID, api.StatusDecided, draftOwner(d), api.StatusClosed).Scan(&u.OpenCases, &u.Drafts, &u.DraftBytes)
	if err != nil {
		return server.Usage{}, fmt.Errorf("postgres: usage: %w", err)
	}
	return u, nil
}
