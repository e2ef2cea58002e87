package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/sqlite"
)

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

// TestReadsDoNotTakeTheWriteLock: every read of the store answers while
// another writer holds the lock; before, the replay lookup began with
// BEGIN IMMEDIATE and failed with "database is locked".
func TestReadsDoNotTakeTheWriteLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rathaus.db")
	db, err := sqlite.OpenWith(path, sqlite.Options{BusyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	addDevice(t, db, "d_1")
	nc := newCase("c_1")
	nc.Device = "d_1"
	if _, _, err := db.CreateCase(ctx, "k", hash("a"), nc); err != nil {
		t.Fatal(err)
	}
	addUpload(t, db, "u_1", created, true)

	holdWriteLock(t, path)
	reads := []struct {
		name string
		read func() error
	}{
		{"ReplayCase", func() error {
			c, found, err := db.ReplayCase(ctx, "d_1", "k", hash("a"))
			if err == nil && (!found || c.ID != "c_1") {
				return fmt.Errorf("found %v case %s, want c_1", found, c.ID)
			}
			return err
		}},
		{"DeviceByToken", func() error { _, err := db.DeviceByToken(ctx, hash("d_1")); return err }},
		{"Changes", func() error { _, _, err := db.Changes(ctx, server.Device{ID: "d_1"}, 0, 10); return err }},
		{"Upload", func() error { _, err := db.Upload(ctx, "u_1"); return err }},
		{"ExpiredUploads", func() error { _, err := db.ExpiredUploads(ctx, time.Now()); return err }},
		{"Usage", func() error { _, err := db.Usage(ctx, server.Device{ID: "d_1"}); return err }},
		{"CountCases", func() error { _, err := db.CountCases(ctx); return err }},
		{"Ping", func() error { return db.Ping(ctx) }},
	}
	for _, r := range reads {
		t.Run(r.name, func(t *testing.T) {
			if err := r.read(); err != nil {
				t.Errorf("%s while another writer holds the lock: %v", r.name, err)
			}
		})
	}
}

// TestBusyAndFullAreMarked: a write that waited longer than the busy
// timeout is server.ErrBusy, one the database has no room for
// server.ErrFull; neither stored anything, and the database takes writes
// again afterwards.
func TestBusyAndFullAreMarked(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rathaus.db")
	db, err := sqlite.OpenWith(path, sqlite.Options{BusyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	release := holdWriteLock(t, path)
	_, _, err = db.CreateCase(ctx, "k1", hash("a"), newCase("c_1"))
	if !errors.Is(err, server.ErrBusy) || !strings.Contains(err.Error(), "locked") {
		t.Errorf("CreateCase while another writer holds the lock: %v, want ErrBusy saying so", err)
	}
	release()
	if _, _, err := db.CreateCase(ctx, "k1", hash("a"), newCase("c_1")); err != nil {
		t.Fatalf("CreateCase after the lock is free: %v", err)
	}
	_ = db.Close()

	// Capped at about its size now, the file has no room for a large case.
	capped, err := sqlite.OpenWith(path, sqlite.Options{MaxSize: fileSize(t, path)})
	if err != nil {
		t.Fatal(err)
	}
	big := newCase("c_2")
	big.Data = []byte(`{"x":"` + strings.Repeat("a", 1<<20) + `"}`)
	if _, _, err := capped.CreateCase(ctx, "k2", hash("b"), big); !errors.Is(err, server.ErrFull) {
		t.Errorf("CreateCase beyond MaxSize: %v, want ErrFull", err)
	}
	if c, found, err := capped.ReplayCase(ctx, "", "k1", hash("a")); err != nil || !found || c.ID != "c_1" {
		t.Errorf("the case stored before: %+v, %v, %v", c, found, err)
	}
	if n, err := capped.CountCases(ctx); err != nil || n != 1 {
		t.Errorf("CountCases = %d, %v; want 1", n, err)
	}
	_ = capped.Close()

	// Room again: the same case goes in.
	db = mustOpenAt(t, path)
	if _, _, err := db.CreateCase(ctx, "k2", hash("b"), big); err != nil {
		t.Errorf("CreateCase with room again: %v", err)
	}
}

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

// TestUsage counts open cases per device and the drafts of its owner.
func TestUsage(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	addDevice(t, db, "d_1")
	addDevice(t, db, "d_2")
	for i, dev := range []string{"d_1", "d_1", "d_1", "d_2", ""} {
		nc := newCase(fmt.Sprintf("c_%d", i))
		nc.Device = dev
		if _, _, err := db.CreateCase(ctx, fmt.Sprint("k", i), hash("a"), nc); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.SetCaseStatus(ctx, "c_0", api.CaseEvent{Status: api.StatusDecided, At: created},
		func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	put := func(d server.Device, id string, fields map[string]api.DraftField) api.DraftCopy {
		t.Helper()
		c, err := db.PutDraft(ctx, d, id, func(*api.DraftCopy) (api.DraftCopy, []server.DraftConflict, bool) {
			return api.DraftCopy{ID: id, Fields: fields, Device: d.ID}, nil, true
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	d1 := server.Device{ID: "d_1"}
	one := map[string]api.DraftField{"a": {Value: []byte(`"x"`), Clock: "c"}}
	copies := []api.DraftCopy{put(d1, "x", one), put(d1, "y", one), put(d1, "gone", map[string]api.DraftField{})}
	put(server.Device{ID: "d_2"}, "z", one)
	var bytes int64
	for _, c := range copies {
		bytes += int64(len(mustJSON(t, c)))
	}

	got, err := db.Usage(ctx, d1)
	if err != nil {
		t.Fatal(err)
	}
	if want := (server.Usage{OpenCases: 2, Drafts: 2, DraftBytes: bytes}); got != want {
		t.Errorf("Usage(d_1) = %+v, want %+v", got, want)
	}
	if got, err := db.Usage(ctx, server.Device{ID: "d_3"}); err != nil || got != (server.Usage{}) {
		t.Errorf("Usage(unknown) = %+v, %v; want zero", got, err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
