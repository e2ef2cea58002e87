package server_test

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for rawDB on PostgreSQL
	_ "github.com/mattn/go-sqlite3"    // the "sqlite3" driver, for rawDB on SQLite

	"rathaus/api"
	"rathaus/server"
)

var deviceID = regexp.MustCompile(`^d_[0-9a-f]{16}$`)

// register registers a device and returns it.
func (e *env) register(t *testing.T) api.Device {
	t.Helper()
	r := e.do(t, http.MethodPost, api.PathDevices, http.Header{"Content-Type": {api.ContentTypeJSON}},
		strings.NewReader(`{"platform":"linux","app_version":"0.1.0"}`))
	if r.status != http.StatusCreated {
		t.Fatalf("register: status %d, body %s", r.status, r.body)
	}
	var d api.Device
	if err := json.Unmarshal(r.body, &d); err != nil {
		t.Fatalf("register: %v", err)
	}
	return d
}

// auth is the header that makes a request the device's.
func auth(d api.Device) http.Header {
	return http.Header{"Authorization": {"Bearer " + d.Token}}
}

// rawDB opens the server's database beside the server, for checks of
// what it stored. Queries that run on both stores write parameters as $1.
func (e *env) rawDB(t *testing.T) *sql.DB {
	t.Helper()
	driver := "sqlite3"
	if strings.HasPrefix(e.dbPath, "postgres://") {
		driver = "pgx"
	}
	raw, err := sql.Open(driver, e.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = raw.Close() })
	return raw
}

func TestRegisterDevice(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, http.MethodPost, api.PathDevices, nil, strings.NewReader(`{"platform":"android","app_version":"1.2.3"}`))
	if r.status != http.StatusCreated {
		t.Fatalf("status = %d, want 201; body %s", r.status, r.body)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	var d api.Device
	if err := json.Unmarshal(r.body, &d); err != nil {
		t.Fatal(err)
	}
	if !deviceID.MatchString(d.ID) {
		t.Errorf("id = %q, want d_ and 16 hex digits", d.ID)
	}
	raw, err := base64.RawURLEncoding.DecodeString(d.Token)
	if err != nil || len(raw) != 32 {
		t.Fatalf("token %q decodes to %d bytes (%v), want 32 bytes of base64url", d.Token, len(raw), err)
	}
	if other := e.register(t); other.ID == d.ID || other.Token == d.Token {
		t.Errorf("two registrations got the same id or token: %+v, %+v", d, other)
	}

	// Only the token's hash is stored.
	var hash []byte
	var platform, version string
	if err := e.rawDB(t).QueryRow("SELECT token_hash, platform, app_version FROM devices WHERE id = $1", d.ID).
		Scan(&hash, &platform, &version); err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(raw); !bytes.Equal(hash, sum[:]) || platform != "android" || version != "1.2.3" {
		t.Errorf("stored %x %q %q, want the SHA-256 of the token, android, 1.2.3", hash, platform, version)
	}
	dump := e.dumpDB(t)
	if strings.Contains(dump, d.Token) || bytes.Contains([]byte(dump), raw) {
		t.Error("the database holds the token itself")
	}
}

// dumpDB returns every text and blob value of the devices table.
func (e *env) dumpDB(t *testing.T) string {
	t.Helper()
	rows, err := e.rawDB(t).Query("SELECT id, token_hash, platform, app_version, created FROM devices")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var a, c, d, f string
		var h []byte
		if err := rows.Scan(&a, &h, &c, &d, &f); err != nil {
			t.Fatal(err)
		}
		b.WriteString(a + string(h) + c + d + f)
	}
	return b.String()
}

func TestRegisterDeviceRefused(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("x", 65)
	for _, tt := range []struct{ name, body string }{
		{"not json", "platform=linux"},
		{"two values", `{}{}`},
		{"platform too long", `{"platform":"` + long + `"}`},
		{"control character", `{"app_version":"1\n2"}`},
		{"body too large", `{"platform":"` + strings.Repeat("x", 5000) + `"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			problemOf(t, e.do(t, http.MethodPost, api.PathDevices, nil, strings.NewReader(tt.body)),
				http.StatusBadRequest, api.ProblemBadRequest)
		})
	}
}

func TestRegisterDeviceRateLimit(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.DeviceRegistrationsPerHour = 2 })
	e.register(t)
	e.register(t)
	r := e.do(t, http.MethodPost, api.PathDevices, nil, strings.NewReader(`{}`))
	problemOf(t, r, http.StatusTooManyRequests, api.ProblemRateLimited)
	// The clock stands still: the next token is half an hour away.
	if got := r.header.Get("Retry-After"); got != strconv.Itoa(30*60) {
		t.Errorf("Retry-After = %q, want 1800", got)
	}
}

func TestDeviceAuthentication(t *testing.T) {
	e := newEnv(t)
	d := e.register(t)
	svc := e.catalog.Services[0]
	b := body(t, svc.ID, svc.Form, e.example(t, svc))

	c := caseOf(t, e.submitAs(t, auth(d), "k1", b))
	var stored sql.NullString
	if err := e.rawDB(t).QueryRow("SELECT device FROM cases WHERE id = $1", c.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored.String != d.ID {
		t.Errorf("case device = %q, want %q", stored.String, d.ID)
	}

	unknown := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	for _, tt := range []struct {
		name   string
		header []string
	}{
		{"unknown token", []string{"Bearer " + unknown}},
		{"token truncated", []string{"Bearer " + d.Token[:20]}},
		{"not base64url", []string{"Bearer " + strings.Repeat("*", 43)}},
		{"another scheme", []string{"Basic " + d.Token}},
		{"no token", []string{"Bearer "}},
		{"two headers", []string{"Bearer " + d.Token, "Bearer " + d.Token}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.submitAs(t, http.Header{"Authorization": tt.header}, "k-"+tt.name, b)
			problemOf(t, r, http.StatusUnauthorized, api.ProblemUnauthorized)
			if got := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want Bearer", got)
			}
		})
	}
	if n := e.countCases(t); n != 1 {
		t.Errorf("cases = %d, want 1", n)
	}
}

// TestIdempotencyKeyScopedPerDevice: the same key from two devices makes
// two cases; each device's retry gets its own case back.
func TestIdempotencyKeyScopedPerDevice(t *testing.T) {
	e := newEnv(t)
	a, b := e.register(t), e.register(t)
	svc := e.catalog.Services[0]
	req := body(t, svc.ID, svc.Form, e.example(t, svc))

	clients := []struct {
		name   string
		header http.Header
	}{{"device a", auth(a)}, {"device b", auth(b)}, {"anonymous", nil}}
	first := map[string]api.Case{}
	for _, c := range clients {
		first[c.name] = caseOf(t, e.submitAs(t, c.header, "same-key", req))
	}
	if first["device a"].ID == first["device b"].ID || first["device a"].ID == first["anonymous"].ID ||
		first["device b"].ID == first["anonymous"].ID {
		t.Fatalf("one key from three clients made cases %v, want three different ones", first)
	}
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			r := e.submitAs(t, c.header, "same-key", req)
			if got := caseOf(t, r); got.ID != first[c.name].ID || r.header.Get(api.HeaderReplayed) != "true" {
				t.Errorf("retry = %s (replayed %q), want its own case %s replayed", got.ID, r.header.Get(api.HeaderReplayed), first[c.name].ID)
			}
		})
	}
	if n := e.countCases(t); n != 3 {
		t.Errorf("cases = %d, want 3", n)
	}
}
