package sqlite

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "rathaus.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func testHash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func testCase(id string) server.NewCase {
	return server.NewCase{ID: id, Service: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1},
		Data: []byte(`{"dog_name":"Bello"}`), Status: api.StatusReceived,
		Created: time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)}
}

// hold keeps the writer busy with a write that waits until release is
// called, so that the writes queued meanwhile go into one group.
func hold(t *testing.T, db *DB) (release func()) {
	t.Helper()
	running, free := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.w.write(context.Background(), func(context.Context, querier) error {
			close(running)
			<-free
			return nil
		})
	}()
	<-running
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(free)
			if err := <-done; err != nil {
				t.Errorf("the holding write: %v", err)
			}
		})
	}
	t.Cleanup(release)
	return release
}

// waitQueued waits until n writes wait in the writer's queue.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	for range 10000 {
		db.w.mu.Lock()
		got := len(db.w.queue)
		db.w.mu.Unlock()
		if got == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("%d writes never queued", n)
}

// queue starts the writes one after another, each queued before the next,
// and returns a func that waits for their errors.
func queue(t *testing.T, db *DB, writes ...func() error) (wait func() []error) {
	t.Helper()
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	for i, w := range writes {
		wg.Go(func() { errs[i] = w() })
		waitQueued(t, db, i+1)
	}
	return func() []error {
		answered := make(chan struct{})
		go func() { wg.Wait(); close(answered) }()
		select {
		case <-answered:
		case <-time.After(time.Minute):
			t.Fatal("the queued writes were never answered")
		}
		return errs
	}
}

func numbers(t *testing.T, db *DB) map[string]string {
	t.Helper()
	rows, err := db.ro.Query("SELECT id, number FROM cases")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, n string
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		out[id] = n
	}
	return out
}

// TestGroupCommit: writes queued while one is being written are committed
// together, in one transaction; one that fails leaves nothing of itself,
// not even a case number, and takes nothing of the others with it.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	release := hold(t, db)
	before := db.w.commits.Load()
	missing := testCase("c_att")
	missing.Attachments = []server.CaseAttachment{{Pointer: "/photo", Upload: "u_none", Size: 1, SHA256: strings.Repeat("0", 64)}}
	var first, again api.Case
	var replayed bool
	wait := queue(t, db,
		func() (err error) {
			first, _, err = db.CreateCase(ctx, "k0", testHash("a"), testCase("c_0"))
			return err
		},
		func() error { _, _, err := db.CreateCase(ctx, "k1", testHash("a"), missing); return err },
		func() (err error) {
			again, replayed, err = db.CreateCase(ctx, "k0", testHash("a"), testCase("c_x"))
			return err
		},
		func() error { _, _, err := db.CreateCase(ctx, "k0", testHash("b"), testCase("c_y")); return err },
		func() error { _, _, err := db.CreateCase(ctx, "k2", testHash("a"), testCase("c_2")); return err },
	)
	release()
	errs := wait()

	if got := db.w.commits.Load() - before; got != 2 {
		t.Errorf("%d commits for the held write and five queued behind it, want 2", got)
	}
	if errs[0] != nil || errs[2] != nil || errs[4] != nil {
		t.Errorf("the writes that must succeed: %v, %v, %v", errs[0], errs[2], errs[4])
	}
	if ae, ok := errors.AsType[*server.AttachmentError](errs[1]); !ok || ae.Reason != server.AttachmentMissing {
		t.Errorf("the case with a missing upload: %v, want an AttachmentError (missing)", errs[1])
	}
	if !errors.Is(errs[3], server.ErrKeyReused) {
		t.Errorf("the key with another request: %v, want ErrKeyReused", errs[3])
	}
	if !replayed || again.ID != first.ID {
		t.Errorf("the repeat in the same group: case %s, replayed %v; want case %s replayed", again.ID, replayed, first.ID)
	}
	want := map[string]string{"c_0": "2026-000001", "c_2": "2026-000002"}
	if got := numbers(t, db); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("cases stored = %v, want %v", got, want)
	}
}

// TestGroupRunsAgainWhenSQLiteEndsTheTransaction: when a write fails in a
// way that makes SQLite roll back the whole transaction (as it does for
// some I/O and full-disk errors; here the write does it itself), that
// write gets its error and the others of the group are written again.
func TestGroupRunsAgainWhenSQLiteEndsTheTransaction(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	release := hold(t, db)
	boom := errors.New("boom")
	wait := queue(t, db,
		func() error { _, _, err := db.CreateCase(ctx, "k0", testHash("a"), testCase("c_0")); return err },
		func() error {
			return db.w.write(ctx, func(ctx context.Context, q querier) error {
				if _, err := q.ExecContext(ctx, "INSERT INTO server_state (key, value) VALUES ('lost', 'x')"); err != nil {
					return err
				}
				if _, err := q.ExecContext(ctx, "ROLLBACK"); err != nil {
					return err
				}
				return boom
			})
		},
		func() error { _, _, err := db.CreateCase(ctx, "k1", testHash("a"), testCase("c_1")); return err },
	)
	release()
	errs := wait()
	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], boom) {
		t.Fatalf("errors = %v; want nil, boom, nil", errs)
	}
	want := map[string]string{"c_0": "2026-000001", "c_1": "2026-000002"}
	if got := numbers(t, db); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("cases stored = %v, want %v", got, want)
	}
	var n int
	if err := db.ro.QueryRow("SELECT count(*) FROM server_state WHERE key = 'lost'").Scan(&n); err != nil || n != 0 {
		t.Errorf("the failed write's row: %d, %v; want none", n, err)
	}
}

