// Package servertest runs the real reference backend in-process on a
// loopback port for the tests of its clients (the sync engine, the UI), like
// net/http/httptest, and can take it down and bring it back on the same
// address to play a lost connection.
package servertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/assets"
	"rathaus/server"
	"rathaus/server/accounts"
	"rathaus/server/oidc"
	"rathaus/server/postgres"
	"rathaus/server/postgres/pgtest"
	"rathaus/server/sqlite"
)

// Backend is a running (or stopped) reference backend.
type Backend struct {
	URL string
	DB  Store
	// DBPath is the backend's SQLite file, for tests that check it with
	// their own (read-only) connection: integrity, rows per key. With
	// RATHAUS_TEST_STORE=postgres it is the PostgreSQL URL instead.
	DBPath string
	// Server is the backend itself, for what tests do beside HTTP (for
	// example Server.SweepUploads).
	Server *server.Server
	// StaffToken authorises the staff API (random per backend).
	StaffToken string
	// Clock is the backend's clock when it was started WithClock, else nil.
	Clock *Clock

	addr string
	h    http.Handler
	tb   testing.TB

	mu   sync.Mutex
	srv  *http.Server
	wrap http.Handler
	// fresh holds the connections that have not sent a request yet.
	fresh map[net.Conn]bool
	// limits, when set, are the HTTP server's timeouts and connection caps.
	limits *server.HTTPLimits
}

// Option changes the configuration a backend starts with.
type Option func(*options)

type options struct {
	cfg    server.Config
	limits *server.HTTPLimits
	clock  *Clock
}

// WithConfig lets a test set anything in the backend's configuration, for
// example the rate limits (UploadsPerHour), the quotas or the upload TTL.
func WithConfig(f func(*server.Config)) Option { return func(o *options) { f(&o.cfg) } }

// WithHTTPLimits serves the backend with the timeouts and connection caps
// of l, as cmd/rathaus-server does with server.DefaultHTTPLimits (without
// it: a ReadHeaderTimeout of 5 s and no caps).
func WithHTTPLimits(l server.HTTPLimits) Option { return func(o *options) { o.limits = &l } }

// StoreEnv names the store test backends keep their data in: SQLite (unset
// or "sqlite"), or "postgres": a new schema on the cluster that
// RATHAUS_TEST_POSTGRES names, for running the clients' and the handlers'
// tests on the other store. Tests that read the SQLite file themselves
// (DBPath) do not run on PostgreSQL.
const StoreEnv = "RATHAUS_TEST_STORE"

// Store is what a test backend keeps its data in.
type Store interface {
	server.Store
	Close() error
}

var (
	_ Store = (*sqlite.DB)(nil)
	_ Store = (*postgres.DB)(nil)
)

