// Package login is the app's login at the town hall's OpenID provider (the
// backend itself: issuer = its base URL): the app is the public client
// api.OIDCClientID and logs in with the authorization code and PKCE S256
// through the system browser and a loopback redirect (RFC 8252), or, on a
// kiosk, with the device authorization grant (RFC 8628). Its tokens live
// only in the secret store (the one that holds the data key), never in the
// database, files or logs. After a login the device joins the account
// (sync/portal's LinkAccount) and a sync pass brings the account's data.
package login

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/oauth2"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/sync/portal"
	"rathaus/sync/transport"
)

// Names in the secret store.
const (
	// KeyTokens holds the tokens and the account they belong to (JSON).
	KeyTokens = "oidc-tokens"
	// keyUnlink marks a logout whose unlink has not reached the backend.
	keyUnlink = "oidc-unlink-pending"
	// keyRevoke holds the tokens of a logout whose revocation has not
	// reached the provider.
	keyRevoke = "oidc-revoke-pending"
)

// Secrets is the secret store (app/secrets.Keychain).
type Secrets interface {
	Get(name string) (string, error)
	Set(name, value string) error
	Delete(name string) error
}

// Portal is the backend's account API as the device sees it
// (sync/portal.Client, which carries the device's credential).
type Portal interface {
	LinkAccount(ctx context.Context, accessToken string) (api.AccountLink, error)
	UnlinkAccount(ctx context.Context) error
}

// Device is the sync engine as far as the login needs it: the device
// registered (its credential on the portal client) and a pass.
type Device interface {
	EnsureDevice(ctx context.Context) error
	Sync(ctx context.Context) error
}

var (
	_ Secrets = (*secrets.Keychain)(nil)
	_ Portal  = (*portal.Client)(nil)
)

// Config says where and how to log in.
type Config struct {
	// Issuer is the backend's base URL (discovery at
	// Issuer/.well-known/openid-configuration).
	Issuer string
	// Open shows a URL in the system browser (fyne's App.OpenURL).
	Open func(*url.URL) error
	// HTTPClient talks to the provider (default: one with a 30 s timeout,
	// so that a lost connection ends a request).
	HTTPClient *http.Client
	// Sleep waits between the device grant's polls (default: a timer);
	// tests record the intervals instead of waiting them.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for token expiry (default time.Now).
	Now func() time.Time
}

// Account is who is logged in.
type Account struct {
	Subject string
	Name    string
	Email   string
	// Linked says whether the backend has put this device into the
	// account; false while the link waits for the connection.
	Linked bool
}

// Manager logs in and out and keeps the tokens fresh. Safe for concurrent
// use.
type Manager struct {
	cfg    Config
	sec    Secrets
	portal Portal
	device Device

	mu sync.Mutex // the token record's read-modify-write
}

// New returns a Manager. portal and device may be nil (no device link).
func New(cfg Config, sec Secrets, p Portal, d Device) *Manager {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Issuer = strings.TrimRight(cfg.Issuer, "/")
	return &Manager{cfg: cfg, sec: sec, portal: p, device: d}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// record is what the secret store keeps under KeyTokens.
type record struct {
	Access  string    `json:"access_token"`
	Refresh string    `json:"refresh_token,omitempty"`
	ID      string    `json:"id_token,omitempty"`
	Expiry  time.Time `json:"expiry"`
	Subject string    `json:"sub"`
	Name    string    `json:"name,omitempty"`
	Email   string    `json:"email,omitempty"`
	Linked  bool      `json:"linked"`
}

func (r *record) account() Account {
	return Account{Subject: r.Subject, Name: r.Name, Email: r.Email, Linked: r.Linked}
}

// load reads the record; nil when nobody is logged in.
func (m *Manager) load() (*record, error) {
	raw, err := m.sec.Get(KeyTokens)
	if errors.Is(err, secrets.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, secretsError(err)
	}
	var r record
	if err := json.Unmarshal([]byte(raw), &r); err != nil || r.Access == "" {
		// Unreadable: as good as logged out; the citizen logs in again.
		return nil, nil
	}
	return &r, nil
}

func (m *Manager) save(r *record) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return citizen.Errorf(citizen.EINTERNAL, "The login could not be kept.")
	}
	if err := m.sec.Set(KeyTokens, string(raw)); err != nil {
		return secretsError(err)
	}
	return nil
}

