package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Advisory locks. A transaction-scoped advisory lock is held until the
// transaction ends, also when its holder's process dies (the connection
// goes, and with it the lock), and it can guard a row that does not exist
// yet: a new idempotency key, a draft's first copy.
//
// The two-int form keeps these apart from the one-bigint form of the
// migrations' lock (PostgreSQL keeps the two key spaces apart): the first
// int says what is locked, the second is a hash of the schema and the key.
// A hash collision only makes two unrelated requests wait for each other.
//
// Locks are taken in one order, so that no two transactions wait for each
// other: an idempotency key or a draft or a case's row first, then a case
// counter's row, then the feed.
const (
	lockKey   = 0x5241_0001 // an idempotency key, by scope and key
	lockDraft = 0x5241_0002 // a draft, by owner and id
	lockFeed  = 0x5241_0003 // the changes feed, one per schema
)

// lockSQL takes the advisory lock of class ($1) on a key ($2) for the rest
// of the transaction.
const lockSQL = "SELECT pg_advisory_xact_lock($1::int4, hashtext(current_schema() || ' ' || $2::text))"

// lock takes the advisory lock of class on key for the rest of tx.
func lock(ctx context.Context, tx pgx.Tx, class int32, key string) error {
	_, err := tx.Exec(ctx, lockSQL, class, key)
	if err != nil {
		return fmt.Errorf("postgres: lock: %w", err)
	}
	return nil
}

// migrateLock is the key of the lock that makes processes apply
// migrations one at a time, per schema (one-bigint form).
const migrateLock = "SELECT pg_advisory_xact_lock(hashtextextended('rathaus migrations ' || current_schema(), 0))"
