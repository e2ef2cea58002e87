package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/sqlite"
)

// fillUntilFull submits new cases (keys prefix-0, prefix-1, ...) until one
// is not a 201, and returns the keys acknowledged with their cases and
// the first refused key. Every answer must be a 201 or a 507 problem.
func fillUntilFull(t *testing.T, e *env, prefix string) (acked map[string]string, refused string) {
	t.Helper()
	svc, example := e.sperrmuell(t)
	acked = map[string]string{}
	for i := range 5000 {
		key := prefix + strconv.Itoa(i)
		data := map[string]any{}
		for k, v := range example {
			data[k] = v
		}
		data["placement"] = fmt.Sprintf("%0200d", i) // a case of some size
		r := e.submit(t, key, body(t, svc.ID, svc.Form, data))
		if r.status == http.StatusCreated {
			acked[key] = caseOf(t, r).ID
			continue
		}
		t.Logf("%d submissions acknowledged, then %d", len(acked), r.status)
		p := problemOf(t, r, http.StatusInsufficientStorage, api.ProblemStorageFull)
		if r.header.Get("Retry-After") == "" || p.Detail == "" {
			t.Errorf("507 without Retry-After or detail: %+v", p)
		}
		return acked, key
	}
	t.Fatal("the store never filled up")
	return nil, ""
}

// checkAcked checks that every acknowledged key is stored with its case.
func checkAcked(t *testing.T, e *env, acked map[string]string) {
	t.Helper()
	for key, id := range acked {
		var stored string
		if err := e.rawDB(t).QueryRow("SELECT case_id FROM idempotency_keys WHERE key = ?", key).Scan(&stored); err != nil || stored != id {
			t.Errorf("key %s: case %q, %v; want %s", key, stored, err, id)
		}
	}
}

// TestFullDatabaseIs507 fills a database capped at a small size (a real
// SQLITE_FULL, no root needed): the submission that no longer fits is a
// 507 with Retry-After, never a 500; every one acknowledged before stays;
// once there is room, the refused one goes through under its key.
func TestFullDatabaseIs507(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rathaus.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	capped, err := sqlite.OpenWith(path, sqlite.Options{MaxSize: fi.Size() + 64<<10})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(c *server.Config) { c.Store = capped })
	e.dbPath = path
	acked, refused := fillUntilFull(t, e, "k-")
	if len(acked) == 0 {
		t.Fatal("nothing fitted")
	}
	_ = capped.Close()

	roomy, err := sqlite.Open(path) // the operator raised the cap
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = roomy.Close() })
	e = newEnv(t, func(c *server.Config) { c.Store = roomy })
	e.dbPath = path
	checkAcked(t, e, acked)
	svc, example := e.sperrmuell(t)
	if r := e.submit(t, refused, body(t, svc.ID, svc.Form, example)); r.status != http.StatusCreated {
		t.Errorf("the refused submission with room again: %d %s", r.status, r.body)
	}
	checkIntegrity(t, path)
}

func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var ok string
	if err := raw.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity_check = %q, %v", ok, err)
	}
}

// mountTmpfs mounts a small tmpfs, or skips the test where that is not
// allowed (it needs root, or CAP_SYS_ADMIN).
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v); TestFullDatabaseIs507 covers a full database without it", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// fillDisk writes a file until the file system has no room left; it
// returns the file, to be removed when room should come back.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	name := filepath.Join(dir, "filler")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, n := range []int{64 << 10, 4 << 10, 512, 1} {
		chunk := bytes.Repeat([]byte{'x'}, n)
		for {
			if _, err := f.Write(chunk); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("fill: %v", err)
				}
				break
			}
		}
	}
	return name
}

// TestDiskFull runs the backend with its database and uploads on a small
// tmpfs and fills it: submissions get 507, an upload's PATCH gets 507 and
// keeps the bytes before its offset, nothing acknowledged is lost, and
// with room again the submission and the upload go through.
func TestDiskFull(t *testing.T) {
	dir := mountTmpfs(t, "8m")
	path := filepath.Join(dir, "rathaus.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(c *server.Config) { c.Store, c.UploadDir = db, filepath.Join(dir, "uploads") })
	e.dbPath = path

	// An upload half sent before the disk fills.
	f := newFile(300<<10, 7)
	up := e.location(t, e.tusCreate(t, len(f.data), f.meta(), nil))
	if r := e.tusPatch(t, up, 0, f.data[:100<<10]); r.status != http.StatusNoContent {
		t.Fatalf("first PATCH: %d %s", r.status, r.body)
	}
	svc, example := e.sperrmuell(t)
	before := caseOf(t, e.submit(t, "before", body(t, svc.ID, svc.Form, example)))

	filler := fillDisk(t, dir)
	acked, refused := fillUntilFull(t, e, "full-")
	acked["before"] = before.ID
	r := e.tusPatch(t, up, 100<<10, f.data[100<<10:])
	problemOf(t, r, http.StatusInsufficientStorage, api.ProblemStorageFull)
	offset, err := strconv.Atoi(e.tusHead(t, up).header.Get("Upload-Offset"))
	if err != nil || offset < 100<<10 || offset >= len(f.data) {
		t.Fatalf("offset after the full disk = %d (%v), want between %d and %d", offset, err, 100<<10, len(f.data))
	}
	t.Logf("the PATCH of %d bytes stopped at offset %d", len(f.data)-100<<10, offset)
	problemOf(t, e.tusCreate(t, len(f.data), f.meta(), nil), http.StatusInsufficientStorage, api.ProblemStorageFull)

	// Room again: restart on the same files, as an operator would.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	db, err = sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	e2 := newEnv(t, func(c *server.Config) { c.Store, c.UploadDir = db, filepath.Join(dir, "uploads") })
	e2.dbPath = path
	checkAcked(t, e2, acked)
	if n, err := db.CountCases(context.Background()); err != nil || n != len(acked) {
		t.Errorf("CountCases = %d, %v; want the %d acknowledged", n, err, len(acked))
	}
	caseOf(t, e2.submit(t, refused, body(t, svc.ID, svc.Form, example)))
	if r := e2.tusPatch(t, up, offset, f.data[offset:]); r.status != http.StatusNoContent {
		t.Errorf("resumed PATCH: %d %s", r.status, r.body)
	}
	if got, err := db.Upload(context.Background(), uploadURL.FindStringSubmatch(up)[1]); err != nil || got.Finished.IsZero() {
		t.Errorf("upload after resuming: %+v, %v; want it finished (its SHA-256 checked)", got, err)
	}
	checkIntegrity(t, path)
}
