// Package logintest runs, for tests, the reference backend
// (server/servertest) with an OpenID provider on the same origin (issuer =
// the backend's base URL) and the account link endpoints, on loopback.
//
// Until the backend's own provider (server/oidc, branch idp) is on main,
// the provider is zitadel's example OP from the module
// (github.com/zitadel/oidc/v3/example/server/exampleop and its in-memory
// storage), with the public client api.OIDCClientID registered as the
// backend registers it: PKCE, loopback redirects on any port, the device
// grant. The link endpoints (api.PathAccountLink, api.PathAccountUnlink)
// are a small stand-in here, as the backend has none yet: link checks the
// device credential against the real store and the access token at the
// provider's userinfo, then links with the real store's LinkDevices;
// unlink records the device. Replace both once idp lands.
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
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"golang.org/x/text/language"

	"rathaus/api"
	"rathaus/server/servertest"
)

// Password is the test accounts' password.
const Password = "verysecure"

// Citizen is the account a test logs in with: its subject, user name,
// name and e-mail as the provider has them.
var Citizen = struct{ Subject, Name, Email string }{"erika", "Erika Mustermann", "erika@example.org"}

// Provider is the backend with its provider.
type Provider struct {
	*servertest.Backend
	Storage *storage.Storage

	op http.Handler

	mu       sync.Mutex
	unlinked []string
	polls    int
	slowDown int // device token polls still to answer with slow_down
	lastPage string
	failLink int // links still to answer 503
}

// New starts the backend with the provider; both stop when the test ends.
func New(tb testing.TB, opts ...servertest.Option) *Provider {
	tb.Helper()
	b := servertest.New(tb, opts...)
	client := storage.NativeClient(api.OIDCClientID, "http://127.0.0.1/callback")
	st := storage.NewStorageWithClients(users{}, map[string]*storage.Client{api.OIDCClientID: client})
	p := &Provider{Backend: b, Storage: st}
	p.op = exampleop.SetupServer(b.URL, appClient{st}, nil, false)
	b.SetHandler(http.HandlerFunc(p.serve))
	return p
}

// UserName is the test citizen's login name.
func (p *Provider) UserName() string { return Citizen.Subject }

// users holds the one test citizen. Its id is its login name: the
// example's device page completes a grant with the login name as the
// subject.
type users struct{}

var erika = &storage.User{ID: Citizen.Subject, Username: Citizen.Subject, Password: Password,
	FirstName: "Erika", LastName: "Mustermann", Email: Citizen.Email, EmailVerified: true,
	PreferredLanguage: language.German}

func (users) GetUserByID(id string) *storage.User {
	if id == erika.ID {
		return erika
	}
	return nil
}

func (users) GetUserByUsername(name string) *storage.User {
	if name == erika.Username {
		return erika
	}
	return nil
}

func (users) ExampleClientID() string { return storage.ServiceUserID }

func (p *Provider) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == api.PathAccountLink:
		p.link(w, r)
	case r.URL.Path == api.PathAccountUnlink:
		p.unlink(w, r)
	case strings.HasPrefix(r.URL.Path, "/v1/") || strings.HasPrefix(r.URL.Path, "/open311/") ||
		strings.HasPrefix(r.URL.Path, "/staff/") || r.URL.Path == api.PathHealth:
		p.Handler().ServeHTTP(w, r)
	case r.URL.Path == "/oauth/token" && p.takeSlowDown(r):
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":"slow_down"}`)
	default:
		p.op.ServeHTTP(w, r)
	}
}

// SlowDown makes the next n polls of the device grant's token endpoint
// answer slow_down (RFC 8628 3.5), as a provider under load does.
func (p *Provider) SlowDown(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.slowDown = n
}

// DevicePolls is the number of device token polls seen.
func (p *Provider) DevicePolls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.polls
}

