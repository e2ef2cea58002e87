// Command rathaus-server runs the reference municipal backend with the demo
// municipality "Musterstadt".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"rathaus/assets"
	"rathaus/server"
	"rathaus/server/appointments"
	"rathaus/server/authority"
	"rathaus/server/oidc"
	"rathaus/server/postgres"
	"rathaus/server/sqlite"
)

const (
	defaultAddr = "127.0.0.1:8080"
	defaultData = "./data"
	envAddr     = "RATHAUS_ADDR"
	envData     = "RATHAUS_DATA"
	envDB       = "RATHAUS_DB"
	envStaff    = "RATHAUS_STAFF_TOKEN"
	envOrigins  = "RATHAUS_UPLOAD_ORIGINS"
	envCORS     = "RATHAUS_CORS_ORIGINS" // the same list, by another name
	envTLSCert  = "RATHAUS_TLS_CERT"
	envTLSKey   = "RATHAUS_TLS_KEY"
	envTypes    = "RATHAUS_UPLOAD_TYPES"
	dbFile      = "rathaus.db"
	uploadDir   = "uploads"
	// shutdownTimeout bounds how long running requests may finish after
	// SIGINT or SIGTERM.
	shutdownTimeout = 10 * time.Second
	// connectTimeout bounds connecting to PostgreSQL and migrating it at
	// start; another process may hold the migrations' lock meanwhile.
	connectTimeout = time.Minute
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "forms" {
		return runForms(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "open311" {
		return runOpen311(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "cases" {
		return runCases(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "reports" {
		return runReports(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "catalog" {
		return runCatalog(args[1:], getenv, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "authority-key" {
		return runAuthority(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "tickets" {
		return runTickets(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "accounts" {
		return runAccounts(ctx, args[1:], getenv, os.Stdin, stdout, stderr)
	}
	m := NewMain(stderr)
	m.Out = stdout
	if err := m.ParseFlags(args, getenv, stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "rathaus-server: %v\nRun rathaus-server -h for help.\n", err)
		return 1
	}
	if err := m.Open(); err != nil {
		fmt.Fprintf(stderr, "rathaus-server: %v\n", err)
		return 1
	}
	// SIGHUP publishes the catalog folder again (catalog publish sends it).
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
wait:
	for {
		select {
		case <-ctx.Done():
			break wait
		case <-hup:
			m.reloadTLS()
			_ = m.Reload(ctx)
		}
	}
	m.Logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := m.Close(sctx); err != nil {
		fmt.Fprintf(stderr, "rathaus-server: %v\n", err)
		return 1
	}
	return 0
}

// Main is the program: its configuration and what it opened.
type Main struct {
	Addr    string // where to listen, host:port
	DataDir string // folder for the uploads and, without DB, the SQLite database
	// DB is a postgres:// URL; empty: SQLite in DataDir.
	DB string
	// StaffToken authorises the staff API; empty switches it off.
	StaffToken string
	// UploadOrigins are the browser origins whose pages may upload (CORS
	// on /v1/uploads/); none by default.
	UploadOrigins []string
	// CatalogDir is the town's own catalog folder; empty: the demo town.
	CatalogDir string
	// AuthorityKey is the authority's private key file, with which the
	// console decrypts end-to-end encrypted cases; empty: for the demo
	// town, a key in the data folder, made at the first start.
	AuthorityKey string
	authority    *authority.Key
	// SecureCookies marks the staff console's cookies Secure behind a TLS
	// proxy.
	SecureCookies bool
	// StaffOffices is a JSON file of office to token: its clerks sign in to
	// the console for their office's cases only.
	StaffOffices string
	// UploadTypes are the media types uploads may have (empty: the
	// server's defaults; "*": any, unchecked).
	UploadTypes []string
	// TLSCert and TLSKey are PEM files: with both, the server speaks
	// https only (server/tls.go).
	TLSCert, TLSKey string
	// Limits protect the backend from load, slow clients and abuse.
	Limits Limits
	Logger *slog.Logger
	// Pprof is a loopback address to serve profiles on (RATHAUS_PPROF);
	// empty, the default: none.
	Pprof string
	// OpenData names the publisher of the open data and the public address.
	OpenData server.OpenDataConfig
	// Out gets what the start prints for people (the demo accounts).
	Out io.Writer

	db      store
	tls     *server.TLSCert
	backend *server.Server
	ln      net.Listener
	srv     *http.Server
	pprofLn net.Listener
}

// store is what Main opens: a server.Store, closed at the end.
type store interface {
	server.Store
	Close() error
}

var (
	_ store = (*sqlite.DB)(nil)
	_ store = (*postgres.DB)(nil)
)

// NewMain returns a Main with the defaults, logging to w.
func NewMain(w io.Writer) *Main {
	return &Main{Addr: defaultAddr, DataDir: defaultData, Limits: defaultLimits(), Logger: slog.New(slog.NewTextHandler(w, nil)), Out: w}
}

// ParseFlags reads the command line over the environment over the defaults.
// For -h it prints the usage to stdout and returns flag.ErrHelp.
func (m *Main) ParseFlags(args []string, getenv func(string) string, stdout io.Writer) error {
	if v := getenv(envAddr); v != "" {
		m.Addr = v
	}
	if v := getenv(envData); v != "" {
		m.DataDir = v
	}
	if v := getenv(envStaff); v != "" {
		m.StaffToken = v
	}
	if v := getenv(envDB); v != "" {
		m.DB = v
	}
	if v := getenv(envCatalog); v != "" {
		m.CatalogDir = v
	}
	m.Pprof = getenv(envPprof)
	m.TLSCert, m.TLSKey = getenv(envTLSCert), getenv(envTLSKey)
	origins := strings.Join(m.UploadOrigins, ",")
	if v := getenv(envCORS); v != "" {
		origins = v
	}
	if v := getenv(envOrigins); v != "" {
		origins = v
	}
	// --cors-origin, once per origin, is --upload-origins by another name:
	// given, the origins are its ones (and --upload-origins'), not the
	// environment's.
	var corsOrigins []string
	corsFlag := func(v string) error {
		corsOrigins = append(corsOrigins, v)
		return nil
	}
	fs := flag.NewFlagSet("rathaus-server", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by run
	fs.StringVar(&m.Addr, "addr", m.Addr, "")
	fs.StringVar(&m.DataDir, "data", m.DataDir, "")
	fs.StringVar(&m.DB, "db", m.DB, "")
	fs.StringVar(&m.StaffToken, "staff-token", m.StaffToken, "")
	fs.StringVar(&origins, "upload-origins", origins, "")
	fs.Func("cors-origin", "", corsFlag)
	types := getenv(envTypes)
	fs.StringVar(&types, "upload-types", types, "")
	fs.StringVar(&m.CatalogDir, "catalog", m.CatalogDir, "")
	fs.StringVar(&m.TLSCert, "tls-cert", m.TLSCert, "")
	fs.StringVar(&m.TLSKey, "tls-key", m.TLSKey, "")
	m.AuthorityKey = getenv(envAuthorityKey)
	fs.StringVar(&m.AuthorityKey, "authority-key", m.AuthorityKey, "")
	m.SecureCookies = getenv(envSecureCookies) == "1"
	fs.BoolVar(&m.SecureCookies, "secure-cookies", m.SecureCookies, "")
	m.StaffOffices = getenv(envStaffOffices)
	fs.StringVar(&m.StaffOffices, "staff-offices", m.StaffOffices, "")
	if err := m.Limits.register(fs, getenv); err != nil {
		return err
	}
	registerOpenData(fs, getenv, &m.OpenData)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return err
	}
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if m.DB != "" && !strings.HasPrefix(m.DB, "postgres://") && !strings.HasPrefix(m.DB, "postgresql://") {
		return errors.New("--db takes a postgres:// URL; leave it out for SQLite in the --data folder")
	}
	m.UploadOrigins = nil
	if len(corsOrigins) > 0 {
		uploadFlag := false
		fs.Visit(func(f *flag.Flag) { uploadFlag = uploadFlag || f.Name == "upload-origins" })
		if !uploadFlag {
			origins = ""
		}
		origins = strings.Join(append([]string{origins}, corsOrigins...), ",")
	}
	for o := range strings.SplitSeq(origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			m.UploadOrigins = append(m.UploadOrigins, o)
		}
	}
	m.UploadTypes = nil
	for typ := range strings.SplitSeq(types, ",") {
		if typ = strings.TrimSpace(typ); typ != "" {
			m.UploadTypes = append(m.UploadTypes, typ)
		}
	}
	if err := m.Limits.check(); err != nil {
		return err
	}
	if err := checkOpenData(m.OpenData); err != nil {
		return err
	}

	// PostgreSQL's size is the database server's to bound (its disk, a
	// tablespace quota); a full disk there gets 507 all the same.
	if m.DB != "" && m.Limits.DBMaxMB != 0 {
		return errors.New("--db-max-mb bounds the SQLite database only; leave it out with --db")
	}
	if (m.TLSCert == "") != (m.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together: the certificate file and its key file")
	}
	if m.TLSCert != "" {
		m.SecureCookies = true // https: the console's cookies never go over plain http
	}
	if m.StaffOffices != "" && m.StaffToken == "" {
		return errors.New("--staff-offices needs --staff-token (the console is off without it)")
	}
	if m.StaffToken != "" && len(m.StaffToken) < minStaffToken {
		return fmt.Errorf("the staff token must be at least %d characters long", minStaffToken)
	}
	return nil
}

// minStaffToken is the shortest staff token accepted: it guards the
// workflow of every case.
const minStaffToken = 16

var usage = `rathaus-server runs the Rathaus reference municipal backend for the demo
municipality Musterstadt: the portal API (catalog, forms, submissions,
devices, changes feed, draft copies), resumable uploads (tus 1.0) and the
staff API.

Usage:
  rathaus-server [--addr HOST:PORT] [--data FOLDER] [--db postgres://...] [--staff-token TOKEN]
                 [--upload-origins ORIGINS] [--upload-types TYPES] [--catalog DIR]
                 [--tls-cert FILE --tls-key FILE]
  rathaus-server forms import FILE [-o OUT.json]
      convert an XDatenfelder 2 or 3 form (FIM) into a form definition;
      rathaus-server forms import -h explains it.
  rathaus-server open311 keys add|list|revoke [NAME] [--data FOLDER] [--db URL]
      the API keys of outside Open311 clients (GeoReport v2 at /open311/v2/);
      rathaus-server open311 -h explains it.
  rathaus-server catalog check|publish DIR [--data FOLDER]
      check a town's own catalog folder, or publish it to the running
      server; rathaus-server catalog -h explains it.
  rathaus-server authority-key new DIR
      make the authority's key pair for end-to-end encrypted submissions.
  rathaus-server cases list|show|take|advance|note|export ...
      work the cases from the command line, as the staff console does;
      rathaus-server cases -h explains it.
  rathaus-server reports list|advance ...
      work the issue reports (Open311's requests) from the command line, as
      the staff console does; rathaus-server reports -h explains it.
  rathaus-server accounts add|list|disable|enable [EMAIL] ...
      the accounts that log in (citizens, staff); rathaus-server accounts -h
      explains it.
  rathaus-server tickets verify [--data FOLDER] [--db URL] CODE
      check an appointment ticket in at the desk (its short code or QR
      payload); rathaus-server tickets -h explains it.

Flags (a flag beats its environment variable, which beats the default):
  --addr HOST:PORT     address to listen on; port 0 picks a free port.
                       Environment: RATHAUS_ADDR. Default: ` + defaultAddr + `
  --data FOLDER        folder for the SQLite database (` + dbFile + `) and the
                       uploaded files (` + uploadDir + `/); created if missing.
                       Environment: RATHAUS_DATA. Default: ` + defaultData + `
  --db URL             keep the data in PostgreSQL instead of SQLite, e.g.
                       postgres://rathaus:PASSWORD@db.example:5432/rathaus?sslmode=verify-full
                       (libpq's URL; pool_max_conns sizes the pool, search_path
                       picks a schema). The tables are made or migrated at
                       start. Several rathaus-server processes may share one
                       database and one --data folder (for the uploads, e.g. on
                       NFS); see README.md. Environment: RATHAUS_DB (keeps the
                       password off the command line). Default: none (SQLite).
  --staff-token TOKEN  switches on the staff API (POST /v1/staff/cases/{id}/status),
                       which takes "Authorization: Bearer TOKEN", and the staff
                       console at /staff/ (clerks sign in with their name and
                       the token); at least 16 characters. It is the bootstrap
                       until staff accounts exist: the staff API also takes
                       the access token of an account with the staff role
                       (rathaus-server accounts add EMAIL --staff). Without
                       it and without login both answer 404.
                       Prefer the environment: a flag is visible to other users
                       of the machine. Environment: RATHAUS_STAFF_TOKEN.
                       Default: none.
  --upload-origins ORIGINS
                       browser origins, comma-separated (for example
                       https://portal.musterstadt.de), whose pages may upload
                       files (CORS on /v1/uploads/); a request with any other
                       Origin gets 403. The app is no browser and needs none.
                       --cors-origin ORIGIN, given once per origin, is the
                       same. Environment: RATHAUS_UPLOAD_ORIGINS (or
                       RATHAUS_CORS_ORIGINS).
                       Default: none (no browser page may upload).
  --upload-types TYPES media types an uploaded file may have, comma-separated;
                       a file's first bytes must match its type (PDF, JPEG,
                       PNG and HEIC by their signatures), else it is refused
                       with 415. "*" takes anything unchecked.
                       Environment: RATHAUS_UPLOAD_TYPES. Default:
                       ` + strings.Join(server.DefaultUploadTypes, ",") + `
  --catalog DIR        serve the town's own catalog from a folder (catalog.json
                       and forms/*.json, like assets/demo) instead of the demo
                       town Musterstadt; it is checked first (rathaus-server
                       catalog check DIR shows every problem). SIGHUP, or
                       rathaus-server catalog publish DIR, publishes it again
                       while running. Environment: RATHAUS_CATALOG.
                       Default: none (the demo town).
  --authority-key FILE the authority's private key (rathaus-server
                       authority-key new DIR makes the pair): the staff
                       console decrypts end-to-end encrypted cases with it.
                       The portal itself keeps only ciphertext. Environment:
                       RATHAUS_AUTHORITY_KEY. Default: for the demo town, a
                       key made in FOLDER/authority at the first start.
  --staff-offices FILE a JSON object of office to token, for example
                       {"Steueramt": "a-long-random-token"}: a clerk who signs in
                       to the console with an office's token sees and works the
                       cases of that office's services only (the catalog's
                       "office"); the staff token sees every office. Needs
                       --staff-token. Environment: RATHAUS_STAFF_OFFICES.
                       Default: none.
  --tls-cert FILE, --tls-key FILE
                       serve https (TLS 1.2 or 1.3, HTTP/2) with this
                       certificate (PEM, the server's certificate first, then
                       its chain) and its private key (PEM); plain http is then
                       not served at all. SIGHUP reads both files again (a
                       renewed certificate). The app refuses plain http to any
                       host but loopback. Environment: RATHAUS_TLS_CERT,
                       RATHAUS_TLS_KEY. Default: none (plain http, for loopback
                       or behind a TLS proxy).
  --secure-cookies     mark the staff console's cookies Secure: for a TLS
                       proxy in front of the server. Environment:
                       RATHAUS_SECURE_COOKIES=1. Default: off.
  -h, --help           print this help and exit.

Limits (a flag beats its environment variable; 0 switches a limit off).
Over a limit the server answers 503 (busy: try again in a moment), 429
(quota: try again later) or 507 (full), each with Retry-After:
` + limitsUsage() + openDataUsage + loginUsage + `
Unfinished uploads, and finished ones no case uses, are removed after a day.
It stops cleanly on SIGINT (Ctrl-C) or SIGTERM.

Profiling: RATHAUS_PPROF=127.0.0.1:6060 (a loopback address only) also
serves Go's profiles (net/http/pprof, with mutex and block profiles) there.
Unset, the default, nothing of it runs.
`

// Open creates the data folder, opens the database, builds the server and
// starts listening. It returns once requests are being served.
func (m *Main) Open() error {
	if err := os.MkdirAll(m.DataDir, 0o700); err != nil {
		return fmt.Errorf("cannot create data folder %s: %w", m.DataDir, unwrapPath(err))
	}
	// Probe first: SQLite's own message for this is "unable to open database file".
	probe, err := os.CreateTemp(m.DataDir, ".write-probe-*")
	if err != nil {
		return fmt.Errorf("data folder %s is not writable: %w", m.DataDir, unwrapPath(err))
	}
	_ = probe.Close()
	_ = os.Remove(probe.Name())

	cat, forms, err := m.loadCatalog()
	if err != nil {
		return err
	}
	if err := m.openAuthority(&cat); err != nil {
		return err
	}
	reportServices, err := assets.DemoReportServices()
	if err != nil {
		return fmt.Errorf("load report services: %w", err)
	}
	streets, err := assets.DemoStreets()
	if err != nil {
		return fmt.Errorf("load the street directory: %w", err)
	}
	uploads := filepath.Join(m.DataDir, uploadDir)
	cfg := server.Config{Catalog: cat, Forms: forms, Logger: m.Logger, UploadDir: uploads,
		StaffToken: m.StaffToken, UploadOrigins: m.UploadOrigins, UploadTypes: m.UploadTypes}
	cfg.ReportServices, cfg.ReportStreets = reportServices, streets
	if cfg.Offices, err = assets.DemoOffices(); err != nil {
		return fmt.Errorf("load offices: %w", err)
	}
	// The tickets' secret lives beside the data: tickets outlive restarts.
	if cfg.TicketSecret, err = appointments.LoadSecret(m.DataDir); err != nil {
		return err
	}
	m.Limits.apply(&cfg)
	cfg.OpenData = m.OpenData
	if cfg.Polls, err = assets.DemoPolls(); err != nil {
		return fmt.Errorf("load polls: %w", err)
	}
	// Listening first names the OpenID provider's issuer when it is the
	// address itself (port 0 picks one).
	m.ln, err = net.Listen("tcp", m.Addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("address %s is already in use; is another server running? Choose another with --addr", m.Addr)
		}
		return fmt.Errorf("cannot listen on %s: %w", m.Addr, unwrapNet(err))
	}
	if err := m.openWithListener(&cfg, forms); err != nil {
		_ = m.ln.Close()
		m.ln = nil
		return err
	}
	return nil
}

// openWithListener opens the store and builds and starts the server on
// m.ln; on an error it closes what it opened, the listener aside.
func (m *Main) openWithListener(cfg *server.Config, forms map[string][]byte) (err error) {
	if cfg.OIDC.Issuer = m.issuer(m.ln); cfg.OIDC.Issuer != "" {
		if cfg.OIDC.Keys, err = oidc.LoadKeys(m.DataDir); err != nil {
			return err
		}
	} else {
		m.Logger.Warn("login (OpenID Connect) is off: set --public-url to the https address the apps use (plain http only on a loopback address)")
	}
	if m.DB == "" {
		m.db, err = sqlite.OpenWith(filepath.Join(m.DataDir, dbFile), sqlite.Options{MaxSize: int64(m.Limits.DBMaxMB) << 20})
		if err != nil {
			return err
		}
	} else if err := m.openPostgres(cfg); err != nil {
		return err
	}
	cfg.Store = m.db
	h, err := server.New(*cfg)
	if err != nil {
		_ = m.db.Close()
		return err
	}
	m.backend = h
	if err := m.mountConsole(h, cfg.UploadDir); err != nil {
		_ = h.Close()
		_ = m.db.Close()
		return err
	}
	if err := m.recordPublished(forms); err != nil {
		_ = h.Close()
		_ = m.db.Close()
		return err
	}
	if m.TLSCert != "" {
		if m.tls, err = server.LoadTLSCert(m.TLSCert, m.TLSKey); err != nil {
			_ = h.Close()
			_ = m.db.Close()
			return err
		}
	}
	if cfg.OIDC.Issuer != "" {
		if err := seedDemoAccounts(context.Background(), m.db, m.Out); err != nil {
			_ = h.Close()
			_ = m.db.Close()
			return fmt.Errorf("demo accounts: %w", err)
		}
	}
	if m.Pprof != "" {
		if m.pprofLn, err = startPprof(m.Pprof, m.Logger); err != nil {
			_ = h.Close()
			_ = m.db.Close()
			return err
		}
	}
	limits := m.Limits.http()
	m.srv = limits.Server(h, m.Logger)
	serve := func() error { return m.srv.Serve(limits.Listener(m.ln)) }
	if m.tls != nil {
		m.srv.TLSConfig = m.tls.Config()
		serve = func() error { return m.srv.ServeTLS(limits.Listener(m.ln), "", "") }
	}
	go func() {
		if err := serve(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Logger.Error("serve", "err", err)
		}
	}()
	if err := m.writePidFile(); err != nil {
		m.Logger.Error("write the pid file; catalog publish will not find this server", "err", err)
	}
	m.Logger.Info("listening", "url", m.URL(), "data", m.DataDir, "db", m.dbName(), "staff_api", m.StaffToken != "" || cfg.OIDC.Issuer != "",
		"issuer", cfg.OIDC.Issuer)
	return nil
}

// dbName names the database for the log, without its password.
func (m *Main) dbName() string {
	if m.DB == "" {
		return filepath.Join(m.DataDir, dbFile)
	}
	u, err := url.Parse(m.DB)
	if err != nil {
		return "postgres"
	}
	return u.Redacted()
}

// openPostgres opens the PostgreSQL store. Other processes may serve the
// same uploads (the --data folder shared between them), so their locks are
// kept in the database too, where they hold between processes on any
// machine.
func (m *Main) openPostgres(cfg *server.Config) error {
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	pg, err := postgres.Open(ctx, m.DB)
	if err != nil {
		return err
	}
	if cfg.UploadLocker, err = pg.UploadLocker(ctx, m.Logger); err != nil {
		_ = pg.Close()
		return err
	}
	m.db = pg
	return nil
}

// URL is the base URL the server listens on, once Open succeeded.
func (m *Main) URL() string {
	if m.ln == nil {
		return ""
	}
	if m.tls != nil {
		return "https://" + m.ln.Addr().String()
	}
	return "http://" + m.ln.Addr().String()
}

// reloadTLS reads the certificate files again (SIGHUP); the one in use
// stays if they cannot be read.
func (m *Main) reloadTLS() {
	if m.tls == nil {
		return
	}
	if err := m.tls.Reload(); err != nil {
		m.Logger.Error("TLS certificate not reloaded; the old one stays", "err", err)
		return
	}
	m.Logger.Info("TLS certificate reloaded", "cert", m.TLSCert)
}

// Close stops accepting requests, lets running ones finish until ctx ends,
// then closes the database.
func (m *Main) Close(ctx context.Context) error {
	var errs []error
	if m.srv != nil {
		if err := m.srv.Shutdown(ctx); err != nil {
			// Time is up: cut the requests that are still running.
			_ = m.srv.Close()
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
	}
	if m.pprofLn != nil {
		_ = m.pprofLn.Close()
	}
	if m.ln != nil {
		m.removePidFile()
	}
	if m.backend != nil {
		_ = m.backend.Close()
	}
	if m.db != nil {
		if err := m.db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close database: %w", err))
		}
	}
	return errors.Join(errs...)
}

// unwrapPath drops the operation and path from an *fs.PathError, which the
// message names already.
func unwrapPath(err error) error {
	if pe, ok := errors.AsType[*os.PathError](err); ok {
		return pe.Err
	}
	return err
}

// unwrapNet drops "listen tcp ADDR:" from a *net.OpError.
func unwrapNet(err error) error {
	if oe, ok := errors.AsType[*net.OpError](err); ok {
		return oe.Err
	}
	return err
}
