package oidc_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	zo "github.com/zitadel/oidc/v3/pkg/oidc"

	"rathaus/server"
	"rathaus/server/servertest"
)

func authURL(t *testing.T, b *servertest.Backend) string {
	t.Helper()
	return rp.AuthURL("s", relyingParty(t, b, redirect), rp.WithCodeChallenge(zo.NewSHACodeChallenge(newVerifier())))
}

func TestLoginPage(t *testing.T) {
	b := servertest.New(t)
	b.AddAccount("anna@example.org", "anna-password-1")

	t.Run("German by default, English when the browser asks", func(t *testing.T) {
		for lang, want := range map[string]string{"": "Anmelden", "de-DE,de;q=0.9": "Anmelden", "en-GB,en;q=0.8": "Sign in", "fr": "Anmelden"} {
			req, _ := http.NewRequest("GET", authURL(t, b), nil)
			if lang != "" {
				req.Header.Set("Accept-Language", lang)
			}
			res, err := browser(t, b).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			page := readAll(t, res)
			if !strings.Contains(page, ">"+want+"</button>") {
				t.Errorf("Accept-Language %q: the button is not %q", lang, want)
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("CSP = %q; want framing refused", csp)
			}
			if strings.Contains(page, "<script") {
				t.Error("the login page has a script")
			}
		}
	})

	t.Run("a form without its CSRF token is refused", func(t *testing.T) {
		c := browser(t, b)
		page := openLogin(t, c, authURL(t, b))
		form := hidden(page)
		form.Set("csrf", "forged-forged-forged-forged-forged-forged")
		form.Set("email", "anna@example.org")
		form.Set("password", "anna-password-1")
		res, err := c.PostForm(b.URL+"/login", form)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, res)
		if loc, _ := res.Location(); res.StatusCode != http.StatusForbidden || loc != nil {
			t.Errorf("forged CSRF token: %d, Location %v; want 403 and no redirect", res.StatusCode, loc)
		}
		// Another site's form: no cookie at all.
		res, err = http.PostForm(b.URL+"/login", form)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, res)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("a POST without the cookie: %d; want 403", res.StatusCode)
		}
	})

	t.Run("a wrong password says so and keeps the email", func(t *testing.T) {
		c := browser(t, b)
		res := submitLogin(t, c, b, openLogin(t, c, authURL(t, b)), "anna@example.org", "wrong-password")
		page := readAll(t, res)
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "Passwort stimmen nicht") || !strings.Contains(page, `value="anna@example.org"`) {
			t.Errorf("wrong password: %d %s", res.StatusCode, page)
		}
	})

	t.Run("end_session without a redirect ends on a page of its own", func(t *testing.T) {
		res, err := http.Get(b.URL + "/end_session?client_id=rathaus-app")
		if err != nil {
			t.Fatal(err)
		}
		if page := readAll(t, res); res.StatusCode != http.StatusOK || res.Request.URL.Path != "/logged-out" || !strings.Contains(page, "abgemeldet") {
			t.Errorf("end_session: %d at %s", res.StatusCode, res.Request.URL)
		}
	})

	t.Run("an unknown or expired auth request", func(t *testing.T) {
		res, err := http.Get(b.URL + "/login?authRequestID=nothing")
		if err != nil {
			t.Fatal(err)
		}
		if page := readAll(t, res); res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "abgelaufen") {
			t.Errorf("unknown auth request: %d %s", res.StatusCode, page)
		}
	})
}

// TestLoginLimits: failed attempts lock the account, and an address that
// tries many accounts, for the window; the page answers 429.
func TestLoginLimits(t *testing.T) {
	b := servertest.New(t, servertest.WithConfig(func(c *server.Config) {
		c.OIDC.AccountAttempts, c.OIDC.AddressAttempts = 3, 6
	}))
	b.AddAccount("anna@example.org", "anna-password-1")
	b.AddAccount("bert@example.org", "bert-password-1")
	try := func(email, password string) *http.Response {
		c := browser(t, b)
		res := submitLogin(t, c, b, openLogin(t, c, authURL(t, b)), email, password)
		readAll(t, res)
		return res
	}
	for i := range 3 {
		if res := try("anna@example.org", "wrong-password"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d; want 401", i+1, res.StatusCode)
		}
	}
	res := try("anna@example.org", "anna-password-1")
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("the right password after 3 failures: %d, Retry-After %q; want 429 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
	// Another account still works from here (3 of 6 failures so far).
	if loc, _ := try("bert@example.org", "bert-password-1").Location(); loc == nil || loc.Query().Get("code") == "" {
		t.Errorf("another account: redirected to %v; want the app's redirect with a code", loc)
	}
	for i := range 3 {
		try("nobody"+string(rune('a'+i))+"@example.org", "x-wrong-password")
	}
	if res := try("bert@example.org", "bert-password-1"); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("after 6 failures from one address: %d; want 429", res.StatusCode)
	}
}

func TestLoginStartsLimited(t *testing.T) {
	b := servertest.New(t, servertest.WithConfig(func(c *server.Config) { c.LoginStartsPerHour = 2 }))
	for i, want := range []int{http.StatusOK, http.StatusOK, http.StatusTooManyRequests} {
		res, err := browser(t, b).Get(authURL(t, b))
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, res)
		if res.StatusCode != want {
			t.Errorf("login %d begun: %d; want %d", i+1, res.StatusCode, want)
		}
	}
}
