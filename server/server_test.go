package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/assets"
	"rathaus/server"
	"rathaus/server/servertest"
)

// testNow is the clock the test servers run on.
var testNow = time.Date(2026, 11, 28, 10, 15, 30, 123456789, time.UTC)

// env is a running server on loopback with a real store (SQLite, or
// PostgreSQL with RATHAUS_TEST_STORE=postgres, see servertest.OpenStore)
// and the demo municipality.
type env struct {
	srv    *httptest.Server
	server *server.Server
	db     servertest.Store
	dbPath string // the SQLite file, or the PostgreSQL URL
	// uploadDir is the tus file store's folder.
	uploadDir string
	catalog   api.Catalog
	forms     map[string][]byte
	logs      *servertest.Log
}

// option changes the Config a test server starts with.
type option func(*server.Config)

func newEnv(t *testing.T, opts ...option) *env {
	t.Helper()
	cat, forms := demoAssets(t)
	return newEnvWith(t, cat, forms, opts...)
}

func newEnvWith(t *testing.T, cat api.Catalog, forms map[string][]byte, opts ...option) *env {
	t.Helper()
	db, path := servertest.OpenStore(t)
	e := &env{db: db, dbPath: path, catalog: cat, forms: forms, logs: &servertest.Log{}}
	cfg := server.Config{
		Store:     db,
		Catalog:   cat,
		Forms:     forms,
		Logger:    slog.New(slog.NewJSONHandler(e.logs, nil)),
		Now:       func() time.Time { return testNow },
		UploadDir: filepath.Join(t.TempDir(), "uploads"),
	}
	for _, o := range opts {
		o(&cfg)
	}
	e.uploadDir = cfg.UploadDir
	e.server = mustNew(t, cfg)
	e.srv = httptest.NewServer(e.server)
	t.Cleanup(e.srv.Close)
	return e
}

func demoAssets(t *testing.T) (api.Catalog, map[string][]byte) {
	t.Helper()
	cat, err := assets.DemoCatalog()
	if err != nil {
		t.Fatalf("DemoCatalog: %v", err)
	}
	forms, err := assets.DemoFormFiles()
	if err != nil {
		t.Fatalf("DemoFormFiles: %v", err)
	}
	return cat, forms
}

func mustNew(t *testing.T, cfg server.Config) *server.Server {
	t.Helper()
	if cfg.UploadDir == "" {
		cfg.UploadDir = t.TempDir()
	}
	s, err := server.New(cfg)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (e *env) do(t *testing.T, method, path string, header http.Header, body io.Reader) response {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// jsonBody encodes v as a request body.
func jsonBody(t *testing.T, v any) io.Reader {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b)
}

func (e *env) get(t *testing.T, path string, header http.Header) response {
	t.Helper()
	return e.do(t, http.MethodGet, path, header, nil)
}

// problemOf checks that r is a problem with the given status and type and
// returns it.
func problemOf(t *testing.T, r response, status int, typ string) api.Problem {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != api.ContentTypeProblem {
		t.Errorf("Content-Type = %q, want %q", ct, api.ContentTypeProblem)
	}
	var p api.Problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("problem body %s: %v", r.body, err)
	}
	if p.Status != status || p.Type != typ || p.Title == "" || p.Detail == "" {
		t.Errorf("problem = %+v, want status %d, type %s, a title and a detail", p, status, typ)
	}
	return p
}

func TestHealth(t *testing.T) {
	e := newEnv(t)
	r := e.get(t, api.PathHealth, nil)
	if r.status != http.StatusOK || strings.TrimSpace(string(r.body)) != `{"status":"ok"}` {
		t.Fatalf("healthz = %d %s, want 200 {\"status\":\"ok\"}", r.status, r.body)
	}
	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
	problemOf(t, e.get(t, api.PathHealth, nil), http.StatusServiceUnavailable, "about:blank")
}

func TestOpenAPIDocument(t *testing.T) {
	e := newEnv(t)
	r := e.get(t, api.PathOpenAPI, nil)
	if r.status != http.StatusOK || !bytes.Equal(r.body, api.OpenAPI) {
		t.Fatalf("openapi = %d with %d bytes, want 200 with api.OpenAPI (%d bytes)", r.status, len(r.body), len(api.OpenAPI))
	}
	if ct := r.header.Get("Content-Type"); ct != "application/yaml" {
		t.Errorf("Content-Type = %q, want application/yaml", ct)
	}
}

