package sqlite_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/sqlite"
)

// MustOpen opens a database in a new temp file and closes it when the test
// ends.
func MustOpen(tb testing.TB) *sqlite.DB {
	tb.Helper()
	return mustOpenAt(tb, filepath.Join(tb.TempDir(), "rathaus.db"))
}

func mustOpenAt(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		tb.Fatalf("Open(%s): %v", path, err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

var created = time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)

func newCase(id string) server.NewCase {
	return server.NewCase{
		ID:      id,
		Service: "hundesteuer",
		Form:    api.FormRef{ID: "hundesteuer", Version: 1},
		Data:    []byte(`{"dog_name":"Bello"}`),
		Status:  api.StatusReceived,
		Created: created,
	}
}

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// migrationRows reads schema_migrations directly from the file.
func migrationRows(t *testing.T, path string) []string {
	t.Helper()
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query("SELECT version, name, applied FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v int
		var name, applied string
		if err := rows.Scan(&v, &name, &applied); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d %s %s", v, name, applied))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOpenMigratesOnceFromEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rathaus.db")
	files, err := fs.Glob(os.DirFS("migrations"), "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migration files: %v, %v", files, err)
	}

	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatalf("Open on an empty folder: %v", err)
	}
	ctx := context.Background()
	if _, _, err := db.CreateCase(ctx, "k1", hash("a"), newCase("c_1")); err != nil {
		t.Fatalf("CreateCase: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	first := migrationRows(t, path)
	if len(first) != len(files) {
		t.Fatalf("schema_migrations has %d rows, want one per file (%d): %v", len(first), len(files), first)
	}

	// Re-opening must apply nothing: a second CREATE TABLE would fail the
	// Open, and schema_migrations must be unchanged.
	db = mustOpenAt(t, path)
	if got := migrationRows(t, path); fmt.Sprint(got) != fmt.Sprint(first) {
		t.Errorf("after re-open schema_migrations = %v, want unchanged %v", got, first)
	}
	if n, err := db.CountCases(ctx); err != nil || n != 1 {
		t.Errorf("CountCases after re-open = %d, %v; want 1, nil", n, err)
	}
}

func TestDataStoredCanonical(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rathaus.db")
	db := mustOpenAt(t, path)
	c := newCase("c_1")
	if _, _, err := db.CreateCase(context.Background(), "k", hash("a"), c); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var data []byte
	if err := raw.QueryRow("SELECT data FROM cases WHERE id = 'c_1'").Scan(&data); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, c.Data) {
		t.Errorf("stored data = %s, want %s", data, c.Data)
	}
}

func TestPingAndClose(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping on an open database: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(ctx); err == nil {
		t.Error("Ping after Close = nil, want an error")
	}
}

func TestOpenBadPath(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{"", filepath.Join(dir, "a?b.db"), filepath.Join(dir, "missing", "sub", "x.db")} {
		t.Run(path, func(t *testing.T) {
			db, err := sqlite.Open(path)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q) = nil error, want one", path)
			}
			if !regexp.MustCompile(`^sqlite: `).MatchString(err.Error()) {
				t.Errorf("error %q does not say where it comes from", err)
			}
		})
	}
}

// TestUpgradeFromFirstSchema opens a database that only knows migration
// 0001, with a case in it: its key moves to the anonymous scope and the
// case gets its first timeline event.
func TestUpgradeFromFirstSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	first, err := os.ReadFile("migrations/0001_cases.sql")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		string(first),
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, '0001_cases.sql', '2026-11-01T00:00:00Z')`,
		`INSERT INTO cases VALUES ('c_old', '2026-000001', 'hundesteuer', 'hundesteuer', 1, '{}', 'received', '2026-11-01T08:00:00Z')`,
		`INSERT INTO idempotency_keys VALUES ('old-key', x'01', 'c_old', '2026-11-01T08:00:00Z')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()

	db := mustOpenAt(t, path)
	got, found, err := db.ReplayCase(context.Background(), "", "old-key", []byte{1})
	if err != nil || !found {
		t.Fatalf("ReplayCase of the old key = %v, %v; want found", found, err)
	}
	at := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	if len(got.History) != 1 || got.History[0].Status != api.StatusReceived || !got.History[0].At.Equal(at) {
		t.Errorf("history = %+v, want received at %v", got.History, at)
	}
	if _, found, _ := db.ReplayCase(context.Background(), "d_a", "old-key", []byte{1}); found {
		t.Error("the old key was found in a device's scope")
	}
}

// oldDatabase makes the database an older backend left at path: the first
// k migration files applied, each with its record. The caller closes it
// before opening the store.
func oldDatabase(t *testing.T, path string, k int) *sql.DB {
	t.Helper()
	files, err := fs.Glob(os.DirFS("migrations"), "*.sql")
	if err != nil || len(files) < k {
		t.Fatalf("migration files: %v, %v; want at least %d", files, err, k)
	}
	raw, err := sql.Open("sqlite3", path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	if _, err := raw.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, name := range files[:k] {
		b, err := os.ReadFile(filepath.Join("migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(string(b)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// The version is the file's number: numbers may have gaps.
		version, err := strconv.Atoi(name[:4])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := raw.Exec("INSERT INTO schema_migrations VALUES (?, ?, '2026-11-01T00:00:00Z')", version, name); err != nil {
			t.Fatal(err)
		}
	}
	return raw
}

// TestUpgradeFromEveryStep opens a database that an older backend left at
// each migration in turn (the first k files applied, as that backend did,
// in a transaction each with its record): Open applies the rest, and the
// store works.
func TestUpgradeFromEveryStep(t *testing.T) {
	files, err := fs.Glob(os.DirFS("migrations"), "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migration files: %v, %v", files, err)
	}
	for k := 0; k <= len(files); k++ {
		t.Run(fmt.Sprintf("after %d", k), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "old.db")
			oldDatabase(t, path, k).Close()

			db := mustOpenAt(t, path)
			if got := migrationRows(t, path); len(got) != len(files) {
				t.Errorf("schema_migrations = %v, want one row per file (%d)", got, len(files))
			}
			if _, _, err := db.CreateCase(context.Background(), "k", hash("a"), newCase("c_1")); err != nil {
				t.Errorf("CreateCase after the upgrade: %v", err)
			}
		})
	}
}
