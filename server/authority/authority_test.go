package authority_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rathaus/api/jwe"
	"rathaus/server/authority"
)

// TestKeyFiles: New writes the private key 0600 beside the public one and
// never overwrites; Load refuses a private key others may read; the
// public file is what the catalog publishes and holds no private part.
func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	k, err := authority.New(dir, jwe.MinBits)
	if err != nil {
		t.Fatal(err)
	}
	priv := filepath.Join(dir, authority.PrivateFile)
	st, err := os.Stat(priv)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("private key file mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
	pub, err := os.ReadFile(filepath.Join(dir, authority.PublicFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jwe.ParsePublicKey(pub); err != nil {
		t.Errorf("the public file is no encryption key: %v", err)
	}
	if _, err := jwe.ParsePublicKey(mustRead(t, priv)); err == nil {
		t.Error("the private key file passes as a public encryption key")
	}
	if _, err := authority.New(dir, jwe.MinBits); err == nil || !strings.Contains(err.Error(), "never overwritten") {
		t.Errorf("New over an existing key: %v, want a refusal", err)
	}
	again, err := authority.Load(priv)
	if err != nil || again.KeyID() != k.KeyID() {
		t.Fatalf("Load = %v, kid %q; want kid %q", err, again.KeyID(), k.KeyID())
	}
	if err := os.Chmod(priv, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := authority.Load(priv); err == nil {
		t.Error("a private key readable by others was loaded")
	}
}

// TestDecrypt: what the app encrypts to the public key opens with the
// private one; a JWE to another key, or altered, does not.
func TestDecrypt(t *testing.T) {
	k, err := authority.Generate(jwe.MinBits)
	if err != nil {
		t.Fatal(err)
	}
	other, err := authority.Generate(jwe.MinBits)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := jwe.ParsePublicKey(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte(`{"name":"Erika Mustermann"}`)
	c, err := jwe.Encrypt(pub, plain)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c, "Erika") {
		t.Fatal("the JWE holds the plaintext")
	}
	got, err := k.Decrypt(c)
	if err != nil || string(got) != string(plain) {
		t.Fatalf("Decrypt = %q, %v; want %q", got, err, plain)
	}
	parts := strings.Split(c, ".")
	parts[3] = strings.Repeat("A", len(parts[3]))
	tests := []struct {
		name string
		key  *authority.Key
		jwe  string
	}{
		{"another authority's key", other, c},
		{"altered ciphertext", k, strings.Join(parts, ".")},
		{"not a JWE", k, "a.b.c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.key.Decrypt(tt.jwe); !errors.Is(err, jwe.ErrEnvelope) {
				t.Errorf("Decrypt = %v, want ErrEnvelope", err)
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
