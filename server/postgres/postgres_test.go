package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/postgres"
	"rathaus/server/postgres/pgtest"
)

// migrationRows reads schema_migrations as "version name applied".
func migrationRows(t *testing.T, url string) []string {
	t.Helper()
	conn := pgtest.Connect(t, url)
	rows, err := conn.Query(context.Background(), "SELECT version, name, applied FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v int
		var name string
		var applied time.Time
		if err := rows.Scan(&v, &name, &applied); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d %s %s", v, name, applied.Format(time.RFC3339Nano)))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMigrationsFromEmpty starts from an empty schema at every step: with
// the first k migrations applied (as an older backend left it), Open
// applies the rest, once; opening again applies nothing.
func TestMigrationsFromEmpty(t *testing.T) {
	ctx := context.Background()
	names := postgres.Migrations()
	if len(names) == 0 {
		t.Fatal("no migrations embedded")
	}
	for k := 0; k <= len(names); k++ {
		t.Run(fmt.Sprintf("after %d", k), func(t *testing.T) {
			t.Parallel()
			url := pgtest.URL(t)
			last := 0 // the k-th file's number: numbers may have gaps
			if k > 0 {
				last = migrationVersion(t, names[k-1])
			}
			old, err := postgres.OpenAt(ctx, url, last)
			if err != nil {
				t.Fatalf("OpenAt(%d): %v", k, err)
			}
			if got := len(migrationRows(t, url)); got != k {
				t.Errorf("after OpenAt(%d): %d migrations applied", k, got)
			}
			old.Close()

			db, err := postgres.Open(ctx, url)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if _, _, err := db.CreateCase(ctx, "k1", []byte{1}, server.NewCase{ID: "c_1", Service: "s", Form: api.FormRef{ID: "f", Version: 1},
				Data: []byte(`{}`), Status: api.StatusReceived, Created: time.Now()}); err != nil {
				t.Fatalf("CreateCase: %v", err)
			}
			db.Close()
			first := migrationRows(t, url)
			for i, name := range names {
				// The version is the file's number: numbers may have gaps.
				version := migrationVersion(t, name)
				if i >= len(first) || !strings.HasPrefix(first[i], fmt.Sprintf("%d %s ", version, name)) {
					t.Fatalf("schema_migrations = %q, want one row per file %q", first, names)
				}
			}

			db, err = postgres.Open(ctx, url)
			if err != nil {
				t.Fatalf("Open again: %v", err)
			}
			defer db.Close()
			if got := migrationRows(t, url); !reflect.DeepEqual(got, first) {
				t.Errorf("after opening again schema_migrations = %q, want it unchanged %q", got, first)
			}
			if n, err := db.CountCases(ctx); err != nil || n != 1 {
				t.Errorf("CountCases = %d, %v; want 1", n, err)
			}
		})
	}
}

// TestMigrationsConcurrentStart opens one empty schema from several
// processes' worth of pools at once: each migration is applied once and
// every Open succeeds.
func TestMigrationsConcurrentStart(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	const n = 6
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			db, err := postgres.Open(ctx, url)
			if err == nil {
				err = db.Ping(ctx)
				db.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
		}
	}
	if got, want := len(migrationRows(t, url)), len(postgres.Migrations()); got != want {
		t.Errorf("%d migrations recorded, want %d", got, want)
	}
}

func TestOpenRefusesANewerDatabase(t *testing.T) {
	ctx := context.Background()
	_, url := mustOpen(t)
	pgtest.Exec(t, url, "INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future.sql')")
	db, err := postgres.Open(ctx, url)
	if err == nil {
		db.Close()
		t.Fatal("Open of a database a newer backend migrated succeeded")
	}
	if !strings.Contains(err.Error(), "9999") || !strings.Contains(err.Error(), "newer") {
		t.Errorf("error %q does not say that the database is newer", err)
	}
}

func TestOpenFailsClearly(t *testing.T) {
	// A port where nothing listens, and a password that must not show.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, url := range []string{
		"postgres://rathaus:s3cret-pw@" + free + "/rathaus?connect_timeout=2",
		"postgres://rathaus:s3cret-pw@" + free + "/rathaus?sslmode=nonsense",
		"not a url",
	} {
		t.Run(url, func(t *testing.T) {
			db, err := postgres.Open(ctx, url)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.HasPrefix(err.Error(), "postgres: ") {
				t.Errorf("error %q does not say where it comes from", err)
			}
			if strings.Contains(err.Error(), "s3cret-pw") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestPingAndClose(t *testing.T) {
	ctx := context.Background()
	db, _ := mustOpen(t)
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping on an open database: %v", err)
	}
	db.Close()
	if err := db.Ping(ctx); err == nil {
		t.Error("Ping after Close = nil, want an error")
	}
}

// TestDataStoredAsGiven: the case data is kept as the backend made it
// (canonical JSON), byte for byte, also with escapes text cannot hold.
func TestDataStoredAsGiven(t *testing.T) {
	ctx := context.Background()
	db, url := mustOpen(t)
	for i, data := range []string{`{"dog_name":"Bello"}`, `{"a":"\u0000","b":"\ud83d\ude00 ß","n":1e3}`} {
		c := server.NewCase{ID: fmt.Sprintf("c_%d", i), Service: "s", Form: api.FormRef{ID: "f", Version: 1},
			Data: []byte(data), Status: api.StatusReceived, Created: time.Now()}
		if _, _, err := db.CreateCase(ctx, c.ID, []byte{1}, c); err != nil {
			t.Fatalf("CreateCase(%s): %v", data, err)
		}
		var got string
		if err := pgtest.Connect(t, url).QueryRow(ctx, "SELECT data::text FROM cases WHERE id = $1", c.ID).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != data {
			t.Errorf("stored data = %s, want %s", got, data)
		}
	}
}

// TestQuotaMigrationReadsEarlierDrafts: the migration that keeps each
// draft's size and whether it holds a field beside it works them out
// right for the copies written before it, whatever their text holds.
func TestQuotaMigrationReadsEarlierDrafts(t *testing.T) {
	ctx := context.Background()
	names := postgres.Migrations()
	step := slices.Index(names, "0005_quotas.sql")
	if step < 0 {
		t.Fatalf("no 0005_quotas.sql in %q", names)
	}
	url := pgtest.URL(t)
	old, err := postgres.OpenAt(ctx, url, step)
	if err != nil {
		t.Fatal(err)
	}
	old.Close()

	one := map[string]api.DraftField{"a": {Value: json.RawMessage(`1`), Clock: "c1"}}
	copies := map[string]api.DraftCopy{
		"some":   {Service: "s", Form: api.FormRef{ID: "f", Version: 2}, Fields: one},
		"empty":  {Service: "s", Fields: map[string]api.DraftField{}},
		"null":   {Service: "s"},
		"nul":    {Fields: map[string]api.DraftField{"straße\x00": {Value: json.RawMessage(`{"fields":{}}`), Clock: "c2"}}},
		"looks":  {Service: `x","form":{"id":"f","version":1},"fields":{},"`, Fields: one},
		"looks2": {Service: `x\","fields":{},"`},
		"gone":   {Service: "<s>", Deleted: &api.DraftField{Clock: "c3"}, Device: "d_1"},
	}
	for id, c := range copies {
		c.ID = id
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		pgtest.Exec(t, url, "INSERT INTO drafts (owner, id, copy) VALUES ('device:d_1', $1, $2)", id, string(b))
		copies[id] = c
	}

	db := reopen(t, url)
	rows, err := pgtest.Connect(t, url).Query(ctx, "SELECT id, bytes, has_fields FROM drafts")
	if err != nil {
		t.Fatal(err)
	}
	var want server.Usage
	n := 0
	for rows.Next() {
		var id string
		var bytes int64
		var hasFields bool
		if err := rows.Scan(&id, &bytes, &hasFields); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(copies[id])
		if bytes != int64(len(b)) || hasFields != (len(copies[id].Fields) > 0) {
			t.Errorf("draft %s: bytes %d, has fields %v; want %d, %v", id, bytes, hasFields, len(b), len(copies[id].Fields) > 0)
		}
		want.DraftBytes += int64(len(b))
		if len(copies[id].Fields) > 0 {
			want.Drafts++
		}
		n++
	}
	if err := rows.Err(); err != nil || n != len(copies) {
		t.Fatalf("%d drafts after the migration, %v; want %d", n, err, len(copies))
	}
	if got, err := db.Usage(ctx, server.Device{ID: "d_1"}); err != nil || got != want {
		t.Errorf("Usage = %+v, %v; want %+v", got, err, want)
	}
}

// TestUpgradeSharedUpload opens a database of the migrations before upload
// owners in which two cases share an upload (possible then): the upgrade
// keeps both links, the case with the least id claims the upload, and the
// uploads stay anonymous.
func TestUpgradeSharedUpload(t *testing.T) {
	ctx := context.Background()
	names := postgres.Migrations()
	step := slices.Index(names, "0006_upload_owner.sql")
	if step < 0 {
		t.Fatalf("no 0006_upload_owner.sql in %q", names)
	}
	url := pgtest.URL(t)
	old, err := postgres.OpenAt(ctx, url, step)
	if err != nil {
		t.Fatal(err)
	}
	old.Close()
	pgtest.Exec(t, url, `
		INSERT INTO cases (id, number, service, form_id, form_version, data, status, created) VALUES
			('c_2', '2026-000002', 'x', 'x', 1, '{}', 'received', '2026-11-01T08:00:00Z'),
			('c_1', '2026-000001', 'x', 'x', 1, '{}', 'received', '2026-11-01T08:00:00Z');
		INSERT INTO uploads (id, size, sha256, filename, filetype, created, finished) VALUES
			('u_shared', 1, 'a', 'a.jpg', 'image/jpeg', '2026-11-01T07:00:00Z', '2026-11-01T07:01:00Z'),
			('u_free', 1, 'b', 'b.jpg', 'image/jpeg', '2026-11-01T07:00:00Z', '2026-11-01T07:01:00Z');
		INSERT INTO case_attachments VALUES ('c_2', '/photo', 'u_shared'), ('c_1', '/photo', 'u_shared')`)

	db := reopen(t, url)
	for id, want := range map[string]string{"u_shared": "c_1", "u_free": ""} {
		u, err := db.Upload(ctx, id)
		if err != nil || u.Case != want || u.Device != "" {
			t.Errorf("Upload(%s) = %+v, %v; want case %q, anonymous", id, u, err, want)
		}
	}
	var links int
	if err := pgtest.Connect(t, url).QueryRow(ctx, "SELECT count(*) FROM case_attachments WHERE upload_id = 'u_shared'").Scan(&links); err != nil || links != 2 {
		t.Errorf("links to the shared upload: %d, %v; want both kept", links, err)
	}
	if err := db.DeleteUpload(ctx, "u_shared"); !errors.Is(err, server.ErrUploadInUse) {
		t.Errorf("DeleteUpload of the shared upload = %v, want ErrUploadInUse", err)
	}
	if err := db.DeleteUpload(ctx, "u_free"); err != nil {
		t.Errorf("DeleteUpload of the free upload = %v", err)
	}
}

// TestClaimUploadWithoutDeadlock: cases of two processes naming one upload
// at once queue on its row and all but one find it claimed, without a
// deadlock between them (as shared locks, each upgraded to claim the row,
// would give) and so without a transaction run twice. A reader holds the
// row until every case's transaction waits for it, so that they all meet.
func TestClaimUploadWithoutDeadlock(t *testing.T) {
	ctx := context.Background()
	const n = 16
	app := pgtest.Name("claim_")
	url := pgtest.With(t, pgtest.URL(t), "application_name", app)
	pool := pgtest.With(t, url, "pool_max_conns", fmt.Sprint(n/2)) // every case at once
	a, b := reopen(t, pool), reopen(t, pool)
	if err := a.CreateDevice(ctx, server.NewDevice{ID: "d_a", TokenHash: []byte{1}, Platform: "linux", AppVersion: "0.1", Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	u := server.Upload{ID: "u_1", Size: 1, SHA256: "a", Filename: "a.jpg", Filetype: "image/jpeg", Created: time.Now(), Device: "d_a"}
	if err := a.CreateUpload(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := a.FinishUpload(ctx, u.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	reader, err := pgtest.Connect(t, url).Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reader.Exec(ctx, "SELECT 1 FROM uploads WHERE id = $1 FOR SHARE", u.ID); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			db := []*postgres.DB{a, b}[i%2]
			c := server.NewCase{ID: fmt.Sprintf("c_%d", i), Service: "s", Form: api.FormRef{ID: "f", Version: 1},
				Data: []byte(`{}`), Status: api.StatusReceived, Created: time.Now(), Device: "d_a",
				Attachments: []server.CaseAttachment{{Pointer: "/photo", Upload: u.ID, Size: u.Size, SHA256: u.SHA256}}}
			_, _, errs[i] = db.CreateCase(ctx, fmt.Sprintf("k%d", i), []byte{1}, c)
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	watch := pgtest.Connect(t, pgtest.Base(t))
	for waiting := 0; waiting < n; {
		select {
		case <-done: // a case did not wait: its error says why
			waiting = n
			continue
		case <-time.After(10 * time.Millisecond):
		}
		err := watch.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", app).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := reader.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	<-done

	made := 0
	for i, err := range errs {
		if ae, ok := errors.AsType[*server.AttachmentError](err); err != nil && (!ok || ae.Reason != server.AttachmentInUse) {
			t.Errorf("case %d: %v, want made or the upload in use", i, err)
		} else if err == nil {
			made++
		}
	}
	if made != 1 {
		t.Errorf("%d cases made, want 1", made)
	}
	if got := a.Retries() + b.Retries(); got != 0 {
		t.Errorf("%d transactions ran again (deadlocks), want none", got)
	}
}

// migrationVersion is the number a migration's file name starts with.
func migrationVersion(t *testing.T, name string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
	if err != nil {
		t.Fatalf("migration %q: no number: %v", name, err)
	}
	return n
}
