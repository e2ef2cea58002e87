package oidc

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"rathaus/api"
	"rathaus/server/accounts"
)

// csrfCookie carries the double-submit token of the forms: a page sets it
// and puts the same value in a hidden field; a POST whose field differs
// from the cookie (another site's form) is refused. SameSite=Strict keeps
// other sites' requests from carrying it at all.
const csrfCookie = "rathaus_csrf"

// maxFormBytes bounds a login form.
const maxFormBytes = 16 << 10

// csrfToken returns the request's CSRF token, setting a new cookie when
// it has none.
func (p *Provider) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok := randomToken()
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true, Secure: p.secure,
		SameSite: http.SameSiteStrictMode})
	return tok
}

// checkForm parses a POSTed form and checks its CSRF token.
func (p *Provider) checkForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return false
	}
	c, err := r.Cookie(csrfCookie)
	field := r.PostForm.Get("csrf")
	return err == nil && field != "" && subtle.ConstantTimeCompare([]byte(c.Value), []byte(field)) == 1
}

// clientAddr is the request's address without the port.
func clientAddr(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// errLimited: too many failed attempts; wait says how long.
type errLimited struct{ wait time.Duration }

func (e errLimited) Error() string { return "too many failed attempts" }

var (
	errBadLogin = errors.New("wrong email or password")
	errDisabled = errors.New("the account is disabled")
)

// authenticate checks the email and password under the rate limits:
// per address and per account, failures counted, success forgetting the
// account's. An unknown email costs the time of a wrong password.
func (p *Provider) authenticate(ctx context.Context, r *http.Request, email, password string) (accounts.Account, error) {
	addr := clientAddr(r)
	key := strings.ToLower(strings.TrimSpace(email))
	for _, l := range []struct {
		a   *attempts
		key string
	}{{p.byAddress, addr}, {p.byAccount, key}} {
		if locked, wait := l.a.locked(l.key); locked {
			return accounts.Account{}, errLimited{wait}
		}
	}
	acc, err := p.st.store.AccountByEmail(ctx, key)
	if err != nil && !errors.Is(err, accounts.ErrNotFound) {
		return accounts.Account{}, err
	}
	// A hash takes 19 MiB for a tenth of a second: a few at a time, so
	// that a flood of logins cannot take the memory.
	select {
	case p.hashing <- struct{}{}:
		defer func() { <-p.hashing }()
	case <-ctx.Done():
		return accounts.Account{}, ctx.Err()
	}
	if err != nil || acc.PasswordHash == "" {
		accounts.WasteTime(password)
	}
	if err != nil || acc.PasswordHash == "" || !accounts.VerifyPassword(acc.PasswordHash, password) {
		p.byAddress.fail(addr)
		p.byAccount.fail(key)
		p.log.Info("oidc: failed login", "addr", addr)
		return accounts.Account{}, errBadLogin
	}
	p.byAccount.reset(key)
	if acc.Disabled {
		return accounts.Account{}, errDisabled
	}
	return acc, nil
}

// SignInStaff checks a clerk's email and password for the staff console,
// under the login page's rate limits: ok for an enabled account with the
// staff role, and actor names it for the audit log; retryAfter > 0 when
// the account or the address is locked for now.
func (p *Provider) SignInStaff(r *http.Request, email, password string) (actor string, retryAfter time.Duration, ok bool) {
	acc, err := p.authenticate(r.Context(), r, email, password)
	var lim errLimited
	switch {
	case errors.As(err, &lim):
		return "", lim.wait, false
	case err != nil:
		if !errors.Is(err, errBadLogin) && !errors.Is(err, errDisabled) {
			p.log.Error("oidc: staff sign-in", "err", err)
		}
		return "", 0, false
	case !acc.Has(api.RoleStaff):
		return "", 0, false
	}
	if acc.Name == "" {
		return acc.Email, 0, true
	}
	return acc.Name + " <" + acc.Email + ">", 0, true
}

// loginError renders the form again with what went wrong; 429 with
// Retry-After when locked.
func (p *Provider) loginError(w http.ResponseWriter, tmpl string, pg page, err error) {
	t := pg.T
	status := http.StatusUnauthorized
	var lim errLimited
	switch {
	case errors.As(err, &lim):
		mins := int(math.Ceil(lim.wait.Minutes()))
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(lim.wait.Seconds()))))
		status, pg.Error = http.StatusTooManyRequests, fmt.Sprintf(t.Limited, mins)
	case errors.Is(err, errBadLogin):
		pg.Error = t.BadLogin
	case errors.Is(err, errDisabled):
		status, pg.Error = http.StatusForbidden, t.Disabled
	default:
		p.log.Error("oidc: login", "err", err)
		status, pg.Error = http.StatusServiceUnavailable, t.Failed
	}
	render(w, status, tmpl, pg)
}

// signIn checks the sign-in form of the page tmpl (formOK: checkForm's
// verdict; pg: the page as shown again on a failure): a form that is not
// ours gets 403, a wrong, disabled or rate-limited account loginError's
// answer. signedIn false: the answer is written.
func (p *Provider) signIn(w http.ResponseWriter, r *http.Request, formOK bool, tmpl string, pg page) (acc accounts.Account, signedIn bool) {
	if !formOK {
		pg.Error = pg.T.BadForm
		render(w, http.StatusForbidden, tmpl, pg)
		return acc, false
	}
	acc, err := p.authenticate(r.Context(), r, pg.Email, r.PostForm.Get("password"))
	if err != nil {
		p.loginError(w, tmpl, pg, err)
		return acc, false
	}
	return acc, true
}

