package login_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"rathaus/app/secrets"
	"rathaus/server/servertest"
	"rathaus/sync/login"
	"rathaus/sync/login/logintest"
)

// jwtLike is what a JWT (or any JOSE object) starts with: base64url of
// `{"`, a header, and a dot.
var jwtLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.`)

// scan returns where in the data folder (the database, its WAL and every
// other file) and the logs a token or anything JWT-like appears.
func scan(t *testing.T, dir, logs string, tokens []string) []string {
	t.Helper()
	var hits []string
	look := func(where string, b []byte) {
		for _, tok := range tokens {
			if tok != "" && bytes.Contains(b, []byte(tok)) {
				hits = append(hits, where+": a token")
			}
		}
		if m := jwtLike.Find(b); m != nil {
			hits = append(hits, where+": JWT-like "+string(m))
		}
	}
	for name, b := range servertest.Files(t, dir) {
		look(name, b)
	}
	look("logs", []byte(logs))
	return hits
}

func tokenStrings(rec map[string]any) []string {
	var out []string
	for _, k := range []string{"access_token", "refresh_token", "id_token"} {
		if s, _ := rec[k].(string); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// TestS2_TokensOnlyInTheSecretStore (issue 11, S2): after a login, a
// refresh and a logout, no token and nothing JWT-like is in the app's
// SQLite file, its WAL, the data folder or the logs; while logged in the
// tokens are in the real OS keyring (scripts/with-keyring.sh), after the
// logout they are gone from it.
func TestS2_TokensOnlyInTheSecretStore(t *testing.T) {
	logs := servertest.CaptureLog(t)
	dir := t.TempDir()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	keys, err := secrets.Open(dir, "rathaus-s2-"+hex.EncodeToString(b))
	if err != nil {
		t.Fatal(err)
	}
	if keys.Backend() != secrets.SystemKeyring {
		if os.Getenv("RATHAUS_REQUIRE_KEYRING") == "1" {
			t.Fatalf("no OS keyring although RATHAUS_REQUIRE_KEYRING=1: %v", keys.Reason())
		}
		t.Skipf("no OS keyring here (run under scripts/with-keyring.sh): %v", keys.Reason())
	}
	p := logintest.New(t)
	ctx := ctxT(t)
	dev := newDevice(t, p, keys, dir, login.Config{})
	if _, err := dev.login.Login(ctx); err != nil {
		t.Fatal(err)
	}
	first := dev.tokens(t)
	if first == nil {
		t.Fatal("no tokens in the OS keyring after the login")
	}
	dev.expire(t)
	if _, err := dev.login.Token(ctx); err != nil {
		t.Fatal(err)
	}
	second := dev.tokens(t)
	tokens := append(tokenStrings(first), tokenStrings(second)...)
	if len(tokens) < 5 {
		t.Fatalf("tokens kept = %d, want access, refresh and ID token, twice", len(tokens))
	}
	if hits := scan(t, dir, logs.String(), tokens); len(hits) > 0 {
		t.Errorf("signed in, tokens outside the secret store:\n%s", strings.Join(hits, "\n"))
	}
	if err := dev.login.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Get(login.KeyTokens); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("OS keyring after logout: %v, want ErrNotFound", err)
	}
	dev.store.Close()
	if hits := scan(t, dir, logs.String(), tokens); len(hits) > 0 {
		t.Errorf("after logout, tokens outside the secret store:\n%s", strings.Join(hits, "\n"))
	}
	if !strings.Contains(logs.String(), "/oauth/token") {
		t.Error("the logs captured nothing of the login: the scan of them proves nothing")
	}
}

// TestScan_FindsWhatItLooksFor: the S2 scan finds a token in a file and a
// JWT in the logs, so that its 0 hits above mean something.
func TestScan_FindsWhatItLooksFor(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rathaus.db-wal"), []byte("xx opaque-token-123 yy"), 0o600); err != nil {
		t.Fatal(err)
	}
	hits := scan(t, dir, "level=INFO id_token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig", []string{"opaque-token-123"})
	if len(hits) != 2 {
		t.Errorf("hits = %q, want the token in the WAL and the JWT in the logs", hits)
	}
}