// OpenStore opens a new, empty store of the kind StoreEnv names, closed
// when the test ends. source is the SQLite file's path, or the
// PostgreSQL URL. Without a PostgreSQL cluster, a test that asks for one
// skips, saying why.
func OpenStore(tb testing.TB) (s Store, source string) {
	tb.Helper()
	switch kind := os.Getenv(StoreEnv); kind {
	case "", "sqlite":
		source = filepath.Join(tb.TempDir(), "server.db")
		db, err := sqlite.Open(source)
		if err != nil {
			tb.Fatalf("servertest: %v", err)
		}
		s = db
	case "postgres":
		source = pgtest.URL(tb)
		db, err := postgres.Open(context.Background(), source)
		if err != nil {
			tb.Fatalf("servertest: %v", err)
		}
		s = db
	default:
		tb.Fatalf("servertest: %s=%q: want sqlite or postgres", StoreEnv, kind)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s, source
}

// New starts a backend with the demo municipality on a fresh store (see
// OpenStore) and upload folder; it is stopped when the test ends. Unlike a
// real deployment it has no rate limits and no quotas (tests send from one
// address and device, many times), and its staff API is on, with
// StaffToken.
func New(tb testing.TB, opts ...Option) *Backend {
	tb.Helper()
	db, dbPath := OpenStore(tb)
	cat, err := assets.DemoCatalog()
	if err != nil {
		tb.Fatal(err)
	}
	forms, err := assets.DemoFormFiles()
	if err != nil {
		tb.Fatal(err)
	}
	reportServices, err := assets.DemoReportServices()
	if err != nil {
		tb.Fatal(err)
	}
	streets, err := assets.DemoStreets()
	if err != nil {
		tb.Fatal(err)
	}
	offices, err := assets.DemoOffices()
	if err != nil {
		tb.Fatal(err)
	}
	polls, err := assets.DemoPolls()
	if err != nil {
		tb.Fatal(err)
	}
	token := make([]byte, 16)
	_, _ = rand.Read(token)
	// Listening first gives the OpenID provider its issuer (the URL).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	o := options{cfg: server.Config{
		Store: db, Catalog: cat, Forms: forms, Offices: offices,
		Logger:                     slog.New(slog.NewTextHandler(io.Discard, nil)),
		UploadDir:                  filepath.Join(tb.TempDir(), "uploads"),
		DeviceRegistrationsPerHour: -1,
		LoginStartsPerHour:         -1,
		UploadsPerHour:             -1,
		AddressUploadBytesPerHour:  -1,
		AddressUploadBytesPerDay:   -1,
		DeviceUploadsPerHour:       -1,
		DeviceUploadBytesPerHour:   -1,
		MaxUploadBytesHeld:         -1,
		// The clients' tests send made-up bytes as photos; the content
		// check has its own tests (server/uploadtype_test.go).
		UploadTypes:               []string{server.AnyUploadType},
		SubmissionsPerHour:        -1,
		AddressSubmissionsPerHour: -1,
		AddressDraftWritesPerHour: -1,
		MaxOpenCases:              -1,
		MaxDrafts:                 -1,
		MaxDraftBytes:             -1,
		MaxBookings:               -1,
		StaffToken:                "staff-" + hex.EncodeToString(token),
		ReportServices:            reportServices,
		ReportStreets:             streets,
		Polls:                     polls,
		// Quick polls, so that device grant tests need not wait 5 s.
		OIDC: oidc.Config{Issuer: "http://" + ln.Addr().String(), DevicePollInterval: DevicePollInterval, Keys: testKeys(tb)},
	}}
	for _, opt := range opts {
		opt(&o)
	}
	cfg := o.cfg
	h, err := server.New(cfg)
	if err != nil {
		_ = ln.Close()
		tb.Fatalf("servertest: %v", err)
	}
	b := &Backend{DB: db, DBPath: dbPath, Server: h, StaffToken: cfg.StaffToken, h: h, tb: tb, limits: o.limits, Clock: o.clock}
	b.addr = ln.Addr().String()
	b.URL = "http://" + b.addr
	b.serve(ln)
	tb.Cleanup(func() {
		b.Stop()
		_ = h.Close()
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
	if b.limits != nil {
		srv = b.limits.Server(b, slog.New(slog.NewTextHandler(io.Discard, nil)))
		ln = b.limits.Listener(ln)
	}
	srv.ConnState = b.connState
	b.mu.Lock()
	b.srv = srv
	b.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// connState keeps track of the connections that sent no request yet: a
// client's transport may open one it ends up not needing (it keeps it
// idle), and http.Server.Shutdown would wait 5 s for such a connection.
func (b *Backend) connState(c net.Conn, st http.ConnState) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fresh == nil {
		b.fresh = map[net.Conn]bool{}
	}
	if st == http.StateNew {
		b.fresh[c] = true
	} else {
		delete(b.fresh, c)
	}
}

// Stop takes the backend down: connections are refused until Start.
func (b *Backend) Stop() {
	b.mu.Lock()
	srv := b.srv
	b.srv = nil
	for c := range b.fresh {
		c.Close()
	}
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

// LinkDevices puts registered devices into one account (created if
// needed), as login will one day: their cases and draft copies are then
// shared through the changes feed.
func (b *Backend) LinkDevices(account string, devices ...string) {
	b.tb.Helper()
	if err := b.DB.LinkDevices(context.Background(), account, devices...); err != nil {
		b.tb.Fatalf("servertest: link devices: %v", err)
	}
}

// testKeys are the OpenID provider's keys of every test backend of the
// process: an RSA key costs tens of milliseconds, and many tests start a
// backend.
var testKeys = func() func(testing.TB) *oidc.Keys {
	var once sync.Once
	var keys *oidc.Keys
	var err error
	return func(tb testing.TB) *oidc.Keys {
		once.Do(func() { keys, err = oidc.NewKeys() })
		if err != nil {
			tb.Fatalf("servertest: %v", err)
		}
		return keys
	}
}()

// DevicePollInterval is the device grant's interval of test backends.
const DevicePollInterval = 200 * time.Millisecond

// AddAccount creates an account that can log in at the backend's OpenID
// provider (the issuer is URL; the app is api.OIDCClientID), with the
// roles given (api.RoleCitizen when none).
func (b *Backend) AddAccount(email, password string, roles ...string) accounts.Account {
	b.tb.Helper()
	if len(roles) == 0 {
		roles = []string{api.RoleCitizen}
	}
	a := accounts.Account{ID: accounts.NewID(), Email: email, Name: email,
		Roles: roles, PasswordHash: accounts.HashPassword(password), Created: time.Now().UTC().Truncate(time.Second)}
	if err := b.DB.CreateAccount(context.Background(), a); err != nil {
		b.tb.Fatalf("servertest: add account: %v", err)
	}
	return a
}

// SetCaseStatus moves a case on through the real staff API, as staff
// would, also while the backend is stopped (the request does not go over
// the network). It returns the case with its timeline.
func (b *Backend) SetCaseStatus(caseID, status string, note api.Text) api.Case {
	b.tb.Helper()
	return b.SetCaseStatusFields(caseID, status, note, nil)
}

// SetCaseStatusFields is SetCaseStatus naming the fields the town hall
// asks about (with api.StatusInfoNeeded).
func (b *Backend) SetCaseStatusFields(caseID, status string, note api.Text, fields []string) api.Case {
	b.tb.Helper()
	body, err := json.Marshal(api.StatusRequest{Status: status, Note: note, Fields: fields})
	if err != nil {
		b.tb.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, api.PathStaffCases+caseID+"/status", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+b.StaffToken)
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.tb.Fatalf("servertest: set case %s to %s: %d %s", caseID, status, rec.Code, rec.Body)
	}
	var c api.Case
	if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil {
		b.tb.Fatal(err)
	}
	return c
}
