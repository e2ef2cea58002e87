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
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
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
	pool           *pgxpool.Pool
	acquireTimeout time.Duration
	// retries counts the transactions inTx ran again: lock orders that
	// deadlock show here before they show as 503s.
	retries atomic.Int64

	lockerOnce sync.Once
	locker     *UploadLocker // see UploadLocker
	lockerErr  error
}

// Open connects to the database at url (postgres://user:password@host:port/db?options,
// as libpq takes it; pool_max_conns sets the pool's size, search_path the
// schema, lock_timeout how long a write waits for another's lock) and
// applies the migrations it lacks. Several processes may open one database
// at once: they apply each migration once.
func Open(ctx context.Context, url string) (*DB, error) {
	return OpenWith(ctx, url, Options{})
}

// Options change how OpenWith opens a database.
type Options struct {
	// AcquireTimeout is how long a call waits for a free connection of the
	// pool before it fails with server.ErrBusy (0: DefaultAcquireTimeout).
	AcquireTimeout time.Duration
}

// Defaults of the waits that end in server.ErrBusy, as long as the SQLite
// store's busy timeout: long enough for a queue of ordinary requests, short
// enough to answer 503 well within a request's time. DefaultLockTimeout is
// PostgreSQL's lock_timeout unless the URL sets one: a write that waits
// longer for a row or an advisory lock (held by a stuck transaction, or an
// operator's LOCK TABLE) gives up.
const (
	DefaultAcquireTimeout = 5 * time.Second
	DefaultLockTimeout    = 5 * time.Second
)

// OpenWith is Open with options.
func OpenWith(ctx context.Context, url string, o Options) (*DB, error) {
	return open(ctx, url, o, -1)
}

// open is OpenWith, applying the migrations up to version last (-1: all).
func open(ctx context.Context, url string, o Options, last int) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	params := cfg.ConnConfig.RuntimeParams
	if _, ok := params["application_name"]; !ok {
		params["application_name"] = "rathaus-server"
	}
	if _, ok := params["lock_timeout"]; !ok {
		params["lock_timeout"] = strconv.FormatInt(DefaultLockTimeout.Milliseconds(), 10)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db := &DB{pool: pool, acquireTimeout: cmp.Or(o.AcquireTimeout, DefaultAcquireTimeout)}
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
func (db *DB) Ping(ctx context.Context) (err error) {
	defer func() { err = classify(err) }()
	c, err := db.acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	defer c.Release()
	var n int
	if err := c.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	if n == 0 {
		return errors.New("postgres: ping: no migrations applied")
	}
	return nil
}

// CountCases returns the number of cases.
func (db *DB) CountCases(ctx context.Context) (_ int, err error) {
	defer func() { err = classify(err) }()
	c, err := db.acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("postgres: count cases: %w", err)
	}
	defer c.Release()
	var n int
	if err := c.QueryRow(ctx, "SELECT count(*) FROM cases").Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count cases: %w", err)
	}
	return n, nil
}

// acquire takes a connection of the pool, waiting for one at most the
// acquire timeout: a pool that stays used up that long is busy.
func (db *DB) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	actx, cancel := context.WithTimeout(ctx, db.acquireTimeout)
	defer cancel()
	c, err := db.pool.Acquire(actx)
	if err != nil && ctx.Err() == nil && actx.Err() != nil {
		return nil, &marked{err: fmt.Errorf("no connection to the database free within %v: %w", db.acquireTimeout, err), kind: server.ErrBusy}
	}
	return c, err
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
		err := db.tx(ctx, pgx.TxOptions{}, fn)
		if err == nil || attempt == maxAttempts || !retryable(err) {
			return err
		}
		db.retries.Add(1)
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

// tx runs fn in a transaction on a connection of the pool.
func (db *DB) tx(ctx context.Context, o pgx.TxOptions, fn func(tx pgx.Tx) error) error {
	c, err := db.acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	return pgx.BeginTxFunc(ctx, c, o, fn)
}

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
