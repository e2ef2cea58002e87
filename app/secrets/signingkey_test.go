package secrets_test

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"testing"

	"rathaus/app/secrets"
)

// TestSigningKey_SurvivesRestart: the key is made once, comes back the same
// from a reopened key file, is kept only as its seed in the secret store,
// and a second install id gets a key of its own.
func TestSigningKey_SurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	open := func() *secrets.Keychain {
		t.Helper()
		k, err := secrets.Open(dir, "rathaus-test", secrets.WithKeyring(secrets.NoKeyring))
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	first, err := secrets.SigningKey(open(), "install-1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := secrets.SigningKey(open(), "install-1")
	if err != nil {
		t.Fatal(err)
	}
	if !first.Equal(again) {
		t.Error("the signing key changed across a restart")
	}
	other, err := secrets.SigningKey(open(), "install-2")
	if err != nil {
		t.Fatal(err)
	}
	if first.Equal(other) {
		t.Error("two installs share a signing key")
	}
	msg := []byte("m")
	if !ed25519.Verify(first.Public().(ed25519.PublicKey), msg, ed25519.Sign(again, msg)) {
		t.Error("the reopened key does not sign for the first key's public part")
	}
	// The secret store is the key file here; its folder holds nothing else
	// with the seed (the database is not in it at all).
	file, err := os.ReadFile(filepath.Join(dir, secrets.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(file, first.Public().(ed25519.PublicKey)) {
		t.Error("the key file holds the raw public key: only the seed is kept, base64")
	}
}

// TestSigningKey_Damaged: a seed that is not 32 bytes is reported, never
// replaced by a new key (the backend knows the device by the old one).
func TestSigningKey_Damaged(t *testing.T) {
	k := secrets.OpenMemory("rathaus-test")
	if err := k.Set("signkey-x", "c2hvcnQ="); err != nil {
		t.Fatal(err)
	}
	if _, err := secrets.SigningKey(k, "x"); err == nil {
		t.Fatal("a damaged seed gave a key")
	}
	if v, _ := k.Get("signkey-x"); v != "c2hvcnQ=" {
		t.Errorf("the damaged seed was replaced by %q", v)
	}
}
