package login_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/server/servertest"
	"rathaus/sync/login"
	"rathaus/sync/login/logintest"
)

// tokenTap records the access tokens the provider hands out, so that a
// test can ask whether they still work after the staff sign-in.
type tokenTap struct {
	mu     sync.Mutex
	access []string
}

func (tt *tokenTap) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, "/oauth/token") || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var t struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(body, &t) == nil && t.AccessToken != "" {
		tt.mu.Lock()
		tt.access = append(tt.access, t.AccessToken)
		tt.mu.Unlock()
	}
	return resp, nil
}

func (tt *tokenTap) tokens() []string {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	return append([]string(nil), tt.access...)
}

// TestStaffDevice: a kiosk's staff sign-in by code, against the backend's
// provider. The kiosk is a registered device; whoever confirms the code,
// it stays in no account, and the secret store holds no token. A staff
// account gets through (and its tokens are revoked at once); a citizen's
// is refused with EFORBIDDEN; a denied code with EAUTH.
func TestStaffDevice(t *testing.T) {
	p := logintest.New(t)
	clerk := p.AddAccount("clerk@example.org", "clerk-password-1", api.RoleStaff)
	for _, tc := range []struct {
		name, user, password string
		allow                bool
		wantCode             string
	}{
		{name: "staff", user: clerk.Email, password: "clerk-password-1", allow: true},
		{name: "citizen", user: p.UserName(), password: logintest.Password, allow: true, wantCode: citizen.EFORBIDDEN},
		{name: "denied", user: clerk.Email, password: "clerk-password-1", allow: false, wantCode: citizen.EAUTH},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := ctxT(t)
			tap := &tokenTap{}
			var grant *login.DeviceGrant
			confirmed := false
			dev := newDevice(t, p, nil, "", login.Config{HTTPClient: &http.Client{Transport: tap, Timeout: 30 * time.Second},
				Sleep: func(ctx context.Context, d time.Duration) error {
					if !confirmed {
						confirmed = true
						err := p.ConfirmDevice(grant.VerificationURI, grant.UserCode, tc.user, tc.password, tc.allow)
						if err != nil && tc.allow {
							t.Errorf("ConfirmDevice: %v", err)
						}
					}
					time.Sleep(servertest.DevicePollInterval + 100*time.Millisecond)
					return nil
				}})
			if err := dev.engine.EnsureDevice(ctx); err != nil {
				t.Fatal(err)
			}
			var err error
			grant, err = dev.login.StartStaffDevice(ctx)
			if err != nil {
				t.Fatalf("StartStaffDevice: %v", err)
			}
			a, err := grant.Wait(ctx)
			if got := citizen.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("Wait = %+v, %v; want code %q", a, err, tc.wantCode)
			}
			if err == nil && (a.Subject != clerk.ID || a.Linked) {
				t.Errorf("Wait = %+v; want the clerk, not linked", a)
			}
			if got := p.Account(t, dev.portal.Token()); got != "" {
				t.Errorf("kiosk in account %q; want none", got)
			}
			if tok := dev.tokens(t); tok != nil {
				t.Errorf("secret store holds %v", tok)
			}
			if _, ok, err := dev.login.Account(); ok || err != nil {
				t.Errorf("Account: ok %v, %v; want nobody logged in", ok, err)
			}
			if tc.allow && len(tap.tokens()) == 0 {
				t.Error("no token seen at the token endpoint")
			}
			for _, access := range tap.tokens() {
				if _, err := p.Userinfo(ctx, access); !errors.Is(err, logintest.ErrRefused) {
					t.Errorf("userinfo with the sign-in's access token: %v; want it revoked", err)
				}
			}
		})
	}
}
