package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// A session is a signed cookie: who signed in and until when, with an
// HMAC keyed by the staff token. Nothing is kept on the server, so any
// process of the backend that knows the token accepts it, and a new
// token signs everyone out. The CSRF token of a session is derived from
// it (an HMAC of the cookie), so it needs no store either.

// sessionTTL is how long a sign-in lasts.
const sessionTTL = 8 * time.Hour

type session struct {
	Name string `json:"n"`
	// Office is the clerk's office when they signed in with its token
	// ("" for the staff token: every office).
	Office  string `json:"o,omitempty"`
	Expires int64  `json:"e"`
	Nonce   string `json:"r"`
}

type sessions struct {
	key    []byte
	secure bool
	now    func() time.Time
}

func newSessions(token string, secure bool, now func() time.Time) sessions {
	k := sha256.Sum256([]byte("rathaus staff console session\x00" + token))
	return sessions{key: k[:], secure: secure, now: now}
}

// cookieName: the __Host- prefix makes browsers keep the cookie to this
// host and path /, and only over TLS.
func (s sessions) cookieName() string {
	if s.secure {
		return "__Host-rathaus_staff"
	}
	return "rathaus_staff"
}

func (s sessions) mac(parts ...string) string {
	m := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// issue makes the cookie of a new session for name.
func (s sessions) issue(name, office string) *http.Cookie {
	b, _ := json.Marshal(session{Name: name, Office: office, Expires: s.now().Add(sessionTTL).Unix(), Nonce: randomToken()})
	v := base64.RawURLEncoding.EncodeToString(b)
	return s.cookie(v+"."+s.mac("session", v), int(sessionTTL.Seconds()))
}

func (s sessions) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: s.cookieName(), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode}
}

// clear is the cookie that ends the session in the browser.
func (s sessions) clear() *http.Cookie { return s.cookie("", -1) }

// of returns the request's session and its cookie value, if it has a
// valid one.
func (s sessions) of(r *http.Request) (session, string, bool) {
	c, err := r.Cookie(s.cookieName())
	if err != nil {
		return session{}, "", false
	}
	v, sig, ok := strings.Cut(c.Value, ".")
	if !ok || subtle.ConstantTimeCompare([]byte(sig), []byte(s.mac("session", v))) != 1 {
		return session{}, "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return session{}, "", false
	}
	var ss session
	if json.Unmarshal(b, &ss) != nil || ss.Name == "" || s.now().Unix() >= ss.Expires {
		return session{}, "", false
	}
	return ss, c.Value, true
}

// csrf is the CSRF token of the session whose cookie value is given.
func (s sessions) csrf(cookieValue string) string { return s.mac("csrf", cookieValue) }

// checkCSRF reports whether a form carries the session's CSRF token.
func (s sessions) checkCSRF(r *http.Request, cookieValue string) bool {
	got := r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf(cookieValue))) == 1
}

// Before sign-in there is no session: the sign-in form's CSRF token is a
// random value in a cookie of its own, sent back in the form (double
// submit), so that no other site can sign a browser in.
func (s sessions) loginCookieName() string {
	if s.secure {
		return "__Host-rathaus_login"
	}
	return "rathaus_login"
}

func randomToken() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
