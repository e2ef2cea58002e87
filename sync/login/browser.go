package login

import (
	"context"
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"rathaus/app/citizen"
)

// callbackPath is the loopback redirect's path; the provider registers
// http://127.0.0.1/callback and accepts any port (RFC 8252 7.3).
const callbackPath = "/callback"

// Login logs in through the system browser: authorization code with PKCE
// S256, the answer on a loopback listener at 127.0.0.1 on a random port
// that lives for this login only. It returns when the browser came back (or
// ctx ends: the citizen cancelled), the tokens are kept and the device
// link was tried.
func (m *Manager) Login(ctx context.Context) (Account, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Account{}, citizen.Transient(citizen.EINTERNAL, "The app could not wait for the browser's answer.", err)
	}
	defer ln.Close()
	redirect := "http://127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) + callbackPath
	party, err := m.party(ctx, redirect)
	if err != nil {
		return Account{}, err
	}
	state, verifier := randomString(), randomString()
	codes := make(chan callback, 1)
	srv := &http.Server{Handler: &callbackHandler{state: state, out: codes}, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		// The page has been written: let it reach the browser, then close.
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()

	u, err := url.Parse(rp.AuthURL(state, party, rp.WithCodeChallenge(oidc.NewSHACodeChallenge(verifier))))
	if err == nil && m.cfg.Open == nil {
		err = errors.New("no browser to open")
	}
	if err == nil {
		err = m.cfg.Open(u)
	}
	if err != nil {
		return Account{}, citizen.Transient(citizen.EINTERNAL, "The browser could not be opened.", err)
	}
	var cb callback
	select {
	case <-ctx.Done():
		return Account{}, ctx.Err()
	case cb = <-codes:
	}
	if cb.err != "" {
		return Account{}, &citizen.Error{Code: citizen.EAUTH, Message: "The town hall did not accept the login.",
			Err: errors.New(cb.err)}
	}
	tokens, err := rp.CodeExchange[*oidc.IDTokenClaims](ctx, cb.code, party, rp.WithCodeVerifier(verifier))
	if err != nil {
		return Account{}, refused(ctx, err)
	}
	return m.finish(ctx, party, tokens.AccessToken, tokens.RefreshToken, tokens.IDToken, tokens.TokenType, tokens.Expiry)
}

// callback is what the browser brought back: a code, or the provider's
// error.
type callback struct {
	code string
	err  string
}

// callbackHandler answers the browser's redirect. A request without the
// login's state is refused and the wait goes on: only the provider's
// redirect for this login ends it (RFC 6749 10.12).
type callbackHandler struct {
	state string
	out   chan callback
}

func (h *callbackHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != callbackPath {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(h.state)) != 1 {
		page(w, http.StatusBadRequest, false)
		return
	}
	cb := callback{code: q.Get("code"), err: q.Get("error")}
	if cb.code == "" && cb.err == "" {
		cb.err = "no code"
	}
	select {
	case h.out <- cb:
	default: // a second answer: the first one counts
	}
	page(w, http.StatusOK, cb.err == "")
}

// page is what the browser shows: the citizen goes back to the app. In
// German and English, as the browser's language is not the app's.
func page(w http.ResponseWriter, status int, ok bool) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	body := pageOK
	if !ok {
		body = pageFailed
	}
	_, _ = w.Write([]byte(body))
}

const pageHead = `<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">` +
	`<meta name="viewport" content="width=device-width, initial-scale=1"><title>Rathaus</title></head>` +
	`<body style="font-family:sans-serif;font-size:1.25rem;max-width:36rem;margin:3rem auto;padding:0 1rem">`

const pageOK = pageHead +
	`<h1>Angemeldet</h1><p>Sie können dieses Fenster schließen und zur Rathaus-App zurückkehren.</p>` +
	`<h1 lang="en">Logged in</h1><p lang="en">You may close this window and return to the Rathaus app.</p></body></html>`

const pageFailed = pageHead +
	`<h1>Anmeldung nicht gelungen</h1><p>Bitte kehren Sie zur Rathaus-App zurück und versuchen Sie es noch einmal.</p>` +
	`<h1 lang="en">Login failed</h1><p lang="en">Please return to the Rathaus app and try again.</p></body></html>`
