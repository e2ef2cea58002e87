// Package savetest is what the tests and benchmarks of saving drafts
// durably (app/store, app/fill) share: a child process killed with SIGKILL
// while it saves, and what a keystroke's save is measured against. Only
// tests import it.
package savetest

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // the raw database's driver

	"rathaus/app/secrets"
)

// KillChild runs this test binary again as a child that runs only the test
// named test, with env added to its environment (by which the test knows
// to play the child). Each line the child prints goes to report, which
// says whether it was a report; other lines are kept for the failure. wait
// after the child's target-th report, it is killed with SIGKILL. The lines
// still in the pipe after the kill are read too: the child wrote them
// before it. The test fails if the child ends by itself. KillChild returns
// how many reports it read and what the child wrote to stderr.
func KillChild(t *testing.T, test string, env []string, target int, wait time.Duration, report func(line string) bool) (reports int, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), env...)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(time.Minute, func() { _ = cmd.Process.Kill() }) // never hang the suite
	defer timer.Stop()
	var (
		mu      sync.Mutex
		killErr error
	)
	killed := false
	var other []string
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if !report(lines.Text()) {
			other = append(other, lines.Text())
			continue
		}
		if reports++; reports == target && !killed {
			killed = true
			time.AfterFunc(wait, func() {
				err := cmd.Process.Signal(syscall.SIGKILL)
				mu.Lock()
				killErr = err
				mu.Unlock()
			})
		}
	}
	err = cmd.Wait()
	mu.Lock()
	defer mu.Unlock()
	if killErr != nil {
		t.Fatalf("killing the child: %v", killErr)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !killed || !ok || !ws.Signaled() {
		t.Fatalf("the child ended by itself (%v) after %d reports:\n%s\n%s", err, reports, strings.Join(other, "\n"), errOut.String())
	}
	return reports, errOut.String()
}

// WChar is the bytes this process handed to write(2) so far.
func WChar(tb testing.TB) int64 {
	tb.Helper()
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		tb.Skip("no /proc/self/io")
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	tb.Skip("no wchar in /proc/self/io")
	return 0
}

// Raw is what a keystroke's save is measured against: the same sealed
// bytes upserted into a one-table database with the store's durability
// (WAL, synchronous=FULL, a statement cache) beside nothing else, one
// commit per keystroke, as the app saved before it coalesced.
type Raw struct {
	DB     *sql.DB
	id     string
	sealed [][]byte
	Times  []time.Duration // each keystroke's upsert
	Bytes  int64           // handed to write(2) by the upserts
}

// NewRaw opens the raw database and seals, before the clock starts, b.N
// copies of a draft's values, the i-th with field set to typed(i): each
// keystroke's bytes differ (a new value, a new nonce), as the store's do;
// identical bytes would make SQLite write nothing.
func NewRaw(b *testing.B, draftID string, values map[string]any, field string, typed func(int) string) *Raw {
	b.Helper()
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_txlock", "immediate")
	q.Set("_stmt_cache_size", "32")
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(b.TempDir(), "raw.db")+"?"+q.Encode())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE raw (id TEXT PRIMARY KEY, v BLOB NOT NULL) STRICT`); err != nil {
		b.Fatal(err)
	}
	key := make([]byte, secrets.KeySize)
	sealer, _ := secrets.NewSealer(key)
	r := &Raw{DB: db, id: draftID, sealed: make([][]byte, b.N), Times: make([]time.Duration, b.N)}
	for i := range r.sealed {
		v := make(map[string]any, len(values)+1)
		maps.Copy(v, values)
		v[field] = typed(i)
		plain, _ := json.Marshal(v)
		r.sealed[i], _ = sealer.Seal(plain, []byte("draft:"+draftID))
	}
	return r
}

// Upsert writes keystroke i's bytes, timed.
func (r *Raw) Upsert(b *testing.B, i int) {
	w := WChar(b)
	start := time.Now()
	if _, err := r.DB.Exec(`INSERT INTO raw (id, v) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET v = excluded.v`, r.id, r.sealed[i]); err != nil {
		b.Fatal(err)
	}
	r.Times[i] = time.Since(start)
	r.Bytes += WChar(b) - w
}

// EmptyWALs checkpoints the databases' WALs, so that both start empty: the
// store's holds its schema until the first checkpoint, which would count
// as written by a keystroke.
func EmptyWALs(b *testing.B, dbs ...*sql.DB) {
	b.Helper()
	for _, db := range dbs {
		if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			b.Fatal(err)
		}
	}
}

// Interleave runs x(i) and y(i) for i from 0 to n-1, taking turns to go
// first, so that both see the same load on a shared machine.
func Interleave(n int, x, y func(i int)) {
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			x(i)
			y(i)
		} else {
			y(i)
			x(i)
		}
	}
}

// Percentile is the p-th percentile of ds in µs (nearest rank).
func Percentile(ds []time.Duration, p int) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	return float64(s[(len(s)-1)*p/100]) / float64(time.Microsecond)
}
