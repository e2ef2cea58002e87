package sqlite_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sync"
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

func TestCreateCase(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)

	first, replayed, err := db.CreateCase(ctx, "key-1", hash("a"), newCase("c_0000000000000001"))
	if err != nil || replayed {
		t.Fatalf("new: CreateCase = replayed %v, err %v; want false, nil", replayed, err)
	}
	received := []api.CaseEvent{{Status: api.StatusReceived, At: created}}
	want := api.Case{ID: "c_0000000000000001", Number: "2026-000001", Service: "hundesteuer",
		Form: api.FormRef{ID: "hundesteuer", Version: 1}, Status: api.StatusReceived, Created: created, History: received}
	if !reflect.DeepEqual(first, want) {
		t.Errorf("new: got %+v, want %+v", first, want)
	}

	tests := []struct {
		name         string
		key          string
		hash         []byte
		id           string
		wantErr      error
		wantReplayed bool
		wantCase     api.Case
		wantCount    int
	}{
		{name: "replay", key: "key-1", hash: hash("a"), id: "c_other", wantReplayed: true, wantCase: want, wantCount: 1},
		{name: "reuse", key: "key-1", hash: hash("b"), id: "c_other2", wantErr: server.ErrKeyReused, wantCount: 1},
		{name: "second key", key: "key-2", hash: hash("a"), id: "c_0000000000000002", wantCount: 2,
			wantCase: api.Case{ID: "c_0000000000000002", Number: "2026-000002", Service: "hundesteuer",
				Form: api.FormRef{ID: "hundesteuer", Version: 1}, Status: api.StatusReceived, Created: created, History: received}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, replayed, err := db.CreateCase(ctx, tt.key, tt.hash, newCase(tt.id))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if replayed != tt.wantReplayed {
				t.Errorf("replayed = %v, want %v", replayed, tt.wantReplayed)
			}
			if tt.wantErr == nil && !got.Created.Equal(tt.wantCase.Created) {
				t.Errorf("created = %v, want %v", got.Created, tt.wantCase.Created)
			}
			got.Created, tt.wantCase.Created = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, tt.wantCase) {
				t.Errorf("case = %+v, want %+v", got, tt.wantCase)
			}
			if n, err := db.CountCases(ctx); err != nil || n != tt.wantCount {
				t.Errorf("CountCases = %d, %v; want %d", n, err, tt.wantCount)
			}
		})
	}
}

func TestCaseNumbersSequentialPerYear(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	create := func(i int, at time.Time) string {
		t.Helper()
		c := newCase(fmt.Sprintf("c_%016d", i))
		c.Created = at
		got, _, err := db.CreateCase(ctx, fmt.Sprintf("key-%d", i), hash("x"), c)
		if err != nil {
			t.Fatalf("CreateCase %d: %v", i, err)
		}
		return got.Number
	}
	var got []string
	for i := range 3 {
		got = append(got, create(i, created))
	}
	// A new year starts again at 1; the old year carries on where it was.
	got = append(got, create(3, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)))
	got = append(got, create(4, created))
	// A local time late on 31 December is already next year in UTC.
	got = append(got, create(5, time.Date(2027, 12, 31, 23, 30, 0, 0, time.FixedZone("X", -2*3600))))
	want := []string{"2026-000001", "2026-000002", "2026-000003", "2027-000001", "2026-000004", "2028-000001"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("numbers = %v, want %v", got, want)
	}
}

func TestCreateCaseConcurrentSameKey(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	const n = 32
	var wg sync.WaitGroup
	cases := make([]api.Case, n)
	replays := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			cases[i], replays[i], errs[i] = db.CreateCase(ctx, "same", hash("a"), newCase(fmt.Sprintf("c_%016d", i)))
		})
	}
	wg.Wait()
	fresh := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if !replays[i] {
			fresh++
		}
		if !reflect.DeepEqual(cases[i], cases[0]) {
			t.Errorf("goroutine %d got case %+v, goroutine 0 got %+v", i, cases[i], cases[0])
		}
	}
	if fresh != 1 {
		t.Errorf("%d goroutines created a case, want exactly 1", fresh)
	}
	if c, err := db.CountCases(ctx); err != nil || c != 1 {
		t.Errorf("CountCases = %d, %v; want 1", c, err)
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

func TestReplayCase(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	if _, found, err := db.ReplayCase(ctx, "", "k1", hash("a")); found || err != nil {
		t.Fatalf("ReplayCase of a new key = found %v, err %v; want not found", found, err)
	}
	made, _, err := db.CreateCase(ctx, "k1", hash("a"), newCase("c_0000000000000001"))
	if err != nil {
		t.Fatal(err)
	}
	got, found, err := db.ReplayCase(ctx, "", "k1", hash("a"))
	if err != nil || !found || got.Number != made.Number {
		t.Errorf("ReplayCase = %+v, %v, %v; want the stored case %s", got, found, err, made.Number)
	}
	if _, _, err := db.ReplayCase(ctx, "", "k1", hash("b")); !errors.Is(err, server.ErrKeyReused) {
		t.Errorf("ReplayCase with another hash: err = %v, want ErrKeyReused", err)
	}
}