func secretsError(err error) error {
	return citizen.Transient(citizen.ESECRETS, "The app's secret store does not answer; the login cannot be kept.", err)
}

// Account returns who is logged in; ok is false when nobody is.
func (m *Manager) Account() (a Account, ok bool, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, err := m.load()
	if err != nil || r == nil {
		return Account{}, false, err
	}
	return r.account(), true, nil
}

// party discovers the provider and returns the app's relying party;
// redirect is the loopback address of a browser login ("" otherwise).
func (m *Manager) party(ctx context.Context, redirect string) (rp.RelyingParty, error) {
	p, err := rp.NewRelyingPartyOIDC(ctx, m.cfg.Issuer, api.OIDCClientID, "", redirect,
		strings.Fields(api.OIDCScopes),
		rp.WithHTTPClient(m.cfg.HTTPClient),
		// A public client: its id in the form, no secret (RFC 6749 2.3).
		rp.WithAuthStyle(oauth2.AuthStyleInParams))
	if err != nil {
		return nil, unreachable(ctx, err)
	}
	return p, nil
}

func unreachable(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	// Plain http to a remote host, or a pin that does not match: said as
	// such (sync/transport), never retried as if offline.
	if ie := transport.Insecure(err); ie != nil {
		return ie
	}
	return citizen.Transient(citizen.EUNAVAILABLE, "The town hall's login cannot be reached.", err)
}

// refused turns an answer of the provider into the citizen's error: a
// protocol error (denied, expired, invalid grant) is for good, anything
// else (no connection) worth another try.
func refused(ctx context.Context, err error) error {
	if ie := transport.Insecure(err); ie != nil {
		return ie
	}
	var oe *oidc.Error
	if errors.As(err, &oe) {
		return &citizen.Error{Code: citizen.EAUTH, Message: "The town hall did not accept the login.", Err: err}
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 400 && re.Response.StatusCode < 500 {
		return &citizen.Error{Code: citizen.EAUTH, Message: "The town hall did not accept the login.", Err: err}
	}
	return unreachable(ctx, err)
}

// randomString is 32 random bytes, base64url: a state or a PKCE verifier
// (RFC 7636 4.1: 43 characters).
func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// finish keeps the new tokens with who they belong to, then links the
// device (see link).
func (m *Manager) finish(ctx context.Context, party rp.RelyingParty, access, refresh, idToken, tokenType string, expiry time.Time) (Account, error) {
	claims, err := rp.VerifyIDToken[*oidc.IDTokenClaims](ctx, idToken, party.IDTokenVerifier())
	if err != nil {
		return Account{}, &citizen.Error{Code: citizen.EAUTH, Message: "The town hall's answer to the login could not be checked.", Err: err}
	}
	r := &record{Access: access, Refresh: refresh, ID: idToken, Expiry: expiry, Subject: claims.GetSubject(),
		Name: claims.Name, Email: claims.Email}
	if tokenType == "" {
		tokenType = oidc.BearerToken
	}
	// The ID token carries no profile for this client: ask userinfo.
	if info, err := rp.Userinfo[*oidc.UserInfo](ctx, access, tokenType, r.Subject, party); err == nil {
		if info.Name != "" {
			r.Name = info.Name
		} else if n := strings.TrimSpace(info.GivenName + " " + info.FamilyName); n != "" {
			r.Name = n
		}
		if info.Email != "" {
			r.Email = info.Email
		}
	}
	m.mu.Lock()
	err = m.save(r)
	m.mu.Unlock()
	if err != nil {
		return Account{}, err
	}
	// A logout's unlink still waiting is moot: the device joins again.
	_ = m.sec.Delete(keyUnlink)
	return m.link(ctx)
}

// expiry turns expires_in into a time, a little early so that a token is
// refreshed before the backend would refuse it.
func (m *Manager) expiry(seconds uint64) time.Time {
	if seconds == 0 {
		return time.Time{}
	}
	return m.cfg.Now().Add(time.Duration(seconds)*time.Second - 30*time.Second)
}
