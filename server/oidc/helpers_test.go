package oidc_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	zo "github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/oauth2"

	"rathaus/api"
	"rathaus/server/servertest"
)

// redirect is the app's loopback redirect in these tests; nothing listens
// there: the browser stops at it, as the app's listener would take it.
const redirect = "http://127.0.0.1:53682/callback"

// relyingParty is zitadel's standard OIDC client for the app's client id,
// set up by discovery.
func relyingParty(t *testing.T, b *servertest.Backend, redirectURI string) rp.RelyingParty {
	t.Helper()
	r, err := rp.NewRelyingPartyOIDC(context.Background(), b.URL, api.OIDCClientID, "", redirectURI,
		strings.Fields(api.OIDCScopes), rp.WithAuthStyle(oauth2.AuthStyleInParams))
	if err != nil {
		t.Fatalf("NewRelyingPartyOIDC: %v", err)
	}
	return r
}

// browser is a user agent with a cookie jar that stops at any redirect
// leaving the backend (to the app's loopback listener).
func browser(t *testing.T, b *servertest.Backend) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(b.URL)
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Host != base.Host {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

func newVerifier() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

var (
	hiddenRe = regexp.MustCompile(`name="([a-zA-Z_]+)" value="([^"]*)"`)
)

// hidden reads the hidden and prefilled fields of a page's form.
func hidden(page string) url.Values {
	v := url.Values{}
	for _, m := range hiddenRe.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// openLogin follows the auth URL to the login page and returns its body.
func openLogin(t *testing.T, c *http.Client, authURL string) string {
	t.Helper()
	res, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Request.URL.Path, "/login") {
		t.Fatalf("auth URL led to %s %d: %s", res.Request.URL, res.StatusCode, body)
	}
	return body
}

// submitLogin posts the login form and returns the response (a redirect
// to the app on success).
func submitLogin(t *testing.T, c *http.Client, b *servertest.Backend, page, email, password string) *http.Response {
	t.Helper()
	form := hidden(page)
	form.Set("email", email)
	form.Set("password", password)
	res, err := c.PostForm(b.URL+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// login runs the browser part of the code flow and returns the code the
// app's redirect receives.
func login(t *testing.T, b *servertest.Backend, authURL, email, password string) string {
	t.Helper()
	c := browser(t, b)
	res := submitLogin(t, c, b, openLogin(t, c, authURL), email, password)
	body := readAll(t, res)
	loc, err := res.Location()
	if err != nil {
		t.Fatalf("login answered %d without a redirect: %s", res.StatusCode, body)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != strings.SplitN(authRedirect(authURL), "?", 2)[0] {
		t.Fatalf("login redirected to %s; want the app's redirect", loc)
	}
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("the redirect %s carries no code", loc)
	}
	return code
}

func authRedirect(authURL string) string {
	u, _ := url.Parse(authURL)
	return u.Query().Get("redirect_uri")
}

// tokens logs in with code and PKCE through the standard client and
// returns the tokens.
func tokens(t *testing.T, b *servertest.Backend, email, password string) (rp.RelyingParty, *zo.Tokens[*zo.IDTokenClaims]) {
	t.Helper()
	r := relyingParty(t, b, redirect)
	verifier := newVerifier()
	authURL := rp.AuthURL("state-1", r, rp.WithCodeChallenge(zo.NewSHACodeChallenge(verifier)))
	code := login(t, b, authURL, email, password)
	tok, err := rp.CodeExchange[*zo.IDTokenClaims](context.Background(), code, r, rp.WithCodeVerifier(verifier))
	if err != nil {
		t.Fatalf("CodeExchange: %v", err)
	}
	return r, tok
}
