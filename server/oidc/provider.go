// Package oidc makes the backend its own OpenID provider (OpenID Connect
// with github.com/zitadel/oidc/v3's op): discovery, JWKS, the
// authorization code grant with PKCE S256 for the app (the public client
// api.OIDCClientID), refresh tokens that rotate, revocation (RFC 7009),
// userinfo, and the device authorization grant (RFC 8628) for kiosks; and
// the plain HTML pages where a citizen or a clerk logs in and confirms a
// device's code. Accounts and grants live in the store (server/accounts),
// so tokens outlive a restart when the keys do (LoadKeys).
package oidc

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"

	zo "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"rathaus/server/accounts"
)

// Paths of the provider's own pages; the library's endpoints are at its
// default paths (Paths lists all).
const (
	PathDiscovery = "/.well-known/openid-configuration"
	PathLogin     = "/login"
	PathDevice    = "/device"
	// PathLoggedOut is where end_session leads without a redirect of the
	// client's: the provider keeps no browser session, so there is
	// nothing more to end (the app revokes its tokens).
	PathLoggedOut = "/logged-out"
)

// Paths are the patterns the backend's mux hands to the provider.
var Paths = []string{
	PathDiscovery, "/authorize", "/authorize/callback", "/oauth/token", "/oauth/introspect",
	"/userinfo", "/revoke", "/end_session", "/keys", "/device_authorization",
	PathLogin, PathDevice, PathDevice + "/confirm", PathLoggedOut,
}

// Config is what New needs.
type Config struct {
	// Issuer is the backend's public base URL (https, or http on a
	// loopback address), without a trailing slash.
	Issuer string
	Store  accounts.Store
	// Keys sign and seal the tokens; nil: new ones in memory (tests).
	Keys   *Keys
	Logger *slog.Logger     // slog.Default() when nil
	Now    func() time.Time // time.Now when nil

	// DevicePollInterval is the device grant's interval (0: 5 s); a device
	// that polls sooner hears slow_down.
	DevicePollInterval time.Duration
	// DeviceLifetime is how long a device's code may be confirmed (0: 10
	// minutes); later the device hears expired_token.
	DeviceLifetime time.Duration
	// Login attempts: at most AccountAttempts failed ones per account and
	// AddressAttempts per client address within LockoutWindow; beyond,
	// the page answers 429 until the window ends. Each 0 for its default
	// (5, 30, 15 minutes).
	AccountAttempts int
	AddressAttempts int
	LockoutWindow   time.Duration
}

// Provider is the OpenID provider, an http.Handler for Paths.
type Provider struct {
	op     *op.Provider
	st     *storage
	issuer string
	log    *slog.Logger
	now    func() time.Time
	secure bool
	// ticketKey signs the device confirmation's hidden ticket.
	ticketKey []byte
	byAccount *attempts
	byAddress *attempts
	// hashing bounds the password checks running at once.
	hashing chan struct{}
	mux     *http.ServeMux
}

