package oidc_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	zo "github.com/zitadel/oidc/v3/pkg/oidc"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/servertest"
)

// TestNoSecretsInLogs: after logins (right and wrong), a refresh, a
// revocation and a device login, neither the server's log nor the
// library's (slog's default) holds a password, code or token.
func TestNoSecretsInLogs(t *testing.T) {
	ctx := context.Background()
	logs := servertest.CaptureLog(t)
	b := servertest.New(t, servertest.WithConfig(func(c *server.Config) {
		c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}))
	b.AddAccount("anna@example.org", "anna-password-1")

	r := relyingParty(t, b, redirect)
	verifier := newVerifier()
	code := login(t, b, rp.AuthURL("state-x", r, rp.WithCodeChallenge(zo.NewSHACodeChallenge(verifier))), "anna@example.org", "anna-password-1")
	tok, err := rp.CodeExchange[*zo.IDTokenClaims](ctx, code, r, rp.WithCodeVerifier(verifier))
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := rp.RefreshTokens[*zo.IDTokenClaims](ctx, r, tok.RefreshToken, "", "")
	if err != nil {
		t.Fatal(err)
	}
	_ = rp.RevokeToken(ctx, r, fresh.RefreshToken, "refresh_token")
	c := browser(t, b)
	readAll(t, submitLogin(t, c, b, openLogin(t, c, authURL(t, b)), "anna@example.org", "a-wrong-password-9"))
	d, err := rp.DeviceAuthorization(ctx, strings.Fields(api.OIDCScopes), r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.ConfirmDevice(d.VerificationURIComplete, "", "anna@example.org", "anna-password-1", true); err != nil {
		t.Fatal(err)
	}
	pollOnce(t, b, d.DeviceCode)

	got := logs.String()
	if got == "" {
		t.Fatal("nothing was logged; the test would prove nothing")
	}
	for name, secret := range map[string]string{
		"password": "anna-password-1", "wrong password": "a-wrong-password-9", "code": code, "verifier": verifier,
		"access token": tok.AccessToken, "refresh token": tok.RefreshToken, "ID token": tok.IDToken,
		"new refresh token": fresh.RefreshToken, "device code": d.DeviceCode, "user code": d.UserCode,
	} {
		if strings.Contains(got, secret) {
			t.Errorf("the log holds the %s", name)
		}
	}
}
