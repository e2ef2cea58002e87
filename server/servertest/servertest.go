// Package servertest runs the real reference backend in-process on a
// loopback port for the tests of its clients (the sync engine, the UI), like
// net/http/httptest, and can take it down and bring it back on the same
// address to play a lost connection.
package servertest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"rathaus/assets"
	"rathaus/server"
	"rathaus/server/sqlite"
)

// Backend is a running (or stopped) reference backend.
type Backend struct {
	URL  string
	DB   *sqlite.DB
	addr string
	h    http.Handler
	tb   testing.TB

	mu   sync.Mutex
	srv  *http.Server
	wrap http.Handler
}

// New starts a backend with the demo municipality on a fresh SQLite file;
// it is stopped when the test ends.
func New(tb testing.TB) *Backend {
	tb.Helper()
	db, err := sqlite.Open(filepath.Join(tb.TempDir(), "server.db"))
	if err != nil {
		tb.Fatalf("servertest: %v", err)
	}
	cat, err := assets.DemoCatalog()
	if err != nil {
		tb.Fatal(err)
	}
	forms, err := assets.DemoFormFiles()
	if err != nil {
		tb.Fatal(err)
	}
	h, err := server.New(server.Config{
		Store: db, Catalog: cat, Forms: forms,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		UploadDir: filepath.Join(tb.TempDir(), "uploads"),
	})
	if err != nil {
		tb.Fatalf("servertest: %v", err)
	}
	b := &Backend{DB: db, h: h, tb: tb}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	b.addr = ln.Addr().String()
	b.URL = "http://" + b.addr
	b.serve(ln)
	tb.Cleanup(func() {
		b.Stop()
		_ = h.Close()
		db.Close()
	})
	return b
}

// Handler returns the real backend's handler, for tests that wrap it to
// inject faults.
func (b *Backend) Handler() http.Handler { return b.h }

// SetHandler makes the backend serve h from the next request on; nil
// restores the real handler.
func (b *Backend) SetHandler(h http.Handler) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.wrap = h
}

func (b *Backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	h := b.wrap
	b.mu.Unlock()
	if h == nil {
		h = b.h
	}
	h.ServeHTTP(w, r)
}

func (b *Backend) serve(ln net.Listener) {
	srv := &http.Server{Handler: b, ReadHeaderTimeout: 5 * time.Second}
	b.mu.Lock()
	b.srv = srv
	b.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// Stop takes the backend down: connections are refused until Start.
func (b *Backend) Stop() {
	b.mu.Lock()
	srv := b.srv
	b.srv = nil
	b.mu.Unlock()
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
}

// Start brings the backend back on its old address.
func (b *Backend) Start() {
	b.tb.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port may linger for a moment
		if ln, err = net.Listen("tcp", b.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		b.tb.Fatalf("servertest: restart on %s: %v", b.addr, err)
	}
	b.serve(ln)
}

// Cases returns the number of cases the backend holds.
func (b *Backend) Cases() int {
	b.tb.Helper()
	n, err := b.DB.CountCases(context.Background())
	if err != nil && !errors.Is(err, context.Canceled) {
		b.tb.Fatal(err)
	}
	return n
}