// New builds the provider.
func New(cfg Config) (*Provider, error) {
	if cfg.Store == nil {
		return nil, errors.New("oidc: no store")
	}
	u, err := url.Parse(cfg.Issuer)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("oidc: the issuer %q is not an http(s) base URL", cfg.Issuer)
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		return nil, fmt.Errorf("oidc: the issuer %s must be https (plain http only on a loopback address)", cfg.Issuer)
	}
	if cfg.Keys == nil {
		if cfg.Keys, err = NewKeys(); err != nil {
			return nil, err
		}
	}
	p := &Provider{issuer: strings.TrimSuffix(cfg.Issuer, "/"), log: cfg.Logger, now: cfg.Now, secure: u.Scheme == "https"}
	if p.log == nil {
		p.log = slog.Default()
	}
	if p.now == nil {
		p.now = time.Now
	}
	interval := cfg.DevicePollInterval
	if interval <= 0 {
		interval = 5 * time.Second
	}
	lifetime := cfg.DeviceLifetime
	if lifetime <= 0 {
		lifetime = 10 * time.Minute
	}
	window := cfg.LockoutWindow
	if window <= 0 {
		window = 15 * time.Minute
	}
	p.hashing = make(chan struct{}, 2*runtime.GOMAXPROCS(0))
	p.byAccount = newAttempts(orDefault(cfg.AccountAttempts, 5), window, p.now)
	p.byAddress = newAttempts(orDefault(cfg.AddressAttempts, 30), window, p.now)
	mac := hmac.New(sha256.New, cfg.Keys.Token[:])
	mac.Write([]byte("rathaus device ticket"))
	p.ticketKey = mac.Sum(nil)
	p.st = &storage{store: cfg.Store, keys: cfg.Keys, kid: keyID(cfg.Keys.Signing), now: p.now,
		devices: &deviceConfig{interval: interval}, lastPoll: map[string]time.Time{}}
	opCfg := &op.Config{
		CryptoKey:                cfg.Keys.Token,
		CodeMethodS256:           true,
		DefaultLogoutRedirectURI: PathLoggedOut,
		GrantTypeRefreshToken:    true,
		SupportedUILocales:       []language.Tag{language.German, language.English},
		SupportedScopes:          []string{zo.ScopeOpenID, zo.ScopeProfile, zo.ScopeEmail, zo.ScopeOfflineAccess},
		SupportedClaims: []string{"sub", "aud", "exp", "iat", "iss", "auth_time", "nonce", "at_hash", "amr",
			"name", "preferred_username", "email", "email_verified", "roles"},
		DeviceAuthorization: op.DeviceAuthorizationConfig{
			Lifetime: lifetime, PollInterval: interval, UserFormPath: PathDevice, UserCode: op.UserCodeBase20,
		},
	}
	var opts []op.Option
	if u.Scheme == "http" {
		opts = append(opts, op.WithAllowInsecure())
	}
	if p.op, err = op.NewProvider(opCfg, p.st, op.StaticIssuer(p.issuer), opts...); err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	p.mux = http.NewServeMux()
	p.mux.HandleFunc("GET "+PathLogin, p.handleLoginPage)
	p.mux.HandleFunc("POST "+PathLogin, p.handleLogin)
	p.mux.HandleFunc("GET "+PathDevice, p.handleDevicePage)
	p.mux.HandleFunc("POST "+PathDevice, p.handleDeviceLogin)
	p.mux.HandleFunc("POST "+PathDevice+"/confirm", p.handleDeviceConfirm)
	p.mux.HandleFunc("GET "+PathLoggedOut, p.handleLoggedOut)
	p.mux.Handle("/", p.op)
	return p, nil
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// IsLoopback reports whether host is localhost or a loopback address.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Issuer is the provider's issuer URL.
func (p *Provider) Issuer() string { return p.issuer }

// ServeHTTP implements http.Handler.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.mux.ServeHTTP(w, r) }

// ErrInvalidToken: the access token is not one of this provider's, or
// has expired, was revoked, or its account is disabled.
var ErrInvalidToken = errors.New("the access token is not valid")

// Verify checks an access token the provider issued (sealed with its key,
// not expired, not revoked) and returns its account, which must be enabled.
func (p *Provider) Verify(ctx context.Context, accessToken string) (accounts.Account, error) {
	plain, err := p.op.Crypto().Decrypt(accessToken)
	if err != nil {
		return accounts.Account{}, ErrInvalidToken
	}
	id, subject, ok := strings.Cut(plain, ":")
	if !ok {
		return accounts.Account{}, ErrInvalidToken
	}
	var t token
	if _, err := p.st.get(ctx, "at:"+id, &t); err != nil {
		if errors.Is(err, accounts.ErrNotFound) {
			return accounts.Account{}, ErrInvalidToken
		}
		return accounts.Account{}, err
	}
	if t.Subject != subject {
		return accounts.Account{}, ErrInvalidToken
	}
	acc, err := p.st.store.Account(ctx, subject)
	if errors.Is(err, accounts.ErrNotFound) || (err == nil && acc.Disabled) {
		return accounts.Account{}, ErrInvalidToken
	}
	return acc, err
}

// Sweep deletes the grants that expired (the backend's janitor calls it).
func (p *Provider) Sweep(ctx context.Context) (int, error) {
	return p.st.store.DeleteExpiredGrants(ctx, p.now())
}
