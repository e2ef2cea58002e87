package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/api/jwe"
	"rathaus/assets"
	"rathaus/server/authority"
)

// TestAuthorityKeyNew: "authority-key new DIR" writes the pair (private
// 0600), says where, and never overwrites it.
func TestAuthorityKeyNew(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"authority-key", "new", dir}, func(string) string { return "" }, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	st, err := os.Stat(filepath.Join(dir, authority.PrivateFile))
	if err != nil || st.Mode().Perm() != 0o600 || !strings.Contains(out.String(), authority.PublicFile) {
		t.Fatalf("private key %v (%v); output %q", st.Mode().Perm(), err, out.String())
	}
	pub, _ := os.ReadFile(filepath.Join(dir, authority.PublicFile))
	if k, err := jwe.ParsePublicKey(pub); err != nil || k.Key == nil {
		t.Errorf("the public key file: %v", err)
	}
	errs.Reset()
	if code := run(context.Background(), []string{"authority-key", "new", dir}, func(string) string { return "" }, io.Discard, &errs); code == 0 || !strings.Contains(errs.String(), "never overwritten") {
		t.Errorf("a second new: exit %d, %q; want a refusal", code, errs.String())
	}
}

// TestDemoAuthorityKey: the demo town makes its authority key at the first
// start (private part 0600 in the data folder) and publishes the public
// part on its encrypted service; a restart keeps the same key.
func TestDemoAuthorityKey(t *testing.T) {
	data := t.TempDir()
	kid := func() string {
		t.Helper()
		m := NewMain(io.Discard)
		m.Addr, m.DataDir = "127.0.0.1:0", data
		if err := m.Open(); err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer m.Close(context.Background())
		for _, s := range m.backend.Catalog().Services {
			if s.ID == demoEncryptedService {
				k, err := jwe.ParsePublicKey(s.EncryptionKey)
				if err != nil {
					t.Fatalf("the demo's encrypted service publishes no usable key: %v", err)
				}
				return k.KeyID
			}
		}
		t.Fatalf("the demo has no service %s", demoEncryptedService)
		return ""
	}
	first := kid()
	st, err := os.Stat(filepath.Join(data, demoAuthorityDir, authority.PrivateFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the demo's private key: %v, %v; want mode 0600", st, err)
	}
	if again := kid(); again != first {
		t.Errorf("after a restart the key is %q, want %q", again, first)
	}
}

// TestCasesShowEncrypted: "cases show" of a case encrypted end to end says
// how to read it without the key, and with --authority-key shows the data.
func TestCasesShowEncrypted(t *testing.T) {
	data := t.TempDir()
	m := openServer(t, data)
	ex, err := assets.DemoExample(demoEncryptedService)
	if err != nil {
		t.Fatal(err)
	}
	const canary = "Kanarienvogel-CLI"
	ex["purpose"] = canary
	plain, _ := json.Marshal(ex)
	pub, err := jwe.ParsePublicKey(m.authority.Public())
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := jwe.Encrypt(pub, plain)
	if err != nil {
		t.Fatal(err)
	}
	var form api.FormRef
	for _, s := range m.backend.Catalog().Services {
		if s.ID == demoEncryptedService {
			form = s.Form
		}
	}
	body, _ := json.Marshal(api.SubmissionRequest{Service: demoEncryptedService, Form: form, Encrypted: sealed})
	h := http.Header{}
	h.Set(api.HeaderIdempotencyKey, "cli-sealed")
	h.Set("Content-Type", api.ContentTypeJSON)
	a := (&client{http: http.DefaultClient}).must(t, http.MethodPost, m.URL()+api.PathSubmissions, h, body, http.StatusCreated)
	var c api.Case
	if err := json.Unmarshal(a.body, &c); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "cases", "show", c.Number, "--data", data)
	if code != 0 || !strings.Contains(out, "--authority-key") || strings.Contains(out, canary) {
		t.Errorf("show without the key: exit %d, %q %q; want the hint and no data", code, out, errs)
	}
	key := filepath.Join(data, demoAuthorityDir, authority.PrivateFile)
	code, out, errs = runCLI(t, "cases", "show", c.Number, "--data", data, "--authority-key", key)
	if code != 0 || !strings.Contains(out, "decrypted with the authority key") || !strings.Contains(out, canary) || !strings.Contains(out, "not signed") {
		t.Errorf("show with the key: exit %d, %q %q; want the data decrypted", code, out, errs)
	}
}
