// Package postgres stores the reference backend's cases, devices, changes
// feed, upload records and draft copies in PostgreSQL
// (github.com/jackc/pgx/v5). It implements server.Store, like server/sqlite,
// for a municipality that runs several backend processes on one database.
//
// Everything several processes could race on is decided inside the
// database: an idempotency key, a draft and the feed are each guarded by a
// transaction-scoped advisory lock, case numbers by their counter's row
// lock, and a case's status by its row lock (see locks.go). The locks
// include the schema's name, so that several towns may share one database,
// a schema each (search_path in the URL).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"rathaus/server"
)

var _ server.Store = (*DB)(nil)

// DB is an open database: a pool of connections. It is safe for concurrent
// use.
type DB struct {
	pool *pgxpool.Pool

	lockerOnce sync.Once
	locker     *UploadLocker // see UploadLocker
	lockerErr  error
}

// Open connects to the database at url (postgres://user:password@host:port/db?options,
// as libpq takes it; pool_max_conns sets the pool's size, search_path the
// schema) and applies the migrations it lacks. Several processes may open
// one database at once: they apply each migration once.
func Open(ctx context.Context, url string) (*DB, error) {
	return open(ctx, url, -1)
}

// open is Open, applying the migrations up to version last (-1: all).
func open(ctx context.Context, url string, last int) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "rathaus-server"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db := &DB{pool: pool}
	if err := db.migrateTo(ctx, last); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %s: %w", describe(cfg.ConnConfig), err)
	}
	return db, nil
}

// describe names the database for errors, without the password.
func describe(c *pgx.ConnConfig) string {
	return fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// Close closes every connection, also those of the upload locks; later
// calls fail.
func (db *DB) Close() error {
	db.lockerOnce.Do(func() {}) // no locker after Close
	if db.locker != nil {
		db.locker.Close()
	}
	db.pool.Close()
	return nil
}

// Ping reports whether the database answers, by reading a real table.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	if n == 0 {
		return errors.New("postgres: ping: no migrations applied")
	}
	return nil
}

// CountCases returns the number of cases.
func (db *DB) CountCases(ctx context.Context) (int, error) {
	var n int
	if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM cases").Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count cases: %w", err)
	}
	return n, nil
}

// maxAttempts bounds how often a transaction runs when PostgreSQL ends it
// for a serialization failure or a deadlock; both leave nothing behind, so
// running it again is safe.
const maxAttempts = 5

// inTx runs fn in a transaction (READ COMMITTED) and commits it when fn
// returns nil. fn may run more than once, so it must not keep state across
// runs.
func (db *DB) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := pgx.BeginFunc(ctx, db.pool, fn)
		if err == nil || attempt == maxAttempts || !retryable(err) {
			return err
		}
		// Full jitter, so that the transactions that collided do not
		// collide again.
		wait := time.Duration(rand.Int64N(int64(attempt) * int64(5*time.Millisecond)))
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// SQLSTATE codes the store acts on.
const (
	codeSerializationFailure = "40001"
	codeDeadlock             = "40P01"
	codeForeignKeyViolation  = "23503"
)

func retryable(err error) bool {
	return sqlState(err) == codeSerializationFailure || sqlState(err) == codeDeadlock
}

func sqlState(err error) string {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pe.Code
	}
	return ""
}

// stamp is how the store keeps a time: in UTC, to the microsecond, as
// PostgreSQL does. A time is cut to it before it is stored and answered, so
// that an answer and later reads of the same thing are equal.
func stamp(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// nullable maps "" to SQL NULL.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
