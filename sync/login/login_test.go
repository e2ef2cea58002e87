package login_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/assets/demotest"
	"rathaus/sync/engine"
	"rathaus/sync/login"
	"rathaus/sync/login/logintest"
	"rathaus/sync/portal"
	"rathaus/sync/transport"
	"rathaus/sync/upload"
)

// device is one installation of the app: its data folder, secret store,
// database, sync engine and login.
type device struct {
	dir    string
	keys   *secrets.Keychain
	store  *store.Store
	portal *portal.Client
	engine *engine.Engine
	login  *login.Manager
}

func newDevice(t *testing.T, p *logintest.Provider, keys *secrets.Keychain, dir string, cfg login.Config) *device {
	t.Helper()
	if keys == nil {
		keys = secrets.OpenMemory("rathaus-login-test")
	}
	if dir == "" {
		dir = t.TempDir()
	}
	st, err := store.Open(context.Background(), filepath.Join(dir, "rathaus.db"), keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pc := portal.New(p.URL)
	eng := engine.New(st, pc, upload.New(p.URL), keys)
	cfg.Issuer = p.URL
	if cfg.Open == nil {
		cfg.Open = p.Browser(p.UserName(), logintest.Password)
	}
	return &device{dir: dir, keys: keys, store: st, portal: pc, engine: eng, login: login.New(cfg, keys, pc, eng)}
}

func (d *device) tokens(t *testing.T) map[string]any {
	t.Helper()
	raw, err := d.keys.Get(login.KeyTokens)
	if errors.Is(err, secrets.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestLogin_CodeFlowLinksTheDeviceAndBringsTheAccountsCases: a citizen
// logs in through the browser (code + PKCE, loopback redirect); the
// device joins the account and a case sent from the account's other
// device arrives.
func TestLogin_CodeFlowLinksTheDeviceAndBringsTheAccountsCases(t *testing.T) {
	p := logintest.New(t)
	ctx := ctxT(t)

	// The citizen's phone: logged in, it sends a case.
	phone := newDevice(t, p, nil, "", login.Config{})
	if _, err := phone.login.Login(ctx); err != nil {
		t.Fatalf("phone Login: %v", err)
	}
	svc := demotest.Service(t, "hundesteuer")
	d := citizen.NewDraft(svc, time.Now())
	d.Values = demotest.Example(t, svc.Form.ID)
	if err := phone.store.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := phone.store.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := phone.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	// The laptop logs in: the case follows.
	laptop := newDevice(t, p, nil, "", login.Config{})
	if _, ok, _ := laptop.login.Account(); ok {
		t.Fatal("a new device is logged in")
	}
	a, err := laptop.login.Login(ctx)
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	want := login.Account{Subject: p.Citizen.Subject, Name: p.Citizen.Name, Email: p.Citizen.Email, Linked: true}
	if a != want {
		t.Errorf("Login = %+v, want %+v", a, want)
	}
	if got, ok, err := laptop.login.Account(); !ok || err != nil || got != want {
		t.Errorf("Account = %+v, %v, %v; want %+v", got, ok, err, want)
	}
	if got := p.Account(t, laptop.portal.Token()); got != p.Citizen.Subject {
		t.Errorf("the backend has the laptop in account %q, want %q", got, p.Citizen.Subject)
	}
	cases, err := laptop.store.Cases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 1 {
		t.Errorf("the laptop has %d cases after the login, want the phone's 1", len(cases))
	}
	if page := p.LastPage(); !strings.Contains(page, "Sie können dieses Fenster schließen") || !strings.Contains(page, "You may close this window") {
		t.Errorf("the browser was shown %q, want the page in German and English", page)
	}
	tok := laptop.tokens(t)
	for _, k := range []string{"access_token", "refresh_token", "id_token", "expiry"} {
		if tok[k] == nil || tok[k] == "" {
			t.Errorf("secret store's %s = %v, want it kept", k, tok[k])
		}
	}
	access, err := laptop.login.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Userinfo(ctx, access); err != nil {
		t.Errorf("the access token does not work at the provider: %v", err)
	}
}

// TestLogin_CancelledKeepsNothing: a browser login that never comes back
// (the citizen gave up and pressed Cancel) ends with the context and
// keeps nothing.
func TestLogin_CancelledKeepsNothing(t *testing.T) {
	p := logintest.New(t)
	ctx, cancel := context.WithCancel(ctxT(t))
	opened := ""
	dev := newDevice(t, p, nil, "", login.Config{Open: func(u *url.URL) error {
		opened = u.String()
		cancel()
		return nil
	}})
	_, err := dev.login.Login(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Login = %v, want context.Canceled", err)
	}
	for _, want := range []string{"code_challenge_method=S256", "code_challenge=", "state=", "client_id=rathaus-app", "redirect_uri=http%3A%2F%2F127.0.0.1%3A"} {
		if !strings.Contains(opened, want) {
			t.Errorf("the browser was sent to %s, want %s in it", opened, want)
		}
	}
	if tok := dev.tokens(t); tok != nil {
		t.Errorf("secret store holds %v after a cancelled login", tok)
	}
	// The loopback listener is closed with the login.
	u, _ := url.Parse(opened)
	redirect := u.Query().Get("redirect_uri")
	if resp, err := http.Get(redirect + "?state=x&code=y"); err == nil {
		resp.Body.Close()
		t.Errorf("%s still answers after the login ended (%s)", redirect, resp.Status)
	}
}

// expire makes the kept access token expired, as after an hour.
func (d *device) expire(t *testing.T) {
	t.Helper()
	d.keepExpired(t, d.tokens(t))
}

// keepExpired puts tok (tokens kept earlier, revoked since) back into the
// secret store with the access token expired, so that the next Token
// must try the refresh token.
func (d *device) keepExpired(t *testing.T, tok map[string]any) {
	t.Helper()
	tok = maps.Clone(tok)
	tok["expiry"] = time.Now().Add(-time.Minute)
	raw, _ := json.Marshal(tok)
	if err := d.keys.Set(login.KeyTokens, string(raw)); err != nil {
		t.Fatal(err)
	}
}

// loggedIn is a new device logged in at p, and the tokens it keeps.
func loggedIn(t *testing.T, p *logintest.Provider) (*device, map[string]any) {
	t.Helper()
	dev := newDevice(t, p, nil, "", login.Config{})
	if _, err := dev.login.Login(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	return dev, dev.tokens(t)
}

// TestToken_RefreshesWhenExpired: an expired access token is renewed with
// the refresh token; the new one works and the rotated refresh token is
// kept.
func TestToken_RefreshesWhenExpired(t *testing.T) {
	p := logintest.New(t)
	ctx := ctxT(t)
	dev, before := loggedIn(t, p)
	if got, _ := dev.login.Token(ctx); got != before["access_token"] {
		t.Errorf("Token before expiry = a new token, want the kept one")
	}
	dev.expire(t)
	got, err := dev.login.Token(ctx)
	if err != nil {
		t.Fatalf("Token after expiry: %v", err)
	}
	if got == before["access_token"] {
		t.Error("Token after expiry = the old access token, want a refreshed one")
	}
	if _, err := p.Userinfo(ctx, got); err != nil {
		t.Errorf("the refreshed token does not work: %v", err)
	}
	after := dev.tokens(t)
	if after["access_token"] != got {
		t.Error("the refreshed access token is not the one kept")
	}
	if after["refresh_token"] == before["refresh_token"] {
		t.Error("the refresh token was not rotated")
	}
	if exp, _ := time.Parse(time.RFC3339Nano, after["expiry"].(string)); !exp.After(time.Now()) {
		t.Errorf("expiry after refresh = %v, want in the future", exp)
	}
}

// TestLogout_RevokesForgetsAndUnlinks: after logout the access token no
// longer works at the provider, the refresh token cannot renew it, the
// secret store holds none and the device has left the account.
func TestLogout_RevokesForgetsAndUnlinks(t *testing.T) {
	p := logintest.New(t)
	ctx := ctxT(t)
	dev, before := loggedIn(t, p)
	access := before["access_token"].(string)
	if err := dev.login.Logout(ctx); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if _, err := p.Userinfo(ctx, access); !errors.Is(err, logintest.ErrRefused) {
		t.Errorf("userinfo with the revoked access token = %v, want refused", err)
	}
	if tok := dev.tokens(t); tok != nil {
		t.Errorf("secret store after logout = %v, want no tokens", tok)
	}
	if _, ok, _ := dev.login.Account(); ok {
		t.Error("Account after logout says logged in")
	}
	if _, err := dev.login.Token(ctx); citizen.ErrorCode(err) != citizen.EAUTH {
		t.Errorf("Token after logout = %v, want %s", err, citizen.EAUTH)
	}
	if got := p.Account(t, dev.portal.Token()); got != "" {
		t.Errorf("device in account %q after logout, want none", got)
	}
	// The old refresh token is dead too: put it back and try.
	dev.keepExpired(t, before)
	if _, err := dev.login.Token(ctx); citizen.ErrorCode(err) != citizen.EAUTH {
		t.Errorf("refresh with the revoked refresh token = %v, want %s", err, citizen.EAUTH)
	}
}

// TestResume_LinksALoginMadeWhileTheBackendWasDown: the login holds when
// the link fails for now; Resume links it later.
func TestResume_LinksALoginMadeWhileTheBackendWasDown(t *testing.T) {
	p := logintest.New(t)
	ctx := ctxT(t)
	dev := newDevice(t, p, nil, "", login.Config{})
	p.FailLinks(1)
	a, err := dev.login.Login(ctx)
	if !login.IsPending(err) {
		t.Fatalf("Login with the link down = %v, want a pending (transient) error", err)
	}
	if a.Subject != p.Citizen.Subject || a.Linked {
		t.Errorf("Login = %+v, want logged in, not linked", a)
	}
	if got := p.Account(t, dev.portal.Token()); got != "" {
		t.Errorf("device in account %q before Resume", got)
	}
	if err := dev.login.Resume(ctx); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	if got := p.Account(t, dev.portal.Token()); got != p.Citizen.Subject {
		t.Errorf("device in account %q after Resume, want %q", got, p.Citizen.Subject)
	}
	if a, _, _ := dev.login.Account(); !a.Linked {
		t.Error("Account after Resume says not linked")
	}
}

// TestResume_UnlinksALogoutMadeOffline: a logout without the backend
// forgets the login at once; the revocation and the unlink wait, and
// Resume sends them when the backend is back.
func TestResume_UnlinksALogoutMadeOffline(t *testing.T) {
	p := logintest.New(t)
	ctx := ctxT(t)
	dev, before := loggedIn(t, p)
	p.Stop()
	if err := dev.login.Logout(ctx); !login.IsPending(err) {
		t.Errorf("Logout offline = %v, want pending", err)
	}
	if tok := dev.tokens(t); tok != nil {
		t.Errorf("tokens kept after an offline logout: %v", tok)
	}
	p.Start()
	if got := p.Account(t, dev.portal.Token()); got != p.Citizen.Subject {
		t.Fatalf("device in account %q before Resume, want still %q", got, p.Citizen.Subject)
	}
	if err := dev.login.Resume(ctx); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	if got := p.Account(t, dev.portal.Token()); got != "" {
		t.Errorf("device in account %q after Resume, want none", got)
	}
	if _, err := p.Userinfo(ctx, before["access_token"].(string)); !errors.Is(err, logintest.ErrRefused) {
		t.Errorf("the access token after Resume: %v, want revoked", err)
	}
	if err := dev.login.Resume(ctx); err != nil {
		t.Errorf("Resume with nothing waiting: %v", err)
	}
	// The refresh token was revoked too: put it back and try.
	dev.keepExpired(t, before)
	if _, err := dev.login.Token(ctx); citizen.ErrorCode(err) != citizen.EAUTH {
		t.Errorf("refresh with the refresh token of an offline logout, after Resume = %v, want %s", err, citizen.EAUTH)
	}
}

// TestLogin_PlainHTTPToARemoteHostRefused: through the app's guarded
// transport, a login at an http:// address that is not this device's is
// refused as insecure (not "offline"), and the browser is never opened.
func TestLogin_PlainHTTPToARemoteHostRefused(t *testing.T) {
	opened := false
	m := login.New(login.Config{Issuer: "http://rathaus.example.org",
		HTTPClient: &http.Client{Transport: transport.Secure(transport.New(), nil)},
		Open:       func(*url.URL) error { opened = true; return nil }},
		secrets.OpenMemory("rathaus-login-insecure"), nil, nil)
	for name, run := range map[string]func() error{
		"browser": func() error { _, err := m.Login(ctxT(t)); return err },
		"code":    func() error { _, err := m.StartDevice(ctxT(t)); return err },
	} {
		t.Run(name, func(t *testing.T) {
			if err := run(); citizen.ErrorCode(err) != citizen.EINSECURE || citizen.IsTransient(err) {
				t.Errorf("= %v (code %s), want %s, permanent", err, citizen.ErrorCode(err), citizen.EINSECURE)
			}
		})
	}
	if opened {
		t.Error("the browser was opened")
	}
}