func (p *Provider) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("authRequestID")
	a, err := p.st.authRequest(r.Context(), id)
	if err != nil {
		lang := langOf(r, nil)
		render(w, http.StatusBadRequest, "message", page{Lang: lang, T: words[lang], Message: words[lang].Expired})
		return
	}
	lang := langOf(r, a.UILocales)
	render(w, http.StatusOK, "login", page{Lang: lang, T: words[lang], Action: PathLogin, CSRF: p.csrfToken(w, r), ID: id})
}

func (p *Provider) handleLogin(w http.ResponseWriter, r *http.Request) {
	ok := p.checkForm(w, r)
	id := r.PostForm.Get("authRequestID")
	a, err := p.st.authRequest(r.Context(), id)
	if err != nil {
		lang := langOf(r, nil)
		render(w, http.StatusBadRequest, "message", page{Lang: lang, T: words[lang], Message: words[lang].Expired})
		return
	}
	lang := langOf(r, a.UILocales)
	email := r.PostForm.Get("email")
	pg := page{Lang: lang, T: words[lang], Action: PathLogin, CSRF: p.csrfToken(w, r), ID: id, Email: email}
	acc, signedIn := p.signIn(w, r, ok, "login", pg)
	if !signedIn {
		return
	}
	if err := p.st.completeLogin(r.Context(), id, acc); err != nil {
		p.loginError(w, "login", pg, err)
		return
	}
	// The library's callback issues the code and redirects to the app.
	http.Redirect(w, r, p.issuer+"/authorize/callback?id="+url.QueryEscape(id), http.StatusSeeOther)
}

func (p *Provider) handleDevicePage(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r, nil)
	render(w, http.StatusOK, "device", page{Lang: lang, T: words[lang], Action: PathDevice, CSRF: p.csrfToken(w, r),
		UserCode: r.URL.Query().Get("user_code")})
}

// handleDeviceLogin checks the account and the user code and asks whether
// to allow the device.
func (p *Provider) handleDeviceLogin(w http.ResponseWriter, r *http.Request) {
	ok := p.checkForm(w, r)
	lang := langOf(r, nil)
	code, email := r.PostForm.Get("user_code"), r.PostForm.Get("email")
	pg := page{Lang: lang, T: words[lang], Action: PathDevice, CSRF: p.csrfToken(w, r), UserCode: code, Email: email}
	acc, signedIn := p.signIn(w, r, ok, "device", pg)
	if !signedIn {
		return
	}
	_, d, err := p.st.deviceByUserCode(r.Context(), code)
	if err != nil {
		// A guessed code counts like a wrong password, per address.
		p.byAddress.fail(clientAddr(r))
		pg.Error = pg.T.BadCode
		render(w, http.StatusNotFound, "device", pg)
		return
	}
	pg.Action, pg.UserCode = PathDevice+"/confirm", d.UserCode
	pg.Ticket = p.ticket(d.UserCode, acc.ID, p.now().Add(5*time.Minute))
	pg.Question = fmt.Sprintf(pg.T.DeviceQuestion, acc.Email)
	render(w, http.StatusOK, "confirm", pg)
}

// ticket binds the confirmation to the user code and the account that
// signed in, for a few minutes: "code|account|unix|mac".
func (p *Provider) ticket(code, account string, until time.Time) string {
	body := normalUserCode(code) + "|" + account + "|" + strconv.FormatInt(until.Unix(), 10)
	mac := hmac.New(sha256.New, p.ticketKey)
	mac.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString([]byte(body)) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func (p *Provider) readTicket(t string) (code, account string, ok bool) {
	b64, sig, found := strings.Cut(t, ".")
	body, err1 := base64.RawURLEncoding.DecodeString(b64)
	got, err2 := base64.RawURLEncoding.DecodeString(sig)
	if !found || err1 != nil || err2 != nil {
		return "", "", false
	}
	mac := hmac.New(sha256.New, p.ticketKey)
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil), got) {
		return "", "", false
	}
	parts := strings.Split(string(body), "|")
	if len(parts) != 3 {
		return "", "", false
	}
	until, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || p.now().Unix() > until {
		return "", "", false
	}
	return parts[0], parts[1], true
}

func (p *Provider) handleDeviceConfirm(w http.ResponseWriter, r *http.Request) {
	ok := p.checkForm(w, r)
	lang := langOf(r, nil)
	pg := page{Lang: lang, T: words[lang], Action: PathDevice, CSRF: p.csrfToken(w, r)}
	code, account, valid := p.readTicket(r.PostForm.Get("ticket"))
	if !ok || !valid {
		pg.Error = pg.T.BadForm
		render(w, http.StatusForbidden, "device", pg)
		return
	}
	acc, err := p.st.store.Account(r.Context(), account)
	if err != nil || acc.Disabled {
		pg.Error = pg.T.Disabled
		render(w, http.StatusForbidden, "device", pg)
		return
	}
	allow := r.PostForm.Get("action") == "allow"
	if err := p.st.decideDevice(r.Context(), code, acc, allow); err != nil {
		pg.Error = pg.T.BadCode
		render(w, http.StatusNotFound, "device", pg)
		return
	}
	pg.Message = pg.T.Denied
	if allow {
		pg.Message = pg.T.Allowed
	}
	render(w, http.StatusOK, "message", pg)
}

func (p *Provider) handleLoggedOut(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r, nil)
	render(w, http.StatusOK, "message", page{Lang: lang, T: words[lang], Message: words[lang].LoggedOut})
}
