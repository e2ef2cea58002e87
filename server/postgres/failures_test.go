package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	neturl "net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/postgres"
	"rathaus/server/postgres/pgtest"
)

// busyStore opens the schema at url once more with a lock_timeout of
// 50 ms, and locks every table of it against writes (reads go on), as a
// stuck transaction or an operator's LOCK TABLE would, until release.
func busyStore(t *testing.T, url string) (server.Store, func()) {
	t.Helper()
	ctx := context.Background()
	busy := openURL(t, pgtest.With(t, url, "lock_timeout", "50"))
	conn := pgtest.Connect(t, url)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var tables string
	if err := tx.QueryRow(ctx, `SELECT string_agg(format('%I', tablename), ', ') FROM pg_tables
		WHERE schemaname = current_schema()`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE "+tables+" IN EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	release := sync.OnceFunc(func() { _ = tx.Rollback(ctx) })
	t.Cleanup(release)
	return busy, release
}

// fullStore opens a store on a new schema whose tables live in a
// tablespace on a 1 MiB tmpfs: a real full disk (SQLSTATE 53100). Room
// again is the tmpfs grown to 16 MiB. It skips where no tmpfs can be
// mounted (that needs root) or the cluster is not on this machine.
func fullStore(t *testing.T) (server.Store, func(t *testing.T) server.Store) {
	t.Helper()
	base := pgtest.Base(t)
	owner := serverOwner(t, base)
	dir, err := os.MkdirTemp("", "rathaus-pg-full-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	opts := fmt.Sprintf("mode=0700,uid=%d,gid=%d", owner.Uid, owner.Gid)
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1m,"+opts); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v); the other tests of a full store cover SQLite only", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	space := pgtest.Name("full_")
	pgtest.Exec(t, base, "CREATE TABLESPACE "+space+" LOCATION '"+dir+"'")
	t.Cleanup(func() { pgtest.Exec(t, base, "DROP TABLESPACE "+space) })

	// The migrations make every table and index in the tablespace.
	db := openURL(t, pgtest.With(t, pgtest.URL(t), "default_tablespace", space))
	return db, func(t *testing.T) server.Store {
		if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_REMOUNT, "size=16m,"+opts); err != nil {
			t.Fatalf("grow the tmpfs: %v", err)
		}
		return db
	}
}

// serverOwner is the owner of the cluster's data folder, who must own a
// tablespace's folder too. It skips when the folder is not on this machine.
func serverOwner(t *testing.T, base string) *syscall.Stat_t {
	t.Helper()
	conn := pgtest.Connect(t, base)
	var dataDir string
	if err := conn.QueryRow(context.Background(), "SHOW data_directory").Scan(&dataDir); err != nil {
		t.Skipf("cannot find the cluster's data folder (%v)", err)
	}
	fi, err := os.Stat(dataDir)
	if err != nil {
		t.Skipf("the cluster's data folder is not on this machine (%v)", err)
	}
	return fi.Sys().(*syscall.Stat_t)
}

func openURL(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestClassify(t *testing.T) {
	pg := func(code string) error { return &pgconn.PgError{Severity: "ERROR", Code: code, Message: "m"} }
	tests := []struct {
		name string
		err  error
		want error // server.ErrBusy, server.ErrFull or nil
	}{
		{"serialization failure", pg("40001"), server.ErrBusy},
		{"deadlock", pg("40P01"), server.ErrBusy},
		{"lock timeout", pg("55P03"), server.ErrBusy},
		{"statement timeout", pg("57014"), server.ErrBusy},
		{"admin shutdown", pg("57P01"), server.ErrBusy},
		{"starting up", pg("57P03"), server.ErrBusy},
		{"too many connections", pg("53300"), server.ErrBusy},
		{"out of memory", pg("53200"), server.ErrBusy},
		{"connection failure", pg("08006"), server.ErrBusy},
		{"wrapped", fmt.Errorf("postgres: create case: %w", pg("55P03")), server.ErrBusy},
		{"disk full", pg("53100"), server.ErrFull},
		{"unique violation", pg("23505"), nil},
		{"no such table", pg("42P01"), nil},
		{"wrong password", pg("28P01"), nil},
		{"not PostgreSQL's", errors.New("something else"), nil},
		{"the caller gave up", context.Canceled, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := postgres.Classify(tt.err)
			if !errors.Is(got, tt.err) || got.Error() != tt.err.Error() {
				t.Errorf("Classify(%v) = %v: lost the error or its message", tt.err, got)
			}
			for _, kind := range []error{server.ErrBusy, server.ErrFull} {
				if errors.Is(got, kind) != (kind == tt.want) {
					t.Errorf("Classify(%v) is %v: %v, want %v", tt.err, kind, errors.Is(got, kind), kind == tt.want)
				}
			}
		})
	}
	if postgres.Classify(nil) != nil {
		t.Error("Classify(nil) != nil")
	}
}

// TestPoolUsedUpIsBusy: with every connection of the pool taken for
// longer than AcquireTimeout, a call fails with ErrBusy saying so, and
// goes through once a connection is free. The timeout is long enough for
// opening the pool (migrations, first connection) on a loaded machine.
func TestPoolUsedUpIsBusy(t *testing.T) {
	ctx := context.Background()
	url := pgtest.With(t, pgtest.URL(t), "pool_max_conns", "1")
	db, err := postgres.OpenWith(ctx, url, postgres.Options{AcquireTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })

	// A draft's merge runs inside its transaction: it holds the one
	// connection until it returns.
	inMerge, finish := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := db.PutDraft(ctx, server.Device{ID: "d_1"}, "draft-1", func(*api.DraftCopy) (api.DraftCopy, []server.DraftConflict, bool) {
			close(inMerge)
			<-finish
			return api.DraftCopy{ID: "draft-1"}, nil, true
		})
		done <- err
	}()
	<-inMerge
	dev := server.NewDevice{ID: "d_1", TokenHash: []byte("h1"), Platform: "linux", AppVersion: "0.1", Created: time.Now()}
	err = db.CreateDevice(ctx, dev)
	if !errors.Is(err, server.ErrBusy) || !strings.Contains(err.Error(), "no connection to the database free within 2s") {
		t.Errorf("CreateDevice with the pool used up: %v, want ErrBusy saying so", err)
	}
	close(finish)
	if err := <-done; err != nil {
		t.Fatalf("PutDraft: %v", err)
	}
	if err := db.CreateDevice(ctx, dev); err != nil {
		t.Errorf("CreateDevice with a connection free: %v", err)
	}
}