// TestGroupCommitFails: when the commit itself fails, every write of the
// group fails with its error, nothing is stored, and the writer goes on.
func TestGroupCommitFails(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	release := hold(t, db)
	wait := queue(t, db,
		func() error { _, _, err := db.CreateCase(ctx, "k0", testHash("a"), testCase("c_0")); return err },
		func() error {
			// A foreign key checked only at COMMIT, and broken.
			return db.w.write(ctx, func(ctx context.Context, q querier) error {
				if _, err := q.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
					return err
				}
				_, err := q.ExecContext(ctx, "INSERT INTO case_events (case_id, seq, status, at) VALUES ('c_none', 1, 'received', 'now')")
				return err
			})
		},
		func() error { _, _, err := db.CreateCase(ctx, "k1", testHash("a"), testCase("c_1")); return err },
	)
	release()
	for i, err := range wait() {
		if err == nil || !strings.Contains(err.Error(), "commit") || !strings.Contains(err.Error(), "FOREIGN KEY") {
			t.Errorf("write %d: %v; want the commit's error", i, err)
		}
	}
	if got := numbers(t, db); len(got) != 0 {
		t.Errorf("cases stored after the failed commit: %v, want none", got)
	}
	c, replayed, err := db.CreateCase(ctx, "k0", testHash("a"), testCase("c_0"))
	if err != nil || replayed || c.Number != "2026-000001" {
		t.Errorf("after the failed commit: %s, replayed %v, %v; want a new case 2026-000001", c.Number, replayed, err)
	}
}

// TestWriteAbandoned: a write whose context ends while it waits for the
// writer returns the context's error and never runs.
func TestWriteAbandoned(t *testing.T) {
	db := openTest(t)
	release := hold(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	wait := queue(t, db, func() error {
		return db.w.write(ctx, func(context.Context, querier) error { ran = true; return nil })
	})
	cancel()
	err := wait()[0]
	if !errors.Is(err, context.Canceled) {
		t.Errorf("the abandoned write: %v, want context.Canceled", err)
	}
	release()
	// The writer takes writes in order: once a later one ran, the
	// abandoned one had its turn.
	if _, _, err := db.CreateCase(context.Background(), "k0", testHash("a"), testCase("c_0")); err != nil {
		t.Fatal(err)
	}
	if ran {
		t.Error("the abandoned write ran")
	}
}

// TestWritePanics: a write that panics panics in its caller (where the
// server's handler recovers it), and leaves nothing and the writer working.
func TestWritePanics(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	d := server.Device{ID: "d_1"}
	got := func() (v any) {
		defer func() { v = recover() }()
		_, _ = db.PutDraft(ctx, d, "draft-1", func(*api.DraftCopy) (api.DraftCopy, []server.DraftConflict, bool) {
			panic("merge broke")
		})
		return nil
	}()
	if s, _ := got.(string); !strings.Contains(s, "merge broke") {
		t.Errorf("recovered %v, want the write's panic", got)
	}
	if _, _, err := db.CreateCase(ctx, "k0", testHash("a"), testCase("c_0")); err != nil {
		t.Errorf("a write after the panic: %v", err)
	}
}

// TestCloseWithWritesQueued: Close lets the running write finish and fails
// the queued ones; later writes fail too.
func TestCloseWithWritesQueued(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	release := hold(t, db)
	wait := queue(t, db, func() error { _, _, err := db.CreateCase(ctx, "k0", testHash("a"), testCase("c_0")); return err })
	closed := make(chan error, 1)
	go func() { closed <- db.Close() }()
	for range 10000 {
		db.w.mu.Lock()
		c := db.w.closed
		db.w.mu.Unlock()
		if c {
			break
		}
		time.Sleep(time.Millisecond)
	}
	release()
	if err := wait()[0]; !errors.Is(err, errClosed) {
		t.Errorf("the queued write: %v, want errClosed", err)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, _, err := db.CreateCase(ctx, "k1", testHash("a"), testCase("c_1")); !errors.Is(err, errClosed) {
		t.Errorf("a write after Close: %v, want errClosed", err)
	}
}
