package oidc_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	zo "github.com/zitadel/oidc/v3/pkg/oidc"

	"rathaus/api"
	"rathaus/server/servertest"
)

func TestDiscoveryAndKeys(t *testing.T) {
	b := servertest.New(t)
	var d zo.DiscoveryConfiguration
	getJSON(t, b.URL+"/.well-known/openid-configuration", &d)
	if d.Issuer != b.URL {
		t.Errorf("issuer = %q; want %q", d.Issuer, b.URL)
	}
	for name, got := range map[string]string{
		"authorization_endpoint": d.AuthorizationEndpoint, "token_endpoint": d.TokenEndpoint,
		"userinfo_endpoint": d.UserinfoEndpoint, "revocation_endpoint": d.RevocationEndpoint,
		"jwks_uri": d.JwksURI, "device_authorization_endpoint": d.DeviceAuthorizationEndpoint,
	} {
		if !strings.HasPrefix(got, b.URL+"/") {
			t.Errorf("%s = %q; want an address of the issuer", name, got)
		}
	}
	if !slices.Contains(d.CodeChallengeMethodsSupported, zo.CodeChallengeMethodS256) {
		t.Errorf("code_challenge_methods_supported = %v; want S256", d.CodeChallengeMethodsSupported)
	}
	for _, g := range []zo.GrantType{zo.GrantTypeCode, zo.GrantTypeRefreshToken, zo.GrantTypeDeviceCode} {
		if !slices.Contains(d.GrantTypesSupported, g) {
			t.Errorf("grant_types_supported = %v; want %s", d.GrantTypesSupported, g)
		}
	}
	var jwks struct {
		Keys []struct{ Kty, Kid, Use, Alg, N, E string }
	}
	getJSON(t, d.JwksURI, &jwks)
	if len(jwks.Keys) != 1 || jwks.Keys[0].Kty != "RSA" || jwks.Keys[0].Kid == "" || jwks.Keys[0].Use != "sig" || jwks.Keys[0].N == "" {
		t.Errorf("JWKS = %+v; want one RSA signing key with a kid", jwks.Keys)
	}
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// TestCodeFlow logs in with the standard client (code + PKCE S256),
// reads userinfo, refreshes (rotation: the old refresh token is refused
// after its use) and revokes.
func TestCodeFlow(t *testing.T) {
	ctx := context.Background()
	b := servertest.New(t)
	anna := b.AddAccount("anna@example.org", "anna-password-1")
	r, tok := tokens(t, b, "Anna@Example.org", "anna-password-1")

	if tok.IDTokenClaims.Subject != anna.ID || tok.IDTokenClaims.Issuer != b.URL {
		t.Errorf("ID token sub, iss = %q, %q; want %q, %q", tok.IDTokenClaims.Subject, tok.IDTokenClaims.Issuer, anna.ID, b.URL)
	}
	if tok.RefreshToken == "" || tok.AccessToken == "" {
		t.Fatalf("tokens = %+v; want an access and a refresh token (offline_access)", tok.Token)
	}

	t.Run("userinfo", func(t *testing.T) {
		ui, err := rp.Userinfo[*zo.UserInfo](ctx, tok.AccessToken, "Bearer", anna.ID, r)
		if err != nil {
			t.Fatal(err)
		}
		if ui.Email != "anna@example.org" {
			t.Errorf("userinfo email = %q; want anna@example.org", ui.Email)
		}
		if roles, _ := ui.Claims["roles"].([]any); len(roles) != 1 || roles[0] != api.RoleCitizen {
			t.Errorf("userinfo roles = %v; want [citizen]", ui.Claims["roles"])
		}
	})

	t.Run("a code works once", func(t *testing.T) {
		verifier := newVerifier()
		code := login(t, b, rp.AuthURL("s", r, rp.WithCodeChallenge(zo.NewSHACodeChallenge(verifier))), "anna@example.org", "anna-password-1")
		if _, err := rp.CodeExchange[*zo.IDTokenClaims](ctx, code, r, rp.WithCodeVerifier(verifier)); err != nil {
			t.Fatal(err)
		}
		if _, err := rp.CodeExchange[*zo.IDTokenClaims](ctx, code, r, rp.WithCodeVerifier(verifier)); err == nil {
			t.Error("the second exchange of a code succeeded; want invalid_grant")
		}
	})

	first := tok.RefreshToken
	fresh, err := rp.RefreshTokens[*zo.IDTokenClaims](ctx, r, first, "", "")
	if err != nil {
		t.Fatalf("RefreshTokens: %v", err)
	}
	t.Run("refresh rotates", func(t *testing.T) {
		if fresh.RefreshToken == "" || fresh.RefreshToken == first {
			t.Fatalf("new refresh token = %q; want a new one", fresh.RefreshToken)
		}
		if _, err := rp.Userinfo[*zo.UserInfo](ctx, tok.AccessToken, "Bearer", anna.ID, r); err == nil {
			t.Error("the access token of the used refresh token still works")
		}
		if _, err := rp.Userinfo[*zo.UserInfo](ctx, fresh.AccessToken, "Bearer", anna.ID, r); err != nil {
			t.Errorf("the new access token: %v", err)
		}
		if _, err := rp.RefreshTokens[*zo.IDTokenClaims](ctx, r, first, "", ""); err == nil {
			t.Error("the used refresh token worked again; want it refused")
		}
	})

	t.Run("a used refresh token used again ends its family", func(t *testing.T) {
		_, tok := tokens(t, b, "anna@example.org", "anna-password-1")
		next, err := rp.RefreshTokens[*zo.IDTokenClaims](ctx, r, tok.RefreshToken, "", "")
		if err != nil {
			t.Fatal(err)
		}
		// A thief replays the old one: refused, and the citizen's new one
		// ends with it.
		if _, err := rp.RefreshTokens[*zo.IDTokenClaims](ctx, r, tok.RefreshToken, "", ""); err == nil {
			t.Fatal("the replayed refresh token worked")
		}
		if _, err := rp.RefreshTokens[*zo.IDTokenClaims](ctx, r, next.RefreshToken, "", ""); err == nil {
			t.Error("the family's live refresh token still works after a replay")
		}
		if _, err := rp.Userinfo[*zo.UserInfo](ctx, next.AccessToken, "Bearer", anna.ID, r); err == nil {
			t.Error("the family's access token still works after a replay")
		}
	})

	t.Run("revocation", func(t *testing.T) {
		_, tok := tokens(t, b, "anna@example.org", "anna-password-1")
		fresh, err := rp.RefreshTokens[*zo.IDTokenClaims](ctx, r, tok.RefreshToken, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := rp.RevokeToken(ctx, r, fresh.RefreshToken, "refresh_token"); err != nil {
			t.Fatalf("RevokeToken: %v", err)
		}
		if _, err := rp.RefreshTokens[*zo.IDTokenClaims](ctx, r, fresh.RefreshToken, "", ""); err == nil {
			t.Error("a revoked refresh token worked")
		}
		if _, err := rp.Userinfo[*zo.UserInfo](ctx, fresh.AccessToken, "Bearer", anna.ID, r); err == nil {
			t.Error("the access token of a revoked refresh token still works")
		}
		// An unknown token is no error (RFC 7009, 2.2).
		if err := rp.RevokeToken(ctx, r, "never-issued", "refresh_token"); err != nil {
			t.Errorf("revoking an unknown token: %v", err)
		}
	})

	t.Run("revoking an access token", func(t *testing.T) {
		_, tok := tokens(t, b, "anna@example.org", "anna-password-1")
		if err := rp.RevokeToken(ctx, r, tok.AccessToken, "access_token"); err != nil {
			t.Fatal(err)
		}
		if _, err := rp.Userinfo[*zo.UserInfo](ctx, tok.AccessToken, "Bearer", anna.ID, r); err == nil {
			t.Error("a revoked access token still works")
		}
	})

	t.Run("a disabled account's tokens stop", func(t *testing.T) {
		_, tok := tokens(t, b, "anna@example.org", "anna-password-1")
		if err := b.DB.SetAccountDisabled(ctx, anna.ID, true); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = b.DB.SetAccountDisabled(ctx, anna.ID, false) }()
		if _, err := rp.RefreshTokens[*zo.IDTokenClaims](ctx, r, tok.RefreshToken, "", ""); err == nil {
			t.Error("a disabled account refreshed its tokens")
		}
		if _, err := rp.Userinfo[*zo.UserInfo](ctx, tok.AccessToken, "Bearer", anna.ID, r); err == nil {
			t.Error("a disabled account's access token still works")
		}
	})
}

// TestRefusals: what the provider must not do.
func TestRefusals(t *testing.T) {
	ctx := context.Background()
	b := servertest.New(t)
	b.AddAccount("anna@example.org", "anna-password-1")
	r := relyingParty(t, b, redirect)

	t.Run("a code exchange without the PKCE verifier", func(t *testing.T) {
		verifier := newVerifier()
		code := login(t, b, rp.AuthURL("s", r, rp.WithCodeChallenge(zo.NewSHACodeChallenge(verifier))), "anna@example.org", "anna-password-1")
		if _, err := rp.CodeExchange[*zo.IDTokenClaims](ctx, code, r); err == nil {
			t.Error("the exchange without code_verifier succeeded")
		}
	})

	t.Run("a code exchange with a wrong verifier", func(t *testing.T) {
		verifier := newVerifier()
		code := login(t, b, rp.AuthURL("s", r, rp.WithCodeChallenge(zo.NewSHACodeChallenge(verifier))), "anna@example.org", "anna-password-1")
		if _, err := rp.CodeExchange[*zo.IDTokenClaims](ctx, code, r, rp.WithCodeVerifier(newVerifier())); err == nil {
			t.Error("the exchange with a wrong code_verifier succeeded")
		}
	})

	authorize := func(q url.Values) *http.Response {
		t.Helper()
		res, err := browser(t, b).Get(b.URL + "/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, res)
		return res
	}
	base := func() url.Values {
		return url.Values{"client_id": {api.OIDCClientID}, "response_type": {"code"}, "scope": {api.OIDCScopes},
			"redirect_uri": {redirect}, "state": {"s"}, "code_challenge": {zo.NewSHACodeChallenge(newVerifier())},
			"code_challenge_method": {"S256"}}
	}

	t.Run("an auth request without PKCE goes back with invalid_request", func(t *testing.T) {
		for _, drop := range [][]string{{"code_challenge", "code_challenge_method"}, {"code_challenge_method"}} {
			q := base()
			for _, k := range drop {
				q.Del(k)
			}
			if drop[0] == "code_challenge_method" {
				q.Set("code_challenge_method", "plain")
			}
			res := authorize(q)
			loc, err := res.Location()
			if err != nil || !strings.HasPrefix(loc.String(), redirect) || loc.Query().Get("error") != "invalid_request" {
				t.Errorf("without S256 (%v): %d %v; want a redirect with error=invalid_request", drop, res.StatusCode, loc)
			}
		}
	})

	for name, uri := range map[string]string{
		"a non-loopback redirect":           "http://evil.example/callback",
		"https to another host":             "https://evil.example/callback",
		"user info before another host":     "http://127.0.0.1:80@evil.example/callback",
		"a host that starts like 127.0.0.1": "http://127.0.0.1.evil.example:80/callback",
		"a custom scheme":                   "rathaus://callback",
	} {
		t.Run(name+" is refused without a redirect", func(t *testing.T) {
			q := base()
			q.Set("redirect_uri", uri)
			res := authorize(q)
			if loc, _ := res.Location(); loc != nil || res.StatusCode < 400 {
				t.Errorf("%s: %d, Location %v; want an error page", uri, res.StatusCode, loc)
			}
		})
	}

	t.Run("an unknown client is refused", func(t *testing.T) {
		q := base()
		q.Set("client_id", "someone-else")
		res := authorize(q)
		if loc, _ := res.Location(); loc != nil || res.StatusCode < 400 {
			t.Errorf("unknown client: %d, Location %v; want an error page", res.StatusCode, loc)
		}
	})

	t.Run("loopback redirects on any port and path", func(t *testing.T) {
		for _, uri := range []string{"http://127.0.0.1:1/", "http://127.0.0.1:65000/x/y?z=1", "http://[::1]:4711/cb"} {
			q := base()
			q.Set("redirect_uri", uri)
			res := authorize(q)
			if loc, _ := res.Location(); res.StatusCode != http.StatusOK && (loc == nil || !strings.HasPrefix(loc.Path, "/login")) {
				t.Errorf("%s: %d %v; want the login page", uri, res.StatusCode, loc)
			}
		}
	})
}