// TestUnreachableIsBusy: a database that cannot be reached (down, or the
// network cut) is ErrBusy for every call; once it is back, calls go
// through.
func TestUnreachableIsBusy(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	p := newProxy(t, url)
	db := openURL(t, p.url)
	p.cut()
	db.ResetPool()
	err := db.Ping(ctx)
	t.Logf("Ping out of reach: %v", err)
	if !errors.Is(err, server.ErrBusy) {
		t.Errorf("Ping with the database out of reach: %v, want ErrBusy", err)
	}
	if _, _, err := db.CreateCase(ctx, "k", []byte{1}, newCase("c_1")); !errors.Is(err, server.ErrBusy) {
		t.Errorf("CreateCase with the database out of reach: %v, want ErrBusy", err)
	}
	p.restore()
	if _, _, err := db.CreateCase(ctx, "k", []byte{1}, newCase("c_1")); err != nil {
		t.Errorf("CreateCase with the database back: %v", err)
	}
}

// proxy forwards TCP connections to the database at a URL, and can refuse
// them for a while.
type proxy struct {
	url    string
	target string
	ln     net.Listener
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newProxy(t *testing.T, rawURL string) *proxy {
	t.Helper()
	cfg, err := pgconn.ParseConfig(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	u, _ := neturl.Parse(rawURL)
	u.Host = ln.Addr().String()
	p := &proxy{url: u.String(), target: net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))), ln: ln}
	go p.serve()
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		if !down {
			p.conns = append(p.conns, c)
		}
		p.mu.Unlock()
		if down {
			_ = c.Close() // refused, as by a database that is down
			continue
		}
		go func() {
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				_ = c.Close()
				return
			}
			p.mu.Lock()
			p.conns = append(p.conns, s)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(s, c); _ = s.Close() }()
			_, _ = io.Copy(c, s)
			_ = c.Close()
		}()
	}
}

// cut closes every connection and refuses new ones.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

func (p *proxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

func newCase(id string) server.NewCase {
	return server.NewCase{ID: id, Service: "s", Form: api.FormRef{ID: "f", Version: 1},
		Data: []byte(`{}`), Status: api.StatusReceived, Created: time.Now()}
}
