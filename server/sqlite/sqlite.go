// Package sqlite stores the reference backend's cases, devices, changes feed,
// upload records and draft copies in one SQLite file
// (github.com/mattn/go-sqlite3). It implements server.Store.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"rathaus/server"
)

var _ server.Store = (*DB)(nil)

// dsnOptions apply to every connection that writes. WAL lets readers run
// beside the one writer; synchronous=FULL makes a commit survive power
// loss, not just a crash; _txlock=immediate takes the write lock at BEGIN,
// so two transactions never both read and then race to write (an
// idempotency key is checked and stored in one transaction), also when
// another process writes the same file; busy_timeout makes a writer wait
// its turn instead of failing. _stmt_cache_size keeps each connection's
// prepared statements (this package's queries are a few dozen constants):
// without it go-sqlite3 prepares every statement it runs, 13 % of the
// backend's CPU under load.
const dsnOptions = "?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=%d&_synchronous=FULL&_txlock=immediate&_stmt_cache_size=64"

// readOptions apply to the connections that only read: deferred
// transactions, which take no write lock (go-sqlite3 ignores
// sql.TxOptions.ReadOnly, and _txlock=immediate would make a read-only
// transaction BEGIN IMMEDIATE), and query_only, so that a read can never
// write by mistake. In WAL mode they read beside the writer. Statements
// are kept as above.
const readOptions = "?_foreign_keys=on&_busy_timeout=%d&_txlock=deferred&_query_only=1&_stmt_cache_size=64"

// DB is an open database. It is safe for concurrent use.
//
// Writes go through one connection, in order, the writes queued meanwhile
// committed together (writer.go): SQLite has one writer anyway, and
// waiting in order (bounded by the request's context) is fairer than
// SQLite's busy loop, in which a writer that waits long enough fails with
// "database is locked". Reads have a pool of their own.
type DB struct {
	db *sql.DB // the write connection: migrations, then the writer's for good
	w  *writer // writes, and reads inside a write
	ro *sql.DB // reads
}

// Options change how Open opens a database.
type Options struct {
	// MaxSize caps the database file at about this many bytes: a write
	// that would grow it further fails with server.ErrFull (and the
	// backend answers 507), so that the database cannot fill the disk that
	// its own journal needs. 0: no cap but the disk.
	MaxSize int64
	// BusyTimeout is how long a write waits for another process's write
	// lock before it fails with server.ErrBusy (0: DefaultBusyTimeout).
	// Writes of this process wait for each other without it.
	BusyTimeout time.Duration
}

// readConns is the size of the pool of reading connections.
const readConns = 16

// DefaultBusyTimeout is Options.BusyTimeout when it is 0.
const DefaultBusyTimeout = 5 * time.Second

// Open opens (creating if needed) the database file at path and applies the
// migrations it lacks.
func Open(path string) (*DB, error) {
	return OpenWith(path, Options{})
}

// OpenWith is Open with options.
func OpenWith(path string, o Options) (*DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		// The driver reads options after "?"; such a path would be misread.
		return nil, fmt.Errorf("sqlite: unusable database path %q", path)
	}
	hook := func(c *sqlite3.SQLiteConn) error {
		// The writer's savepoints (writer.go) keep the pages they change in
		// a sub-journal, which SQLite moves to a temp file past 64 KiB: an
		// open, writes and a close per group under load (strace). In
		// memory it is at most a group's pages; it is not part of what
		// makes a commit durable.
		if _, err := c.Exec("PRAGMA temp_store = MEMORY", nil); err != nil {
			return err
		}
		if o.MaxSize <= 0 {
			return nil
		}
		// max_page_count counts pages of the page size in use (4096 unless
		// the file says otherwise).
		_, err := c.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", max(1, o.MaxSize/4096)), nil)
		return err
	}
	busy := o.BusyTimeout
	if busy <= 0 {
		busy = DefaultBusyTimeout
	}
	ms := max(1, busy.Milliseconds())
	w := sql.OpenDB(connector{dsn: path + fmt.Sprintf(dsnOptions, ms), d: &sqlite3.SQLiteDriver{ConnectHook: hook}})
	w.SetMaxOpenConns(1)
	ro := sql.OpenDB(connector{dsn: path + fmt.Sprintf(readOptions, ms), d: &sqlite3.SQLiteDriver{}})
	// database/sql keeps 2 idle connections by default: under load every
	// further read opened a connection (the file, its WAL and shm, the
	// schema) and closed it again, which strace showed as hundreds of
	// opens a second. The reads are short and the CPUs few: a bounded pool,
	// kept open, serves them.
	ro.SetMaxOpenConns(readConns)
	ro.SetMaxIdleConns(readConns)
	db := &DB{db: w, ro: ro}
	if err := db.migrate(context.Background()); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, classify(err))
	}
	var err error
	if db.w, err = newWriter(w); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, classify(err))
	}
	return db, nil
}

// connector opens connections of one DSN with one driver (go-sqlite3 has
// no OpenConnector of its own).
type connector struct {
	dsn string
	d   *sqlite3.SQLiteDriver
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.d }

// Close closes the database; later calls fail.
func (db *DB) Close() error {
	var errs []error
	if db.w != nil {
		errs = append(errs, db.w.close())
	}
	return errors.Join(append(errs, db.ro.Close(), db.db.Close())...)
}

// Ping reports whether the database answers, by reading a real table (a
// bare ping would not touch the file).
func (db *DB) Ping(ctx context.Context) (err error) {
	defer func() { err = classify(err) }()
	var n int
	err = db.ro.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n)
	if err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	if n == 0 {
		return errors.New("sqlite: ping: no migrations applied")
	}
	return nil
}

// CountCases returns the number of cases.
func (db *DB) CountCases(ctx context.Context) (_ int, err error) {
	defer func() { err = classify(err) }()
	var n int
	if err := db.ro.QueryRowContext(ctx, "SELECT count(*) FROM cases").Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count cases: %w", err)
	}
	return n, nil
}
