package oidc_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	zo "github.com/zitadel/oidc/v3/pkg/oidc"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/servertest"
)

// pollOnce asks the token endpoint for the device's tokens once, as a
// kiosk polls, and returns the OAuth error ("" on success).
func pollOnce(t *testing.T, b *servertest.Backend, deviceCode string) string {
	t.Helper()
	res, err := http.PostForm(b.URL+"/oauth/token", url.Values{
		"grant_type": {string(zo.GrantTypeDeviceCode)}, "device_code": {deviceCode}, "client_id": {api.OIDCClientID}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Error       string `json:"error"`
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.Error == "" && body.AccessToken == "" {
		t.Fatalf("poll: %d without error or token", res.StatusCode)
	}
	return body.Error
}

// confirmDevice plays the citizen at the verification page: the user code,
// the account's email and password, then allow or deny.
func confirmDevice(t *testing.T, b *servertest.Backend, verificationURI, email, password, action string) int {
	t.Helper()
	c := browser(t, b)
	res, err := c.Get(verificationURI)
	if err != nil {
		t.Fatal(err)
	}
	form := hidden(readAll(t, res))
	if form.Get("user_code") == "" {
		t.Fatalf("the verification page %s has no user code filled in", verificationURI)
	}
	form.Set("email", email)
	form.Set("password", password)
	res, err = c.PostForm(b.URL+"/device", form)
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, res)
	if res.StatusCode != http.StatusOK {
		return res.StatusCode
	}
	confirm := hidden(page)
	confirm.Set("action", action)
	res, err = c.PostForm(b.URL+"/device/confirm", confirm)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, res)
	return res.StatusCode
}

// TestDeviceGrant: a kiosk logs in with the device authorization grant
// (RFC 8628) through the standard client, a staff member confirming on
// another device.
func TestDeviceGrant(t *testing.T) {
	ctx := context.Background()
	b := servertest.New(t)
	clerk := b.AddAccount("clerk@example.org", "clerk-password-1", api.RoleStaff)
	r := relyingParty(t, b, redirect)

	start := func(t *testing.T) *zo.DeviceAuthorizationResponse {
		t.Helper()
		d, err := rp.DeviceAuthorization(ctx, strings.Fields(api.OIDCScopes), r, nil)
		if err != nil {
			t.Fatalf("DeviceAuthorization: %v", err)
		}
		if d.UserCode == "" || d.DeviceCode == "" || !strings.HasPrefix(d.VerificationURI, b.URL+"/device") ||
			!strings.Contains(d.VerificationURIComplete, url.QueryEscape(d.UserCode)) {
			t.Fatalf("device authorization = %+v", d)
		}
		return d
	}

	t.Run("pending, slow_down, then the tokens once", func(t *testing.T) {
		d := start(t)
		if got := pollOnce(t, b, d.DeviceCode); got != "authorization_pending" {
			t.Errorf("first poll = %q; want authorization_pending", got)
		}
		if got := pollOnce(t, b, d.DeviceCode); got != "slow_down" {
			t.Errorf("a poll at once after = %q; want slow_down", got)
		}
		if got := confirmDevice(t, b, d.VerificationURIComplete, "clerk@example.org", "clerk-password-1", "allow"); got != http.StatusOK {
			t.Fatalf("confirming the device: %d", got)
		}
		time.Sleep(servertest.DevicePollInterval)
		tok, err := rp.DeviceAccessToken(ctx, d.DeviceCode, servertest.DevicePollInterval+50*time.Millisecond, r)
		if err != nil {
			t.Fatalf("DeviceAccessToken: %v", err)
		}
		ui, err := rp.Userinfo[*zo.UserInfo](ctx, tok.AccessToken, "Bearer", clerk.ID, r)
		if err != nil || ui.Subject != clerk.ID {
			t.Errorf("userinfo of the device's token = %+v, %v; want the clerk", ui, err)
		}
		if tok.RefreshToken == "" {
			t.Error("no refresh token for offline_access")
		}
		time.Sleep(servertest.DevicePollInterval)
		if got := pollOnce(t, b, d.DeviceCode); got != "access_denied" {
			t.Errorf("a poll after the tokens were issued = %q; want access_denied", got)
		}
	})

	for _, tt := range []struct {
		name, password, action string
		wantStatus             int
		wantPoll               string
	}{
		{"denied", "clerk-password-1", "deny", http.StatusOK, "access_denied"},
		{"a wrong password confirms nothing", "wrong-password", "allow", http.StatusUnauthorized, "authorization_pending"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := start(t)
			if got := confirmDevice(t, b, d.VerificationURIComplete, "clerk@example.org", tt.password, tt.action); got != tt.wantStatus {
				t.Fatalf("%s at the verification page: %d; want %d", tt.action, got, tt.wantStatus)
			}
			if got := pollOnce(t, b, d.DeviceCode); got != tt.wantPoll {
				t.Errorf("poll = %q; want %s", got, tt.wantPoll)
			}
		})
	}

	t.Run("an unknown user code", func(t *testing.T) {
		if got := confirmDevice(t, b, b.URL+"/device?user_code=BCDF-GHJK", "clerk@example.org", "clerk-password-1", "allow"); got != http.StatusNotFound {
			t.Errorf("unknown code: %d; want 404", got)
		}
	})
}

func TestDeviceGrantExpires(t *testing.T) {
	b := servertest.New(t, servertest.WithConfig(func(c *server.Config) { c.OIDC.DeviceLifetime = time.Second }))
	r := relyingParty(t, b, redirect)
	d, err := rp.DeviceAuthorization(context.Background(), strings.Fields(api.OIDCScopes), r, nil)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	if got := pollOnce(t, b, d.DeviceCode); got != "expired_token" {
		t.Errorf("poll after the lifetime = %q; want expired_token", got)
	}
}
