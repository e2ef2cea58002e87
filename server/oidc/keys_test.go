package oidc_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"rathaus/server"
	"rathaus/server/oidc"
	"rathaus/server/servertest"
)

func TestLoadKeys(t *testing.T) {
	dir := t.TempDir()
	first, err := oidc.LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{oidc.SigningKeyFile, oidc.TokenKeyFile} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v; want 0600", f, st.Mode().Perm())
		}
	}
	again, err := oidc.LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Signing.Equal(again.Signing) || first.Token != again.Token {
		t.Error("the keys read back differ from the keys written")
	}
	if err := os.WriteFile(filepath.Join(dir, oidc.TokenKeyFile), []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := oidc.LoadKeys(dir); err == nil {
		t.Error("a broken token key was accepted; want an error, never a silent new key")
	}
}

// TestTokensOutliveRestart: a provider started again on the same store and
// keys (a restart, or a second process) accepts the tokens of the first.
func TestTokensOutliveRestart(t *testing.T) {
	keys, err := oidc.NewKeys()
	if err != nil {
		t.Fatal(err)
	}
	b := servertest.New(t, servertest.WithConfig(func(c *server.Config) { c.OIDC.Keys = keys }))
	anna := b.AddAccount("anna@example.org", "anna-password-1")
	_, tok := tokens(t, b, "anna@example.org", "anna-password-1")

	restarted, err := oidc.New(oidc.Config{Issuer: b.URL, Store: b.DB, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := restarted.Verify(context.Background(), tok.AccessToken)
	if err != nil || acc.ID != anna.ID {
		t.Errorf("Verify after restart = %+v, %v; want Anna", acc, err)
	}
	other, _ := oidc.NewKeys()
	stranger, err := oidc.New(oidc.Config{Issuer: b.URL, Store: b.DB, Keys: other})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stranger.Verify(context.Background(), tok.AccessToken); err == nil {
		t.Error("a provider with other keys accepted the token")
	}
}