func TestUnroutedRequests(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		method, path string
		status       int
		typ          string
		allow        string
	}{
		{"GET", "/v1/nothing", http.StatusNotFound, api.ProblemNotFound, ""},
		{"GET", "/v1/", http.StatusNotFound, api.ProblemNotFound, ""},
		{"GET", "/v1/forms/hundesteuer", http.StatusNotFound, api.ProblemNotFound, ""},
		{"GET", "/", http.StatusNotFound, api.ProblemNotFound, ""},
		{"POST", api.PathCatalog, http.StatusMethodNotAllowed, "about:blank", "GET, HEAD"},
		{"DELETE", api.PathForms + "hundesteuer/1", http.StatusMethodNotAllowed, "about:blank", "GET, HEAD"},
		{"GET", api.PathSubmissions, http.StatusMethodNotAllowed, "about:blank", "POST"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := e.do(t, tt.method, tt.path, nil, nil)
			problemOf(t, r, tt.status, tt.typ)
			if got := r.header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
		})
	}
}

func TestRequestLog(t *testing.T) {
	e := newEnv(t)
	r := e.get(t, api.PathCatalog, nil)
	var line struct {
		Msg, Method, Path string
		Status            int
		Bytes             int
		Duration          int64
	}
	// The handler logs after the response is written; wait for it.
	deadline := time.Now().Add(2 * time.Second)
	for {
		first, _, _ := strings.Cut(e.logs.String(), "\n")
		if json.Unmarshal([]byte(first), &line) == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if line.Msg != "request" || line.Method != "GET" || line.Path != api.PathCatalog ||
		line.Status != http.StatusOK || line.Bytes != len(r.body) || line.Duration <= 0 {
		t.Errorf("log line = %+v, want request GET %s 200 with %d bytes and a duration", line, api.PathCatalog, len(r.body))
	}
}

// panicStore fails every call in the worst way: the methods below panic
// with "boom", the others on the nil Store inside.
type panicStore struct{ server.Store }

func (panicStore) CreateCase(context.Context, string, []byte, server.NewCase) (api.Case, bool, error) {
	panic("boom")
}
func (panicStore) ReplayCase(context.Context, string, string, []byte) (api.Case, bool, error) {
	panic("boom")
}
func (panicStore) CountCases(context.Context) (int, error) { panic("boom") }

// RecordCatalog lets New finish, so that requests can reach the panics.
func (panicStore) RecordCatalog(context.Context, string) (bool, error) { return false, nil }
func (panicStore) Ping(context.Context) error                          { panic("boom") }

func TestPanicBecomesProblem(t *testing.T) {
	cat, forms := demoAssets(t)
	var logs bytes.Buffer
	s := mustNew(t, server.Config{Store: panicStore{}, Catalog: cat, Forms: forms,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", api.PathHealth, nil))
	problemOf(t, response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()},
		http.StatusInternalServerError, api.ProblemInternal)
	if !strings.Contains(logs.String(), "boom") || !strings.Contains(logs.String(), "status=500") {
		t.Errorf("log = %q, want the panic and the 500", logs.String())
	}
}

func TestNewRefusesBrokenConfig(t *testing.T) {
	cat, forms := demoAssets(t)
	var anyForm string
	for name := range forms {
		anyForm = name
		break
	}
	withForm := func(name string, b []byte) map[string][]byte {
		out := map[string][]byte{}
		for k, v := range forms {
			out[k] = v
		}
		out[name] = b
		return out
	}
	db := &panicStore{}
	tests := []struct {
		name    string
		cfg     server.Config
		wantErr string
	}{
		{"no store", server.Config{Catalog: cat, Forms: forms}, "no store"},
		{"form not JSON", server.Config{Store: db, Catalog: cat, Forms: withForm("broken.json", []byte("{"))}, "broken.json"},
		{"form schema broken", server.Config{Store: db, Catalog: cat,
			Forms: withForm("zz-bad.json", []byte(`{"id":"bad","version":1,"title":{"de":"x"},"schema":{"type":"string"},"steps":[]}`))}, "zz-bad.json"},
		{"same form twice", server.Config{Store: db, Catalog: cat, Forms: withForm("zz-copy.json", forms[anyForm])}, "defined twice"},
		{"service without form", server.Config{Store: db, Catalog: cat, Forms: map[string][]byte{}}, "not loaded"},
		{"no upload folder", server.Config{Store: db, Catalog: cat, Forms: forms}, "upload folder"},
		{"upload folder is a file", server.Config{Store: db, Catalog: cat, Forms: forms, UploadDir: aFile(t)}, "upload folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := server.New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New = %v, %v; want an error mentioning %q", s, err, tt.wantErr)
			}
		})
	}
}

// aFile returns the path of a new empty file.
func aFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
