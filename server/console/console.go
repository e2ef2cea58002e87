// Package console is the staff console at /staff/: server-rendered pages
// (html/template, no JavaScript) where clerks sign in, find cases, read
// what was submitted, open its attachments and move the case through its
// workflow, in German or English. Every action goes through
// server/casework, which writes it to the audit log. Pages carry a strict
// Content-Security-Policy, forms a CSRF token, the session cookie is
// HttpOnly, SameSite=Strict and, behind TLS, Secure.
package console

import (
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/server/casework"
	"rathaus/server/reportwork"
)

// Prefix is where the console is mounted.
const Prefix = "/staff/"

// Forms is what the console needs of the published catalog: service
// titles and the forms' labels (*server.Server has both).
type Forms interface {
	Catalog() api.Catalog
	Form(id string, version int) *formschema.Form
}

// Config is what New needs.
type Config struct {
	Casework *casework.Service
	Forms    Forms
	// Reports works issue reports (the "Meldungen" pages); nil: none.
	Reports *reportwork.Service
	// ReportServices name the reports' categories (else shown by code).
	ReportServices api.ReportServices
	// StaffToken signs clerks in until staff accounts exist, to every
	// office's cases; empty: the console answers 404.
	StaffToken string
	// OfficeTokens, by office (as the catalog's services name it), sign
	// clerks in to the cases of their office's services only.
	OfficeTokens map[string]string
	// StaffAccounts signs clerks in with the email and password of an
	// account with the staff role (server/oidc's Provider.SignInStaff), to
	// every office's cases; nil: the token sign-in only.
	StaffAccounts func(r *http.Request, email, password string) (actor string, retryAfter time.Duration, ok bool)
	// UploadDir is the tus file store's folder, where the attachments'
	// bytes are (one file per upload id).
	UploadDir string
	// Secure marks the cookies Secure also for requests that did not come
	// over TLS themselves (a TLS proxy in front); over TLS they always are.
	Secure bool
	// OverdueAfter is how long a case may wait before the list calls it
	// overdue (0: 14 days).
	OverdueAfter time.Duration
	// Authority decrypts end-to-end encrypted cases for the clerk (the
	// authority's private key, rathaus-server --authority-key); nil: such
	// cases show that the key is missing.
	Authority Decrypter
	Now       func() time.Time // time.Now when nil
	Logger    *slog.Logger     // slog.Default() when nil
}

// Console serves the staff console.
type Console struct {
	cfg      Config
	sessions sessions
	failures *failures
	tmpl     *template.Template
	mux      *http.ServeMux
	log      *slog.Logger
}

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var static embed.FS

// csp allows the console's own style sheet and nothing else: no script,
// no frames, forms only to itself.
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// New builds the console.
func New(cfg Config) (*Console, error) {
	if cfg.Casework == nil || cfg.Forms == nil {
		return nil, errors.New("console: no casework or forms")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.OverdueAfter == 0 {
		cfg.OverdueAfter = 14 * 24 * time.Hour
	}
	c := &Console{cfg: cfg, sessions: newSessions(cfg.StaffToken, cfg.Secure, cfg.Now), failures: newFailures(cfg.Now),
		mux: http.NewServeMux(), log: cfg.Logger}
	t, err := template.New("").Funcs(c.funcs()).ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	c.tmpl = t
	sub, _ := fs.Sub(static, "static")
	c.mux.Handle("GET /staff/static/", http.StripPrefix("/staff/static/", http.FileServerFS(sub)))
	c.mux.HandleFunc("GET /staff/{$}", c.authed(func(w http.ResponseWriter, r *http.Request, _ *request) {
		http.Redirect(w, r, "/staff/cases", http.StatusSeeOther)
	}))
	c.mux.HandleFunc("GET /staff/login", c.handleLoginPage)
	c.mux.HandleFunc("POST /staff/login", c.handleLogin)
	c.mux.HandleFunc("POST /staff/logout", c.authed(c.handleLogout))
	c.mux.HandleFunc("GET /staff/lang", c.handleLang)
	c.mux.HandleFunc("GET /staff/cases", c.authed(c.handleList))
	c.mux.HandleFunc("GET /staff/cases/{id}", c.authed(c.handleCase))
	c.mux.HandleFunc("POST /staff/cases/{id}/take", c.authed(c.handleTake))
	c.mux.HandleFunc("POST /staff/cases/{id}/advance", c.authed(c.handleAdvance))
	c.mux.HandleFunc("POST /staff/cases/{id}/note", c.authed(c.handleNote))
	c.mux.HandleFunc("GET /staff/cases/{id}/attachments/{upload}", c.authed(c.handleAttachment))
	c.mux.HandleFunc("GET /staff/cases/{id}/audit.csv", c.authed(c.handleAuditCSV))
	c.mux.HandleFunc("GET /staff/cases/{id}/notice.pdf", c.authed(c.handleNotice))
	c.mux.HandleFunc("GET /staff/audit.csv", c.authed(c.handleAuditCSV))
	if cfg.Reports != nil {
		c.mountReports()
	}
	return c, nil
}

// ServeHTTP implements http.Handler.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c.cfg.StaffToken == "" {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	if r.Method == http.MethodPost && !sameOrigin(r) {
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
		return
	}
	c.mux.ServeHTTP(w, r)
}

