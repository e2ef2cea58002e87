package loadtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"rathaus/api"
)

// baselineDSN has the backend's settings (server/sqlite): WAL,
// synchronous=FULL, a writer waits its turn (busy_timeout). The baseline's
// one INSERT runs in autocommit, so _txlock does not come into play.
const baselineDSN = "?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=5000&_synchronous=FULL&_txlock=immediate"

// Baseline is the reference the backend is measured against: a bare
// net/http handler that stores each submission's body under its
// Idempotency-Key in one SQLite file, with the backend's durability
// settings, and does nothing else (no validation, no case numbers, no
// timeline, no changes feed, no request log). It shows what the machine
// and SQLite allow; the backend's figures are read as a ratio to it.
type Baseline struct {
	db *sql.DB
}

// OpenBaseline opens (creating) the baseline's database in dir.
func OpenBaseline(dir string) (*Baseline, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite3", filepath.Join(dir, "baseline.db")+baselineDSN)
	if err != nil {
		return nil, err
	}
	_, err = db.Exec(`CREATE TABLE IF NOT EXISTS submissions (
		key  TEXT PRIMARY KEY,
		body BLOB NOT NULL
	) STRICT`)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("loadtest: baseline schema: %w", err)
	}
	return &Baseline{db: db}, nil
}

// Close closes the database.
func (b *Baseline) Close() error { return b.db.Close() }

func (b *Baseline) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == api.PathHealth:
		w.Header().Set("Content-Type", api.ContentTypeJSON)
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	case r.Method == http.MethodPost && r.URL.Path == api.PathSubmissions:
		b.submit(w, r)
	default:
		http.NotFound(w, r)
	}
}

// submit inserts the body; a known key keeps its first body, as the
// backend keeps its first case.
func (b *Baseline) submit(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(api.HeaderIdempotencyKey)
	if key == "" {
		http.Error(w, "no Idempotency-Key", http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "body: "+err.Error(), http.StatusBadRequest)
		return
	}
	res, err := b.db.ExecContext(r.Context(), "INSERT INTO submissions (key, body) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	id, _ := res.LastInsertId()
	w.Header().Set("Content-Type", api.ContentTypeJSON)
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, `{"id":"b_`+strconv.FormatInt(id, 10)+`"}`)
}

// ServeBaseline runs the baseline on addr with its data in dir until ctx
// ends, with the timeouts of rathaus-server's http.Server.
func ServeBaseline(ctx context.Context, addr, dir string, log *slog.Logger) error {
	b, err := OpenBaseline(dir)
	if err != nil {
		return err
	}
	defer b.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           b,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Info("baseline listening", "url", "http://"+ln.Addr().String(), "data", dir)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
