package sqlite_test

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"

	"rathaus/server"
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
		}
	})
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
