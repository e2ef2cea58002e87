package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestOpen311Keys: a key made by the command opens POST requests of the
// real server on the same data folder; revoked, it is refused with 403.
func TestOpen311Keys(t *testing.T) {
	dir := t.TempDir()
	code, secret, stderr := runArgs(t, "open311", "keys", "add", "fixmystreet", "--data", dir)
	secret = strings.TrimSpace(secret)
	if code != 0 || !strings.HasPrefix(secret, "o311_") || len(secret) < 30 {
		t.Fatalf("keys add = %d, %q; stderr %s", code, secret, stderr)
	}
	if code, _, stderr := runArgs(t, "open311", "keys", "add", "--data", dir, "fixmystreet"); code != 1 || !strings.Contains(stderr, "exists already") {
		t.Errorf("keys add (same name) = %d, %s; want 1, exists already", code, stderr)
	}
	for _, bad := range [][]string{
		{"open311", "keys", "add", "--data", dir},
		{"open311", "keys", "add", "no spaces", "--data", dir},
		{"open311", "keys", "revoke", "nobody", "--data", dir},
		{"open311", "keys", "rotate", "x", "--data", dir},
		{"open311"},
	} {
		if code, _, _ := runArgs(t, bad...); code != 1 {
			t.Errorf("%q = exit %d, want 1", bad, code)
		}
	}

	m := NewMain(io.Discard)
	if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--data", dir}, func(string) string { return "" }, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	post := func() int {
		t.Helper()
		resp, err := http.PostForm(m.URL()+"/open311/v2/requests.json", url.Values{
			"api_key": {secret}, "service_code": {"baum"}, "address_string": {"Domstraße 1"}})
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(); got != http.StatusOK {
		t.Fatalf("POST with the new key = %d, want 200", got)
	}
	if code, _, stderr := runArgs(t, "open311", "keys", "revoke", "fixmystreet", "--data", dir); code != 0 {
		t.Fatalf("keys revoke = %d: %s", code, stderr)
	}
	if got := post(); got != http.StatusForbidden {
		t.Errorf("POST with the revoked key = %d, want 403", got)
	}
	code, out, _ := runArgs(t, "open311", "keys", "list", "--data", dir)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[1], "fixmystreet") || strings.HasSuffix(lines[1], "-") {
		t.Errorf("keys list = %d:\n%s\nwant the key, revoked", code, out)
	}
	if strings.Contains(out, secret) {
		t.Errorf("keys list shows the key itself")
	}
}
