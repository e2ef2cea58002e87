package loadtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "github.com/mattn/go-sqlite3"    // registers the "sqlite3" driver
)

// ScopedKey is an idempotency key in its scope: the submitting device's
// id, "" for anonymous clients.
type ScopedKey struct{ Scope, Key string }

// Index reads what a backend's database holds, beside the running server,
// with a connection of its own: the proof that an acknowledged submission
// was stored, independent of what the server answers.
type Index struct {
	db     *sql.DB
	sqlite bool
}

// indexOpeners open a database/sql handle for a --db value by its scheme.
// The queries below are plain SQL without parameters, so they run
// unchanged on SQLite and PostgreSQL.
var indexOpeners = map[string]func(dsn string) (*sql.DB, error){
	"postgres":   openPostgres,
	"postgresql": openPostgres,
}

// openPostgres opens the database the backend's --db URL names, through
// pgx's database/sql driver. The URL may carry the settings of pgx's pool
// (pool_max_conns, ...), which this reader has no pool for: as a
// connection's they would reach the server as unknown settings.
func openPostgres(dsn string) (*sql.DB, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("loadtest: database URL: %w", err)
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		return nil, fmt.Errorf("loadtest: %w", err)
	}
	return db, nil
}

// OpenIndex opens the database a backend uses: a SQLite file path, or a
// URL whose scheme is registered in indexOpeners.
func OpenIndex(db string) (*Index, error) {
	if scheme, _, ok := strings.Cut(db, "://"); ok {
		open := indexOpeners[scheme]
		if open == nil {
			return nil, fmt.Errorf("loadtest: no database reader for %s:// yet (see indexOpeners)", scheme)
		}
		sdb, err := open(db)
		if err != nil {
			return nil, err
		}
		return &Index{db: sdb}, nil
	}
	if strings.ContainsAny(db, "?#") {
		return nil, fmt.Errorf("loadtest: unusable database path %q", db)
	}
	// Read-only: the harness must never change what it checks. The server
	// keeps the WAL and its index in place while it runs.
	sdb, err := sql.Open("sqlite3", "file:"+db+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return nil, err
	}
	return &Index{db: sdb, sqlite: true}, nil
}

// Close closes the connection.
func (x *Index) Close() error { return x.db.Close() }

// Snapshot is what the database held at one moment.
type Snapshot struct {
	// Keys maps every idempotency key to the case stored under it.
	Keys map[ScopedKey]string
	// Cases is the number of cases; Orphans the number of cases that no
	// idempotency key names (each one a duplicate or a case from nowhere).
	Cases, Orphans int
}

// Snapshot reads the keys and counts in one read transaction, so that they
// agree with each other while the server goes on writing (SQLite's read
// transactions are snapshots; PostgreSQL's need REPEATABLE READ for one).
func (x *Index) Snapshot(ctx context.Context) (Snapshot, error) {
	var s Snapshot
	o := &sql.TxOptions{ReadOnly: true}
	if !x.sqlite {
		o.Isolation = sql.LevelRepeatableRead
	}
	tx, err := x.db.BeginTx(ctx, o)
	if err != nil {
		return s, fmt.Errorf("loadtest: read the database: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	rows, err := tx.QueryContext(ctx, "SELECT scope, key, case_id FROM idempotency_keys")
	if err != nil {
		return s, fmt.Errorf("loadtest: read idempotency keys: %w", err)
	}
	defer rows.Close()
	s.Keys = map[ScopedKey]string{}
	for rows.Next() {
		var k ScopedKey
		var id string
		if err := rows.Scan(&k.Scope, &k.Key, &id); err != nil {
			return s, err
		}
		s.Keys[k] = id
	}
	if err := rows.Err(); err != nil {
		return s, err
	}
	err = tx.QueryRowContext(ctx, "SELECT count(*) FROM cases").Scan(&s.Cases)
	if err == nil {
		err = tx.QueryRowContext(ctx,
			"SELECT count(*) FROM cases WHERE id NOT IN (SELECT case_id FROM idempotency_keys)").Scan(&s.Orphans)
	}
	if err != nil {
		return s, fmt.Errorf("loadtest: count cases: %w", err)
	}
	return s, nil
}

// Integrity runs SQLite's integrity check; other databases check their
// own pages, so it returns nil for them.
func (x *Index) Integrity(ctx context.Context) error {
	if !x.sqlite {
		return nil
	}
	rows, err := x.db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("loadtest: integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return errors.New("loadtest: integrity check: " + strings.Join(problems, "; "))
	}
	return nil
}
