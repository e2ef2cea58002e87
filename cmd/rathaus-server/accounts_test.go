package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rathaus/server/oidc"
)

func runAccountsWith(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runAccounts(context.Background(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestAccountsCommand(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runAccountsWith(t, "ein-gutes-passwort\n", "add", "Anna@Example.org", "--name", "Anna Muster", "--data", dir); code != 0 {
		t.Fatalf("add with a password on stdin = %d: %s", code, stderr)
	}
	code, out, stderr := runAccountsWith(t, "", "add", "clerk@example.org", "--staff", "--data", dir)
	pw := strings.TrimSpace(out)
	if code != 0 || len(pw) < 20 || !strings.Contains(stderr, "shown only now") {
		t.Fatalf("add without a password = %d, %q, %s; want a generated one printed", code, out, stderr)
	}
	for _, bad := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"ein-gutes-passwort\n", []string{"add", "anna@example.org", "--data", dir}, "exists already"},
		{"ein-gutes-passwort\n", []string{"add", "not an email", "--data", dir}, "email address is not valid"},
		{"kurz\n", []string{"add", "bert@example.org", "--data", dir}, "at least 10"},
		{"", []string{"disable", "nobody@example.org", "--data", dir}, "no account"},
		{"", []string{"add", "--data", dir}, "give the account's email"},
		{"", []string{"rename", "x", "--data", dir}, "Usage"},
	} {
		if code, _, stderr := runAccountsWith(t, bad.stdin, bad.args...); code != 1 || !strings.Contains(stderr, bad.want) {
			t.Errorf("%q = %d, %s; want 1 and %q", bad.args, code, stderr, bad.want)
		}
	}
	if code, _, stderr := runAccountsWith(t, "", "disable", "anna@example.org", "--data", dir); code != 0 {
		t.Fatalf("disable = %d: %s", code, stderr)
	}
	_, list, _ := runAccountsWith(t, "", "list", "--data", dir)
	lines := strings.Split(strings.TrimSpace(list), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "anna@example.org") || !strings.Contains(lines[1], "yes") ||
		!strings.HasPrefix(lines[2], "clerk@example.org") || !strings.Contains(lines[2], "staff") {
		t.Errorf("list =\n%s\nwant anna (disabled), then clerk (staff)", list)
	}
	if code, _, _ := runArgs(t, "accounts", "-h"); code != 0 {
		t.Errorf("accounts -h = %d; want 0", code)
	}

	// The server on the same folder: the demo accounts are not made (there
	// are accounts), the keys are kept, discovery names the issuer.
	var startOut bytes.Buffer
	m := NewMain(io.Discard)
	m.Out = &startOut
	if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--data", dir}, func(string) string { return "" }, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	if startOut.Len() != 0 {
		t.Errorf("the start printed %q; want no demo accounts beside existing ones", startOut.String())
	}
	if st, err := os.Stat(filepath.Join(dir, oidc.SigningKeyFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("signing key file: %v, %v; want mode 0600", st, err)
	}
	res, err := http.Get(m.URL() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var d struct{ Issuer string }
	if err := json.NewDecoder(res.Body).Decode(&d); err != nil || d.Issuer != m.URL() {
		t.Errorf("discovery issuer = %q, %v; want %s", d.Issuer, err, m.URL())
	}
}

// TestDemoAccounts: the first start with no accounts makes and prints
// them, once.
func TestDemoAccounts(t *testing.T) {
	dir := t.TempDir()
	start := func() string {
		var out bytes.Buffer
		m := NewMain(io.Discard)
		m.Out = &out
		if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--data", dir}, func(string) string { return "" }, io.Discard); err != nil {
			t.Fatal(err)
		}
		if err := m.Open(); err != nil {
			t.Fatal(err)
		}
		_ = m.Close(context.Background())
		return out.String()
	}
	first := start()
	for _, want := range []string{"buerger@musterstadt.example", "sachbearbeitung@musterstadt.example", "staff"} {
		if !strings.Contains(first, want) {
			t.Errorf("first start printed %q; want %s", first, want)
		}
	}
	if again := start(); again != "" {
		t.Errorf("second start printed %q; want nothing", again)
	}
	_, list, _ := runAccountsWith(t, "", "list", "--data", dir)
	if strings.Count(list, "musterstadt.example") != 2 {
		t.Errorf("list = %s; want the two demo accounts", list)
	}
}

// addrListener is a listener that only has an address (issuer reads no
// more of it).
type addrListener struct {
	net.Listener
	addr net.Addr
}

func (l addrListener) Addr() net.Addr { return l.addr }

func TestIssuer(t *testing.T) {
	at := func(s string) net.Listener {
		a, err := net.ResolveTCPAddr("tcp", s)
		if err != nil {
			t.Fatal(err)
		}
		return addrListener{addr: a}
	}
	tests := []struct {
		name, public, tls, addr, want string
	}{
		{"loopback", "", "", "127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"IPv6 loopback", "", "", "[::1]:8080", "http://[::1]:8080"},
		{"all addresses", "", "", "0.0.0.0:8080", ""},
		{"all addresses with TLS", "", "cert.pem", "0.0.0.0:8443", ""},
		{"an address others reach, plain", "", "", "10.0.0.5:8080", ""},
		{"an address others reach, TLS", "", "cert.pem", "10.0.0.5:8443", "https://10.0.0.5:8443"},
		{"the public URL", "https://rathaus.example.de/", "", "0.0.0.0:8080", "https://rathaus.example.de"},
		{"a plain public URL elsewhere", "http://rathaus.example.de", "", "127.0.0.1:8080", ""},
		{"a plain public URL on loopback", "http://localhost:8080", "", "0.0.0.0:8080", "http://localhost:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMain(io.Discard)
			m.OpenData.BaseURL, m.TLSCert = tt.public, tt.tls
			if got := m.issuer(at(tt.addr)); got != tt.want {
				t.Errorf("issuer = %q; want %q", got, tt.want)
			}
		})
	}
}
