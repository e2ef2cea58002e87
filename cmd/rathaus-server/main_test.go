package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/postgres/pgtest"
)

// TestMain lets the tests run this very binary as rathaus-server: with
// RATHAUS_SERVER_TEST_MAIN=1 it is main() with the given arguments.
func TestMain(m *testing.M) {
	if os.Getenv("RATHAUS_SERVER_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func getHealth(t *testing.T, base string) int {
	t.Helper()
	res, err := http.Get(base + api.PathHealth)
	if err != nil {
		t.Fatalf("GET %s: %v", api.PathHealth, err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

func TestMainOpenServeClose(t *testing.T) {
	data := filepath.Join(t.TempDir(), "new", "data")
	var logs bytes.Buffer
	m := NewMain(&logs)
	m.Addr, m.DataDir, m.StaffToken = "127.0.0.1:0", data, "a-staff-token-for-tests"
	if err := m.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	base := m.URL()
	if got := getHealth(t, base); got != http.StatusOK {
		t.Errorf("healthz = %d, want 200", got)
	}
	checkUploadsAndStaff(t, base, m.StaffToken)
	if err := m.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}

	if !strings.Contains(logs.String(), "url="+base) || !strings.Contains(logs.String(), "staff_api=true") {
		t.Errorf("log %q does not name the URL %s and the staff API", logs.String(), base)
	}
	if strings.Contains(logs.String(), m.StaffToken) {
		t.Error("the log shows the staff token")
	}
	for _, dir := range []string{data, filepath.Join(data, "uploads")} {
		if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v, %v; want a folder with mode 0700", dir, fi.Mode().Perm(), err)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "rathaus.db")); err != nil {
		t.Errorf("database file: %v", err)
	}
	if _, err := http.Get(base + api.PathHealth); err == nil {
		t.Error("the server still answers after Close")
	}
}

// checkUploadsAndStaff uploads a small file in one creation-with-upload
// request and checks that the staff API takes the token and only it.
func checkUploadsAndStaff(t *testing.T, base, staff string) {
	t.Helper()
	data := []byte("\x89PNG\r\n\x1a\na small file") // the backend checks the type's signature
	sum := sha256.Sum256(data)
	meta := "filename " + b64("x.png") + ",filetype " + b64("image/png") + ",sha256 " + b64(hex.EncodeToString(sum[:]))
	req, _ := http.NewRequest(http.MethodPost, base+api.PathUploads, bytes.NewReader(data))
	req.Header = http.Header{"Tus-Resumable": {"1.0.0"}, "Upload-Length": {fmt.Sprint(len(data))},
		"Upload-Metadata": {meta}, "Content-Type": {"application/offset+octet-stream"}}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || res.Header.Get("Upload-Offset") != fmt.Sprint(len(data)) {
		t.Errorf("upload = %d with offset %q, want 201 and %d", res.StatusCode, res.Header.Get("Upload-Offset"), len(data))
	}
	for _, tt := range []struct {
		token string
		want  int
	}{{"", http.StatusUnauthorized}, {staff, http.StatusNotFound}} { // 404: no such case, but authorised
		req, _ := http.NewRequest(http.MethodPost, base+api.PathStaffCases+"c_0000000000000000/status",
			strings.NewReader(`{"status":"in_review"}`))
		if tt.token != "" {
			req.Header.Set("Authorization", "Bearer "+tt.token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tt.want {
			t.Errorf("staff API with token %q = %d, want %d", tt.token, res.StatusCode, tt.want)
		}
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestParseFlags(t *testing.T) {
	const tok = "0123456789abcdef-staff"
	const pg, pg2 = "postgres://rathaus@db:5432/rathaus", "postgresql://other@db/rathaus"
	tests := []struct {
		name                                  string
		args                                  []string
		env                                   map[string]string
		wantAddr, wantData, wantStaff, wantDB string
	}{
		{"defaults", nil, nil, "127.0.0.1:8080", "./data", "", ""},
		{"env", nil, map[string]string{"RATHAUS_ADDR": ":9000", "RATHAUS_DATA": "/srv/r", "RATHAUS_STAFF_TOKEN": tok, "RATHAUS_DB": pg},
			":9000", "/srv/r", tok, pg},
		{"flags beat env", []string{"--addr", "127.0.0.1:1", "-data=/x", "--staff-token", tok + "2", "--db", pg2},
			map[string]string{"RATHAUS_ADDR": ":9000", "RATHAUS_DATA": "/srv/r", "RATHAUS_STAFF_TOKEN": tok, "RATHAUS_DB": pg},
			"127.0.0.1:1", "/x", tok + "2", pg2},
		{"one of each", []string{"--data", "d"}, map[string]string{"RATHAUS_ADDR": ":9000"}, ":9000", "d", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMain(io.Discard)
			err := m.ParseFlags(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if err != nil {
				t.Fatalf("ParseFlags: %v", err)
			}
			if m.Addr != tt.wantAddr || m.DataDir != tt.wantData || m.StaffToken != tt.wantStaff || m.DB != tt.wantDB {
				t.Errorf("addr, data, staff, db = %q, %q, %q, %q; want %q, %q, %q, %q",
					m.Addr, m.DataDir, m.StaffToken, m.DB, tt.wantAddr, tt.wantData, tt.wantStaff, tt.wantDB)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help"} {
		t.Run(arg, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{arg}, func(string) string { return "" }, &stdout, &stderr)
			if code != 0 {
				t.Errorf("exit code = %d, want 0; stderr %q", code, stderr.String())
			}
			for _, want := range []string{"--addr", "--data", "RATHAUS_ADDR", "RATHAUS_DATA", "127.0.0.1:8080", "./data", "--help",
				"--staff-token", "RATHAUS_STAFF_TOKEN", "uploads/", "404", "after a day", "--db", "RATHAUS_DB", "postgres://"} {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("usage does not mention %s:\n%s", want, stdout.String())
				}
			}
		})
	}
}

func TestRunFailsInOneLine(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"address in use", []string{"--addr", busy.Addr().String(), "--data", t.TempDir()}, "already in use"},
		{"bad address", []string{"--addr", "no-port", "--data", t.TempDir()}, "cannot listen on no-port"},
		{"data is a file", []string{"--addr", "127.0.0.1:0", "--data", notDir}, "data folder"},
		{"unknown flag", []string{"--port", "1"}, "flag provided but not defined"},
		{"extra argument", []string{"serve"}, `unexpected argument "serve"`},
		{"short staff token", []string{"--staff-token", "secret"}, "at least 16 characters"},
		{"not a postgres URL", []string{"--db", "mysql://x@db/rathaus"}, "--db takes a postgres:// URL"},
		{"a size cap for PostgreSQL", []string{"--db", "postgres://x@db/rathaus", "--db-max-mb", "100"}, "--db-max-mb bounds the SQLite database only"},
		{"database not reachable", []string{"--addr", "127.0.0.1:0", "--data", t.TempDir(),
			"--db", "postgres://rathaus:s3cret-pw@" + busy.Addr().String() + "/rathaus?connect_timeout=2"}, "postgres: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, func(string) string { return "" }, &stdout, &stderr)
			if code != 1 {
				t.Errorf("exit code = %d, want 1", code)
			}
			first, _, _ := strings.Cut(stderr.String(), "\n")
			if !strings.HasPrefix(first, "rathaus-server: ") || !strings.Contains(first, tt.want) {
				t.Errorf("first line of stderr = %q, want rathaus-server: ...%s...", first, tt.want)
			}
			if strings.Contains(stderr.String(), "goroutine ") {
				t.Errorf("stderr has a stack trace: %s", stderr.String())
			}
			if strings.Contains(stderr.String(), "s3cret-pw") {
				t.Errorf("stderr shows the database password: %s", stderr.String())
			}
		})
	}
}

// TestProcessStopsOnSIGTERM runs the real process, as an operator would.
func TestProcessStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	p := startServer(t, t.TempDir(), nil)
	if got := getHealth(t, p.URL()); got != http.StatusOK {
		t.Errorf("healthz = %d, want 200", got)
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err) // it did not end within 30 s of SIGTERM
	}
	if err := p.ExitErr(); err != nil {
		t.Errorf("after SIGTERM the process ended with %v, want exit 0", err)
	}
}

// TestMainOnPostgres: with --db the data goes to PostgreSQL, the uploads
// to the data folder, and the log names the database without its password.
func TestMainOnPostgres(t *testing.T) {
	dbURL := pgtest.URL(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), "not-checked-by-trust-auth")
	var logs bytes.Buffer
	m := NewMain(&logs)
	m.Addr, m.DataDir, m.DB, m.StaffToken = "127.0.0.1:0", t.TempDir(), u.String(), "a-staff-token-for-tests"
	if err := m.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	if got := getHealth(t, m.URL()); got != http.StatusOK {
		t.Errorf("healthz = %d, want 200", got)
	}
	checkUploadsAndStaff(t, m.URL(), m.StaffToken)
	if err := m.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if strings.Contains(logs.String(), "not-checked-by-trust-auth") {
		t.Errorf("the log shows the database password: %s", logs.String())
	}
	if !strings.Contains(logs.String(), "postgres://rathaus:xxxxx@") {
		t.Errorf("the log %q does not name the database", logs.String())
	}
	if _, err := os.Stat(filepath.Join(m.DataDir, dbFile)); !os.IsNotExist(err) {
		t.Errorf("a SQLite file was made beside PostgreSQL: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(m.DataDir, uploadDir)); len(entries) == 0 {
		t.Error("the upload is not in the data folder")
	}
}

func TestParseLimits(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want func(*Limits)
	}{
		{"defaults", nil, nil, func(*Limits) {}},
		{"env", nil, map[string]string{"RATHAUS_MAX_REQUESTS": "8", "RATHAUS_REQUEST_TIMEOUT": "3s", "RATHAUS_MAX_DRAFT_MB": "0"},
			func(l *Limits) { l.MaxRequests, l.RequestTimeout, l.MaxDraftMB = 8, 3*time.Second, 0 }},
		{"flags beat env", []string{"--max-requests", "9", "--max-open-cases=5", "--db-max-mb", "100"},
			map[string]string{"RATHAUS_MAX_REQUESTS": "8"},
			func(l *Limits) { l.MaxRequests, l.MaxOpenCases, l.DBMaxMB = 9, 5, 100 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMain(io.Discard)
			if err := m.ParseFlags(tt.args, func(k string) string { return tt.env[k] }, io.Discard); err != nil {
				t.Fatalf("ParseFlags: %v", err)
			}
			want := defaultLimits()
			tt.want(&want)
			if m.Limits != want {
				t.Errorf("limits = %+v, want %+v", m.Limits, want)
			}
		})
	}
	for _, bad := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--max-conns", "-1"}, nil, "--max-conns must not be negative"},
		{nil, map[string]string{"RATHAUS_MAX_QUEUE": "many"}, "RATHAUS_MAX_QUEUE"},
		{[]string{"--request-timeout", "soon"}, nil, "request-timeout"},
	} {
		err := NewMain(io.Discard).ParseFlags(bad.args, func(k string) string { return bad.env[k] }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ParseFlags(%v, %v) = %v, want an error naming %s", bad.args, bad.env, err, bad.want)
		}
	}
	var cfg server.Config
	l := defaultLimits()
	l.MaxOpenCases, l.MaxDraftMB = 0, 2
	l.apply(&cfg)
	if cfg.MaxOpenCases != -1 || cfg.MaxDraftBytes != 2<<20 || cfg.MaxRequests != server.DefaultMaxRequests {
		t.Errorf("apply: open cases %d, draft bytes %d, requests %d; want -1 (off), 2 MiB, the default",
			cfg.MaxOpenCases, cfg.MaxDraftBytes, cfg.MaxRequests)
	}
	// The upload quotas: megabytes on the command line, bytes in the
	// server's configuration; 0 switches one off.
	m := NewMain(io.Discard)
	err := m.ParseFlags([]string{"--device-upload-mb-per-hour", "50", "--max-upload-mb-held", "0", "--address-upload-mb-per-day", "2048"},
		func(k string) string { return map[string]string{"RATHAUS_DEVICE_UPLOADS_PER_HOUR": "7"}[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg = server.Config{}
	m.Limits.apply(&cfg)
	if cfg.DeviceUploadBytesPerHour != 50<<20 || cfg.MaxUploadBytesHeld != -1 || cfg.AddressUploadBytesPerDay != 2048<<20 ||
		cfg.DeviceUploadsPerHour != 7 || cfg.AddressUploadBytesPerHour != server.DefaultAddressUploadBytesPerHour ||
		cfg.UploadsPerHour != server.DefaultUploadsPerHour {
		t.Errorf("upload quotas = device %d/h %d B/h, held %d, address %d/h %d B/h %d B/day; want 7, 50 MiB, off, 300, 1 GiB, 2 GiB",
			cfg.DeviceUploadsPerHour, cfg.DeviceUploadBytesPerHour, cfg.MaxUploadBytesHeld,
			cfg.UploadsPerHour, cfg.AddressUploadBytesPerHour, cfg.AddressUploadBytesPerDay)
	}
}

// TestLimitsDocumented holds -h and README.md's table to the limits.
func TestLimitsDocumented(t *testing.T) {
	var help bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, func(string) string { return "" }, &help, io.Discard); code != 0 {
		t.Fatalf("-h: exit %d", code)
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range limitFlags {
		if !strings.Contains(help.String(), "--"+f.name+" ") || !strings.Contains(help.String(), f.env) {
			t.Errorf("-h does not list --%s with %s", f.name, f.env)
		}
		if !regexp.MustCompile("(?m)^\\| `--" + f.name + "` \\| `" + f.env + "` \\|").Match(readme) {
			t.Errorf("README.md's table has no row for --%s and %s", f.name, f.env)
		}
	}
}

func TestParseUploadOrigins(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		env  string
		want []string
	}{
		{"none by default", nil, "", nil},
		{"environment", nil, "https://portal.musterstadt.de, http://localhost:5173 ,", []string{"https://portal.musterstadt.de", "http://localhost:5173"}},
		{"the flag beats the environment", []string{"--upload-origins", "https://a.example"}, "https://b.example", []string{"https://a.example"}},
		{"an empty flag switches them off", []string{"--upload-origins="}, "https://b.example", nil},
		{"--cors-origin, repeated", []string{"--cors-origin", "https://a.example", "--cors-origin", "https://c.example"}, "https://b.example",
			[]string{"https://a.example", "https://c.example"}},
		{"--cors-origin beside --upload-origins", []string{"--upload-origins", "https://a.example", "--cors-origin", "https://c.example"}, "",
			[]string{"https://a.example", "https://c.example"}},
		{"RATHAUS_CORS_ORIGINS", nil, "cors:https://d.example", []string{"https://d.example"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMain(io.Discard)
			env := map[string]string{envOrigins: tt.env}
			if v, ok := strings.CutPrefix(tt.env, "cors:"); ok {
				env = map[string]string{envCORS: v}
			}
			if err := m.ParseFlags(tt.args, func(k string) string { return env[k] }, io.Discard); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(m.UploadOrigins) != fmt.Sprint(tt.want) {
				t.Errorf("UploadOrigins = %q, want %q", m.UploadOrigins, tt.want)
			}
		})
	}
}

// TestUploadOrigins: the origins reach the server's CORS; one that is no
// origin stops the start with a message.
func TestUploadOrigins(t *testing.T) {
	m := NewMain(io.Discard)
	m.Addr, m.DataDir, m.UploadOrigins = "127.0.0.1:0", t.TempDir(), []string{"https://portal.musterstadt.de"}
	if err := m.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer m.Close(context.Background())
	for origin, want := range map[string]int{"https://portal.musterstadt.de": http.StatusOK, "https://evil.example": http.StatusForbidden} {
		req, _ := http.NewRequest(http.MethodOptions, m.URL()+api.PathUploads, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if allowed := res.Header.Get("Access-Control-Allow-Origin"); res.StatusCode != want || (want == http.StatusOK) != (allowed == origin) {
			t.Errorf("preflight from %s = %d, allowing %q; want %d", origin, res.StatusCode, allowed, want)
		}
	}

	var stderr bytes.Buffer
	code := run(context.Background(), []string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--upload-origins", "*"},
		func(string) string { return "" }, io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), `upload origin "*"`) || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("--upload-origins '*': exit %d, %q; want 1 and one line naming it", code, stderr.String())
	}
}
