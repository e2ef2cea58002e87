package server

import (
	"context"
	"errors"
	"net/http"

	"rathaus/api"
	"rathaus/server/accounts"
	"rathaus/server/oidc"
)

// maxLinkRequestBytes bounds the body of an account link (one token).
const maxLinkRequestBytes = 8 << 10

// mountOIDC serves the backend's own OpenID provider (server/oidc) at the
// root paths its library uses, when Config.OIDC names an issuer.
func (s *Server) mountOIDC(cfg Config) error {
	if cfg.OIDC.Issuer == "" {
		return nil
	}
	c := cfg.OIDC
	c.Store = s.store
	if c.Logger == nil {
		c.Logger = s.log
	}
	if c.Now == nil {
		c.Now = s.now
	}
	p, err := oidc.New(c)
	if err != nil {
		return err
	}
	s.oidc = p
	// Each authorization request and device authorization is a row in the
	// store until it expires: bounded per client address.
	starts := newLimiter(orDefault(cfg.LoginStartsPerHour, DefaultLoginStartsPerHour), s.now)
	for _, path := range oidc.Paths {
		var h http.Handler = p
		if path == "/authorize" || path == "/device_authorization" {
			h = limitStarts(starts, p)
		}
		s.mux.Handle(path, h)
	}
	return nil
}

// DefaultLoginStartsPerHour bounds the logins begun (authorization and
// device authorization requests) per client address and hour when
// Config.LoginStartsPerHour is 0.
const DefaultLoginStartsPerHour = 120

// limitStarts answers 429 to a client address that began too many logins.
func limitStarts(l *limiter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := l.allow(clientAddr(r.RemoteAddr)); !ok {
			p, secs := rateLimited(wait, "logins begun")
			w.Header().Set("Retry-After", secs)
			writeProblem(w, p)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// OIDC is the backend's OpenID provider; nil when Config.OIDC has no
// issuer.
func (s *Server) OIDC() *oidc.Provider { return s.oidc }

// handleAccountLink serves POST api.PathAccountLink: the device joins the
// account of the access token (the provider's own, checked here).
func (s *Server) handleAccountLink(w http.ResponseWriter, r *http.Request) {
	if s.oidc == nil {
		writeProblem(w, notFound("This server has no login."))
		return
	}
	d, _ := deviceFrom(r.Context())
	raw, p := readBody(w, r, maxLinkRequestBytes, "")
	if p != nil {
		writeProblem(w, badRequest("The body could not be read, or is larger than 8 KiB."))
		return
	}
	body, p := parseBody(raw, "an account link")
	if p == nil {
		p = body.refused("an account link", "", func(string) bool { return false })
	}
	if p != nil {
		writeProblem(w, p)
		return
	}
	var req api.AccountLinkRequest
	if err := body.decode(&req); err != nil || req.AccessToken == "" {
		writeProblem(w, badRequest(`The body is not an account link: it needs "access_token".`))
		return
	}
	acc, err := s.oidc.Verify(r.Context(), req.AccessToken)
	switch {
	case errors.Is(err, oidc.ErrInvalidToken):
		writeUnauthorized(w, "The access token is not valid: expired, revoked, not this server's, or of a disabled account. Log in again.")
		return
	case err != nil:
		writeProblem(w, s.failure(r.Context(), "account link: verify token", err))
		return
	}
	if err := s.store.LinkDevices(r.Context(), acc.ID, d.ID); err != nil {
		writeProblem(w, s.failure(r.Context(), "account link", err))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, api.AccountLink{Account: acc.ID, Name: acc.Name, Email: acc.Email})
}

// handleAccountUnlink serves POST api.PathAccountUnlink.
func (s *Server) handleAccountUnlink(w http.ResponseWriter, r *http.Request) {
	d, _ := deviceFrom(r.Context())
	if err := s.store.UnlinkDevice(r.Context(), d.ID); err != nil {
		writeProblem(w, s.failure(r.Context(), "account unlink", err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// staffAccount returns the staff account whose access token the request
// carries; ok=false when it carries none of a staff account.
func (s *Server) staffAccount(ctx context.Context, r *http.Request) (acc accounts.Account, ok bool, err error) {
	if s.oidc == nil {
		return acc, false, nil
	}
	tok, found := bearer(r.Header.Values("Authorization"))
	if !found {
		return acc, false, nil
	}
	acc, err = s.oidc.Verify(ctx, tok)
	if errors.Is(err, oidc.ErrInvalidToken) {
		return acc, false, nil
	}
	if err != nil {
		return acc, false, err
	}
	return acc, acc.Has(api.RoleStaff), nil
}
