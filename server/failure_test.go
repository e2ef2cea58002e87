package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/sqlite"
)

// failingStore is the real store whose writes fail with an error of the
// test's choosing while one is set.
type failingStore struct {
	server.Store
	err *atomic.Pointer[error]
}

func (f failingStore) fail() error {
	if p := f.err.Load(); p != nil {
		return *p
	}
	return nil
}

func (f failingStore) CreateCase(ctx context.Context, key string, h []byte, c server.NewCase) (api.Case, bool, error) {
	if err := f.fail(); err != nil {
		return api.Case{}, false, err
	}
	return f.Store.CreateCase(ctx, key, h, c)
}

func (f failingStore) PutDraft(ctx context.Context, d server.Device, id string, m server.DraftMerge) (api.DraftCopy, error) {
	if err := f.fail(); err != nil {
		return api.DraftCopy{}, err
	}
	return f.Store.PutDraft(ctx, d, id, m)
}

func (f failingStore) CreateDevice(ctx context.Context, d server.NewDevice) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.CreateDevice(ctx, d)
}

func (f failingStore) SetCaseStatus(ctx context.Context, id string, ev api.CaseEvent, allow func(string) error) (api.Case, error) {
	if err := f.fail(); err != nil {
		return api.Case{}, err
	}
	return f.Store.SetCaseStatus(ctx, id, ev, allow)
}

func (f failingStore) CreateUpload(ctx context.Context, u server.Upload) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.CreateUpload(ctx, u)
}

// TestStoreFailuresAnswered: a busy store and a request out of time are
// 503, a full one 507, each a problem with Retry-After, on every endpoint
// that writes; only a failure of no known kind is a 500. Before, all of
// them were 500.
func TestStoreFailuresAnswered(t *testing.T) {
	failWith := &atomic.Pointer[error]{}
	e := newEnv(t, withStaff, func(c *server.Config) { c.Store = failingStore{Store: c.Store, err: failWith} })
	svc, example := e.sperrmuell(t)
	d := e.register(t)
	c := caseOf(t, e.submit(t, "first", body(t, svc.ID, svc.Form, example)))
	f := newFile(100, 1)

	kinds := []struct {
		name   string
		err    error
		status int
		typ    string
		retry  string
	}{
		{"busy", fmt.Errorf("sqlite: create case: %w", server.ErrBusy), 503, api.ProblemUnavailable, "1"},
		{"full", fmt.Errorf("sqlite: create case: %w", server.ErrFull), 507, api.ProblemStorageFull, "60"},
		{"out of time", fmt.Errorf("sqlite: create case: %w", context.DeadlineExceeded), 503, api.ProblemUnavailable, "1"},
		{"unknown", errors.New("sqlite: disk I/O error"), 500, api.ProblemInternal, ""},
	}
	requests := []struct {
		name string
		do   func(t *testing.T) response
	}{
		{"submission", func(t *testing.T) response { return e.submit(t, "second", body(t, svc.ID, svc.Form, example)) }},
		{"draft", func(t *testing.T) response {
			return e.do(t, http.MethodPut, api.PathDrafts+"x", auth(d), jsonBody(t, api.DraftCopy{
				Fields: map[string]api.DraftField{"a": {Value: []byte(`1`), Clock: at(0, d.ID)}}}))
		}},
		{"device", func(t *testing.T) response {
			return e.do(t, http.MethodPost, api.PathDevices, nil, strings.NewReader(`{"platform":"linux"}`))
		}},
		{"staff", func(t *testing.T) response {
			return e.setStatus(t, staffToken, c.ID, api.StatusRequest{Status: api.StatusInReview})
		}},
		{"upload", func(t *testing.T) response { return e.tusCreate(t, len(f.data), f.meta(), nil) }},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			failWith.Store(&k.err)
			defer failWith.Store(nil)
			for _, rq := range requests {
				t.Run(rq.name, func(t *testing.T) {
					r := rq.do(t)
					problemOf(t, r, k.status, k.typ)
					if got := r.header.Get("Retry-After"); got != k.retry {
						t.Errorf("Retry-After = %q, want %q", got, k.retry)
					}
				})
			}
		})
	}
	if got := e.countCases(t); got != 1 {
		t.Errorf("CountCases = %d, want the 1 made before", got)
	}
}

// TestBusyDatabaseIs503: with another writer holding SQLite's lock longer
// than the busy timeout, a submission is a 503 with Retry-After, and goes
// through once the lock is free.
func TestBusyDatabaseIs503(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rathaus.db")
	db, err := sqlite.OpenWith(path, sqlite.Options{BusyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	e := newEnv(t, func(c *server.Config) { c.Store = db })
	svc, example := e.sperrmuell(t)
	b := body(t, svc.ID, svc.Form, example)

	raw, err := sql.Open("sqlite3", path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	r := e.submit(t, "k", b)
	problemOf(t, r, http.StatusServiceUnavailable, api.ProblemUnavailable)
	if r.header.Get("Retry-After") == "" {
		t.Error("a 503 without Retry-After")
	}
	_ = tx.Rollback()
	caseOf(t, e.submit(t, "k", b))
	if bytes.Contains([]byte(e.logs.String()), []byte("panicked")) {
		t.Error("a handler panicked")
	}
}
