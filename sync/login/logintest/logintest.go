// Package logintest runs, for tests, the reference backend
// (server/servertest) with its own OpenID provider (server/oidc; issuer =
// the backend's base URL) and account link endpoints, on loopback, with
// one citizen's account, a system browser that logs in as them, and a
// few faults to inject.
package logintest

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server/accounts"
	"rathaus/server/servertest"
)

// Password is the test citizen's password.
const Password = "correct horse battery staple"

// Citizen is the account a test logs in with.
type Citizen struct{ Subject, Name, Email string }

// Provider is the backend with its provider.
type Provider struct {
	*servertest.Backend
	// Citizen is the test citizen's account as the provider has it.
	Citizen Citizen

	mu       sync.Mutex
	polls    int
	failLink int // links still to answer 503
	lastPage string
}

// New starts the backend with the provider and the citizen's account;
// it stops when the test ends.
func New(tb testing.TB, opts ...servertest.Option) *Provider {
	tb.Helper()
	b := servertest.New(tb, opts...)
	a := accounts.Account{ID: accounts.NewID(), Email: "erika@example.org", Name: "Erika Mustermann",
		Roles: []string{api.RoleCitizen}, PasswordHash: accounts.HashPassword(Password), Created: time.Now().UTC().Truncate(time.Second)}
	if err := b.DB.CreateAccount(context.Background(), a); err != nil {
		tb.Fatalf("logintest: %v", err)
	}
	p := &Provider{Backend: b, Citizen: Citizen{Subject: a.ID, Name: a.Name, Email: a.Email}}
	b.SetHandler(http.HandlerFunc(p.serve))
	return p
}

// UserName is what the citizen types as their login.
func (p *Provider) UserName() string { return p.Citizen.Email }

func (p *Provider) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == api.PathAccountLink && p.takeFailLink():
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	case r.URL.Path == "/oauth/token" && r.ParseForm() == nil && r.PostForm.Get("grant_type") == "urn:ietf:params:oauth:grant-type:device_code":
		p.mu.Lock()
		p.polls++
		p.mu.Unlock()
	}
	p.Handler().ServeHTTP(w, r)
}

// DevicePolls is the number of device token polls seen.
func (p *Provider) DevicePolls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.polls
}

// FailLinks makes the next n device links answer 503, as a backend that
// is briefly down.
func (p *Provider) FailLinks(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failLink = n
}

func (p *Provider) takeFailLink() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failLink > 0 {
		p.failLink--
		return true
	}
	return false
}

// Account is the account a device belongs to at the backend ("" for none).
func (p *Provider) Account(tb testing.TB, deviceToken string) string {
	tb.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(deviceToken)
	if err != nil {
		tb.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	d, err := p.DB.DeviceByToken(context.Background(), sum[:])
	if err != nil {
		tb.Fatal(err)
	}
	return d.Account
}

// ErrRefused is Userinfo's answer to a token the provider refuses.
var ErrRefused = errors.New("logintest: the provider refused the token")

// Userinfo asks the provider's userinfo endpoint with an access token: it
// answers only while the token is valid (not revoked, not expired).
func (p *Provider) Userinfo(ctx context.Context, accessToken string) (map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/userinfo", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s", ErrRefused, resp.Status)
	}
	var info map[string]any
	return info, json.NewDecoder(resp.Body).Decode(&info)
}

// Browser plays the system browser of a citizen who signs in on the
// provider's login page (servertest's Browse) and is sent back to the
// app's loopback listener. It is the only stand-in of the login tests.
func (p *Provider) Browser(user, password string) func(*url.URL) error {
	return func(u *url.URL) error {
		back, err := p.Browse(u.String(), user, password)
		if err != nil {
			return err
		}
		resp, err := http.Get(back)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		p.mu.Lock()
		p.lastPage = string(body)
		p.mu.Unlock()
		return nil
	}
}

// ApproveDevice enters a device grant's user code on the provider's
// device page, signs in and allows it, as staff do on their phone.
func (p *Provider) ApproveDevice(userCode, user, password string) error {
	return p.ConfirmDevice(p.URL+"/device", userCode, user, password, true)
}

// LastPage is the page the app's loopback listener showed the browser.
func (p *Provider) LastPage() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastPage
}
