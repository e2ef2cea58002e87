package sqlite_test

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"rathaus/server"
	"rathaus/server/sqlite"
	"rathaus/server/storetest"
)

// TestConformance runs the store conformance suite, which PostgreSQL's
// store passes too, on a new database file per test.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		path := filepath.Join(t.TempDir(), "rathaus.db")
		return storetest.Store{
			Store:     mustOpenAt(t, path),
			Conflicts: func(t *testing.T) []storetest.Conflict { return conflicts(t, path) },
			Reopen:    func(t *testing.T) server.Store { return mustOpenAt(t, path) },
			Busy: func(t *testing.T) (server.Store, func()) {
				busy := mustOpenWith(t, path, sqlite.Options{BusyTimeout: 50 * time.Millisecond})
				return busy, holdWriteLock(t, path)
			},
			Full: func(t *testing.T) (server.Store, func(t *testing.T) server.Store) {
				// A database at its maximum size (a real SQLITE_FULL); with
				// room again means opened without the cap.
				full := filepath.Join(t.TempDir(), "full.db")
				mustOpenAt(t, full)
				capped := mustOpenWith(t, full, sqlite.Options{MaxSize: fileSize(t, full) + 256<<10})
				return capped, func(t *testing.T) server.Store { return mustOpenAt(t, full) }
			},
		}
	})
}

func mustOpenWith(t *testing.T, path string, o sqlite.Options) *sqlite.DB {
	t.Helper()
	db, err := sqlite.OpenWith(path, o)
	if err != nil {
		t.Fatalf("OpenWith(%s, %+v): %v", path, o, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// holdWriteLock takes the file's write lock from a connection of its own,
// as another process would, until the returned func is called.
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	raw, err := sql.Open("sqlite3", path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	tx, err := raw.Begin()
	if err != nil {
		t.Fatalf("take the write lock: %v", err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			_ = tx.Rollback()
			_ = raw.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// fileSize is the database's size in pages, in bytes.
func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var pages, size int64
	if err := raw.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow("PRAGMA page_size").Scan(&size); err != nil {
		t.Fatal(err)
	}
	return pages * size
}

// conflicts reads draft_conflicts directly from the file.
func conflicts(t *testing.T, path string) []storetest.Conflict {
	t.Helper()
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query("SELECT owner, draft_id, field, value, clock, device, winner FROM draft_conflicts")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storetest.Conflict
	for rows.Next() {
		var c storetest.Conflict
		var value sql.NullString
		if err := rows.Scan(&c.Owner, &c.Draft, &c.Field, &value, &c.Clock, &c.Device, &c.Winner); err != nil {
			t.Fatal(err)
		}
		if value.Valid {
			c.Value = json.RawMessage(value.String)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// BenchmarkStore: go test -run '^$' -bench Store ./server/sqlite/
func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, func(b *testing.B) server.Store {
		return mustOpenAt(b, filepath.Join(b.TempDir(), "rathaus.db"))
	})
}