// sameOrigin refuses a POST that a browser says came from another site
// (Sec-Fetch-Site, or an Origin of another host); requests without
// either (not from a browser) pass to the CSRF token check.
func sameOrigin(r *http.Request) bool {
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" && s != "same-origin" && s != "none" {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		host := strings.TrimPrefix(strings.TrimPrefix(o, "https://"), "http://")
		return host == r.Host
	}
	return true
}

// request is a signed-in request: the clerk and the session's CSRF token.
type request struct {
	name   string
	office string // "" for every office
	csrf   string
	lang   string
}

// actor is how the audit log names the clerk: with the office they
// signed in for.
func (rq *request) actor() string {
	if rq.office == "" {
		return rq.name
	}
	return rq.name + " (" + rq.office + ")"
}

// authed runs h for a signed-in clerk, whose POSTs must carry the
// session's CSRF token; others go to the sign-in page.
func (c *Console) authed(h func(http.ResponseWriter, *http.Request, *request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, cookie, ok := c.sessionsFor(r).of(r)
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/staff/login?back="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost && !c.sessionsFor(r).checkCSRF(r, cookie) {
			http.Error(w, "the form's CSRF token is missing or wrong; reload the page", http.StatusForbidden)
			return
		}
		h(w, r, &request{name: s.Name, office: s.Office, csrf: c.sessionsFor(r).csrf(cookie), lang: langOf(r)})
	}
}

// sessionsFor is the sessions of a request: Secure cookies when it came
// over TLS, or when the console sits behind a TLS proxy (Config.Secure).
func (c *Console) sessionsFor(r *http.Request) sessions {
	s := c.sessions
	s.secure = s.secure || r.TLS != nil
	return s
}

// signInAs checks a token: the staff token (every office, ""), or an
// office's; ok false for none. Compared in constant time, each.
func (c *Console) signInAs(tok string) (office string, ok bool) {
	same := func(a, b string) bool {
		x, y := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
		return subtle.ConstantTimeCompare(x[:], y[:]) == 1
	}
	if same(tok, c.cfg.StaffToken) {
		return "", true
	}
	for o, t := range c.cfg.OfficeTokens {
		if t != "" && same(tok, t) {
			return o, true
		}
	}
	return "", false
}

// officeServices lists the services a clerk of the office may see (nil:
// every one, for the staff token).
func (c *Console) officeServices(office string) []string {
	if office == "" {
		return nil
	}
	out := []string{}
	for _, s := range c.cfg.Forms.Catalog().Services {
		if s.Office == office {
			out = append(out, s.ID)
		}
	}
	return out
}

// mayOpen reports whether the clerk may see and work the case of this
// service.
func (c *Console) mayOpen(rq *request, service string) bool {
	if rq.office == "" {
		return true
	}
	for _, s := range c.cfg.Forms.Catalog().Services {
		if s.ID == service {
			return s.Office == rq.office
		}
	}
	return false
}

// safeBack is a path inside the console to go back to, or the list.
func safeBack(p string) string {
	if strings.HasPrefix(p, Prefix) && !strings.HasPrefix(p, "//") && !strings.ContainsAny(p, "\\\r\n") {
		return p
	}
	return "/staff/cases"
}
