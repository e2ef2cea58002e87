package reliability

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"rathaus/app/store"
)

// fullDisk is a place for the app's data folder that can run out of space
// and get it back.
type fullDisk struct {
	name string
	// fileSystem: the disk stays full while the app is closed and
	// started again (a real file system, not the store's connections).
	fileSystem bool
	// dir makes the data folder.
	dir func(t *testing.T) string
	// attach is called once the store is open; it returns what fills the
	// disk (full true) and frees it again.
	attach func(t *testing.T, dir string, st *store.Store) (full func(bool))
}

// tmpfsDisk is a real, small file system (tmpfs) filled to the last page
// with a ballast file: every write that needs a new page fails with
// ENOSPC, as on a phone whose storage is full. Mounting needs root; where
// it is refused the variant is skipped, and the injected one stands in.
var tmpfsDisk = fullDisk{
	name:       "tmpfs",
	fileSystem: true,
	dir: func(t *testing.T) string {
		dir := filepath.Join(t.TempDir(), "data")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", dir).CombinedOutput()
		if err != nil {
			t.Skipf("no tmpfs here (mount -t tmpfs: %v: %s); the injected variant covers a full disk", err, strings.TrimSpace(string(out)))
		}
		// Registered first, so it runs last: after the store is closed.
		t.Cleanup(func() {
			if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
				t.Errorf("umount %s: %v: %s", dir, err, out)
				_ = exec.Command("umount", "-l", dir).Run()
			}
		})
		return dir
	},
	attach: func(t *testing.T, dir string, _ *store.Store) func(bool) {
		ballast := filepath.Join(dir, "ballast")
		return func(full bool) {
			if !full {
				if err := os.Remove(ballast); err != nil {
					t.Fatal(err)
				}
				return
			}
			f, err := os.Create(ballast)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			// Large writes first, then page by page, then byte by byte:
			// the file system has no page left.
			for _, size := range []int{1 << 20, 4 << 10, 1} {
				buf := make([]byte, size)
				for {
					if _, err := f.Write(buf); err != nil {
						if !errors.Is(err, syscall.ENOSPC) {
							t.Fatal(err)
						}
						break
					}
				}
			}
		}
	},
}

// injectedDisk makes SQLite itself answer SQLITE_FULL: every connection
// of the store's pool may not grow the database beyond the pages it has
// (PRAGMA max_page_count, which SQLite enforces with SQLITE_FULL). It
// needs no root, so it runs everywhere. Unlike a full file system it lets
// through what fits in the pages there are, so a test must write until a
// write fails.
var injectedDisk = fullDisk{
	name: "injected",
	dir:  func(t *testing.T) string { return t.TempDir() },
	attach: func(t *testing.T, _ string, st *store.Store) func(bool) {
		// A fixed pool, every connection of it capped.
		const conns = 4
		db := st.DB()
		db.SetMaxOpenConns(conns)
		db.SetMaxIdleConns(conns)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		return func(full bool) {
			ctx := t.Context()
			var pages int64
			if err := db.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
				t.Fatal(err)
			}
			limit := pages
			if !full {
				limit = 0xfffffffe
			}
			for i := 0; i < conns; i++ {
				c, err := db.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", limit)); err != nil {
					t.Fatal(err)
				}
			}
		}
	},
}
