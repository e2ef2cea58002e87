// Package sqlite stores the reference backend's cases, devices, changes feed,
// upload records and draft copies in one SQLite file
// (github.com/mattn/go-sqlite3). It implements server.Store.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	"rathaus/server"
)

var _ server.Store = (*DB)(nil)

// dsnOptions apply to every connection. WAL lets readers run beside the one
// writer; synchronous=FULL makes a commit survive power loss, not just a
// crash; _txlock=immediate takes the write lock at BEGIN, so two
// transactions never both read and then race to write (an idempotency key
// is checked and stored in one transaction); busy_timeout makes a writer
// wait its turn instead of failing.
const dsnOptions = "?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=5000&_synchronous=FULL&_txlock=immediate"

// DB is an open database. It is safe for concurrent use.
type DB struct {
	db *sql.DB
}

// Open opens (creating if needed) the database file at path and applies the
// migrations it lacks.
func Open(path string) (*DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		// The driver reads options after "?"; such a path would be misread.
		return nil, fmt.Errorf("sqlite: unusable database path %q", path)
	}
	sdb, err := sql.Open("sqlite3", path+dsnOptions)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db := &DB{db: sdb}
	if err := db.migrate(context.Background()); err != nil {
		_ = sdb.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	return db, nil
}

// Close closes the database; later calls fail.
func (db *DB) Close() error {
	return db.db.Close()
}

// Ping reports whether the database answers, by reading a real table (a
// bare ping would not touch the file).
func (db *DB) Ping(ctx context.Context) error {
	var n int
	err := db.db.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n)
	if err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	if n == 0 {
		return errors.New("sqlite: ping: no migrations applied")
	}
	return nil
}

// CountCases returns the number of cases.
func (db *DB) CountCases(ctx context.Context) (int, error) {
	var n int
	if err := db.db.QueryRowContext(ctx, "SELECT count(*) FROM cases").Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count cases: %w", err)
	}
	return n, nil
}