func (p *Provider) takeSlowDown(r *http.Request) bool {
	if r.ParseForm() != nil || r.PostForm.Get("grant_type") != string(oidc.GrantTypeDeviceCode) {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.polls++
	if p.slowDown > 0 {
		p.slowDown--
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

// Unlinked is the devices that asked to leave their account.
func (p *Provider) Unlinked() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.unlinked...)
}

func (p *Provider) device(r *http.Request) (string, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if !ok || err != nil {
		return "", false
	}
	sum := sha256.Sum256(raw)
	d, err := p.DB.DeviceByToken(r.Context(), sum[:])
	return d.ID, err == nil
}

// FailLinks makes the next n device links answer 503, as a backend that
// is briefly down.
func (p *Provider) FailLinks(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failLink = n
}

func (p *Provider) link(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	fail := p.failLink > 0
	if fail {
		p.failLink--
	}
	p.mu.Unlock()
	if fail {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	dev, ok := p.device(r)
	if !ok || r.Method != http.MethodPost {
		http.Error(w, "device", http.StatusUnauthorized)
		return
	}
	var req api.AccountLinkRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.AccessToken == "" {
		http.Error(w, "body", http.StatusBadRequest)
		return
	}
	info, err := p.Userinfo(r.Context(), req.AccessToken)
	if err != nil {
		http.Error(w, "token", http.StatusUnauthorized)
		return
	}
	p.LinkDevices(info.Subject, dev)
	w.Header().Set("Content-Type", api.ContentTypeJSON)
	_ = json.NewEncoder(w).Encode(api.AccountLink{Account: info.Subject, Name: info.Name, Email: info.Email})
}

func (p *Provider) unlink(w http.ResponseWriter, r *http.Request) {
	dev, ok := p.device(r)
	if !ok || r.Method != http.MethodPost {
		http.Error(w, "device", http.StatusUnauthorized)
		return
	}
	p.mu.Lock()
	p.unlinked = append(p.unlinked, dev)
	p.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// ErrRefused is Userinfo's answer to a token the provider refuses.
var ErrRefused = errors.New("logintest: the provider refused the token")

// Userinfo asks the provider's userinfo endpoint with an access token: it
// answers only while the token is valid (not revoked, not expired).
func (p *Provider) Userinfo(ctx context.Context, accessToken string) (*oidc.UserInfo, error) {
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
	var info oidc.UserInfo
	return &info, json.NewDecoder(resp.Body).Decode(&info)
}

// Browser plays the system browser of a citizen who enters user and
// password on the provider's login page: it follows the authorization
// URL, posts the login form, and follows the redirects back to the app's
// loopback listener. It is the only stand-in of the login tests.
func (p *Provider) Browser(user, password string) func(*url.URL) error {
	return func(u *url.URL) error {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		resp, err := c.Get(u.String())
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		id := resp.Request.URL.Query().Get("authRequestID")
		if id == "" {
			return fmt.Errorf("logintest: no login page at %s (%s)", resp.Request.URL.Path, resp.Status)
		}
		resp, err = c.PostForm(p.URL+"/login/username", url.Values{"id": {id}, "username": {user}, "password": {password}})
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if !strings.HasPrefix(resp.Request.URL.String(), "http://127.0.0.1:") || resp.Request.URL.Path != "/callback" {
			return fmt.Errorf("logintest: the login ended at %s, not the app's listener: %s", resp.Request.URL.Path, body)
		}
		p.mu.Lock()
		p.lastPage = string(body)
		p.mu.Unlock()
		return nil
	}
}

// ApproveDevice enters a device grant's user code on the provider's
// device page and allows it, as staff do on their phone.
func (p *Provider) ApproveDevice(userCode, user, password string) error {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(p.URL+"/device/login", url.Values{"user_code": {userCode}, "username": {user}, "password": {password}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/device/login" {
		return fmt.Errorf("logintest: device login: %s at %s", resp.Status, resp.Request.URL)
	}
	resp, err = c.PostForm(p.URL+"/device/confirm", url.Values{"action": {"allowed"}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("logintest: device confirm: %s", resp.Status)
	}
	return nil
}

// LastPage is the page the app's loopback listener showed the browser.
func (p *Provider) LastPage() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastPage
}

// appClient is the example's storage with the app's client as the
// backend registers it: a native public client with PKCE, loopback
// redirects, refresh tokens, and the device grant (which the example's
// native client lacks).
type appClient struct{ *storage.Storage }

func (s appClient) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil || id != api.OIDCClientID {
		return c, err
	}
	return withDeviceGrant{c}, nil
}

type withDeviceGrant struct{ op.Client }

func (c withDeviceGrant) GrantTypes() []oidc.GrantType {
	return append(c.Client.GrantTypes(), oidc.GrantTypeDeviceCode)
}
