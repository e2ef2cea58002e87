// Package store is the app's local SQLite database (github.com/mattn/go-sqlite3):
// the catalog and forms cached from the backend, drafts, the outbox and the
// mirror of cases. It runs in WAL mode with foreign keys on and
// synchronous=FULL, so that a commit that reports "saved" survives a crash
// and a power loss. Personal data is sealed with the device's data key, and
// secure_delete zeroes what is deleted.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-sqlite3"

	"rathaus/app/citizen"
	"rathaus/app/secrets"
)

//go:embed migrations/*.sql
var migrations embed.FS

// KeySource hands out the data key of a database, identified by its install
// id; a secrets.Keychain is one.
type KeySource interface {
	// DataKey returns the key; secrets.ErrNotFound when there is none.
	DataKey(id string) ([]byte, error)
	// NewDataKey makes the key where there is none.
	NewDataKey(id string) ([]byte, error)
}

var _ KeySource = (*secrets.Keychain)(nil)

// Store is the local database. It is safe for concurrent use.
type Store struct {
	db        *sql.DB
	path      string
	installID string
	sealer    *secrets.Sealer
	now       func() time.Time
	clock     *citizen.HLC // stamps draft fields for sync between devices
	newKey    bool         // make a data key when the existing database has none
	saved     savedDrafts  // what SaveDraft last wrote per draft
}

// Option configures a Store.
type Option func(*Store)

// WithClock makes the store read the time from now instead of time.Now.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// Open opens (creating if need be) the database at path, applies pending
// migrations in order, and fetches the data key from keys.
func Open(ctx context.Context, path string, keys KeySource, opts ...Option) (*Store, error) {
	s := &Store{path: path, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "5000")
	q.Set("_synchronous", "FULL")
	q.Set("_txlock", "immediate")
	q.Set("_stmt_cache_size", "32")
	// Deleted rows are overwritten with zeros, on every connection of the
	// pool, whatever the build tags (the Makefile also builds SQLite with
	// SQLITE_SECURE_DELETE): a deleted draft's sealed bytes leave the file.
	q.Set("_secure_delete", "on")
	db, err := sql.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, storageError("opening the database", err)
	}
	s.db = db
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	key, err := s.dataKey(ctx, keys)
	if err != nil {
		db.Close()
		return nil, err
	}
	if s.sealer, err = secrets.NewSealer(key); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.sealMirror(ctx); err != nil {
		db.Close()
		return nil, err
	}
	s.clock = citizen.NewHLC(s.installID, s.now)
	if err := s.resumeClock(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// InstallID identifies this database; its data key is kept under it.
func (s *Store) InstallID() string { return s.installID }

// DB exposes the database for tests and diagnostics (integrity checks).
func (s *Store) DB() *sql.DB { return s.db }

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, applied INTEGER NOT NULL) STRICT`); err != nil {
		return storageError("preparing migrations", err)
	}
	ms, err := migrationPlan(migrations)
	if err != nil {
		return err
	}
	// Read once which are applied: at every start but after an update all
	// are, and a transaction each to find that out cost milliseconds of
	// the start. apply looks again inside its transaction.
	applied := map[int]bool{}
	rows, err := s.db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return storageError("reading migrations", err)
	}
	for rows.Next() {
		var v int
		if err = rows.Scan(&v); err != nil {
			break
		}
		applied[v] = true
	}
	rows.Close()
	if err = errors.Join(err, rows.Err()); err != nil {
		return storageError("reading migrations", err)
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		if err := s.apply(ctx, m.version, m.name); err != nil {
			return err
		}
	}
	return nil
}

// migration is one file of migrations/, applied once, by its number.
type migration struct {
	version int
	name    string
}

// migrationPlan lists the migrations in fsys in the order of their
// numbers. Two files with one number are refused: a database is at a
// number, so the second would be skipped wherever the first ran (two
// branches that each add the next number meet at a merge).
func migrationPlan(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	byVersion := map[int]string{}
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: name must start with its number", base)
		}
		if other, ok := byVersion[v]; ok {
			return nil, fmt.Errorf("migrations %s and %s have the same number: renumber the later one", other, base)
		}
		byVersion[v] = base
		ms = append(ms, migration{v, n})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

func (s *Store) apply(ctx context.Context, version int, name string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("starting a migration", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
		return storageError("reading migrations", err)
	}
	if n > 0 {
		return nil
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return storageError("migration "+name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied) VALUES (?, ?)`, version, s.now().UnixMilli()); err != nil {
		return storageError("recording a migration", err)
	}
	return storageError("committing a migration", tx.Commit())
}

// storageError turns a database failure into a domain error; a full or
// read-only disk gets a message the citizen can act on.
func storageError(op string, err error) error {
	if err == nil {
		return nil
	}
	var ce *citizen.Error
	if errors.As(err, &ce) {
		return err
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		// An I/O error for want of space (the wal-index allocated as the
		// database opens on a full disk) is a full disk to the citizen.
		if se.Code == sqlite3.ErrIoErr && se.SystemErrno == syscall.ENOSPC {
			se.Code = sqlite3.ErrFull
		}
		switch se.Code {
		case sqlite3.ErrFull:
			return &citizen.Error{Code: citizen.ESTORAGE, Message: "The device's storage is full. Free some space; nothing was saved.", Err: fmt.Errorf("%s: %w", op, err)}
		case sqlite3.ErrReadonly, sqlite3.ErrIoErr, sqlite3.ErrCantOpen, sqlite3.ErrCorrupt, sqlite3.ErrNotADB:
			return &citizen.Error{Code: citizen.ESTORAGE, Message: "The app's data cannot be written.", Err: fmt.Errorf("%s: %w", op, err)}
		}
	}
	return &citizen.Error{Code: citizen.EINTERNAL, Message: "The app's database failed.", Err: fmt.Errorf("%s: %w", op, err)}
}

func ms(t time.Time) int64 { return t.UTC().UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
