package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"rathaus/api"
)

// maxDeviceRequestBytes bounds the body of POST /v1/devices.
const maxDeviceRequestBytes = 4 << 10

// maxDeviceLabel bounds the platform and app version a device reports.
const maxDeviceLabel = 64

func (s *Server) handleRegisterDevice(w http.ResponseWriter, r *http.Request) {
	if ok, wait := s.registrations.allow(clientAddr(r.RemoteAddr)); !ok {
		p, secs := rateLimited(wait, "device registrations")
		w.Header().Set("Retry-After", secs)
		writeProblem(w, p)
		return
	}
	raw, p := readBody(w, r, maxDeviceRequestBytes, "")
	if p != nil {
		writeProblem(w, badRequest("The body could not be read, or is larger than 4 KiB."))
		return
	}
	body, p := parseBody(raw, "a device registration")
	if p == nil {
		p = body.refused("a device registration", "", func(string) bool { return false })
	}
	if p != nil {
		writeProblem(w, p)
		return
	}
	var req api.DeviceRequest
	if err := body.decode(&req); err != nil {
		writeProblem(w, badRequest("The body is not a device registration: "+err.Error()))
		return
	}
	for _, f := range []struct{ name, v string }{{"platform", req.Platform}, {"app_version", req.AppVersion}} {
		if len(f.v) > maxDeviceLabel || !utf8.ValidString(f.v) || strings.ContainsFunc(f.v, isControl) {
			writeProblem(w, badRequest(`"`+f.name+`" must be at most 64 bytes of text without control characters.`))
			return
		}
	}
	var signingKey []byte
	if req.SigningKey != "" {
		var err error
		if signingKey, err = api.ParseSigningKey(req.SigningKey); err != nil {
			writeProblem(w, badRequest(`"signing_key": `+err.Error()+"."))
			return
		}
	}
	token := make([]byte, 32)
	_, _ = rand.Read(token) // crypto/rand.Read never fails (Go 1.24+)
	d := api.Device{ID: newID("d_"), Token: base64.RawURLEncoding.EncodeToString(token)}
	sum := sha256.Sum256(token)
	err := s.store.CreateDevice(r.Context(), NewDevice{
		ID: d.ID, TokenHash: sum[:], Platform: req.Platform, AppVersion: req.AppVersion, SigningKey: signingKey,
		Created: s.now().UTC().Truncate(time.Second),
	})
	if err != nil {
		writeProblem(w, s.failure(r.Context(), "register device", err))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, d)
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// newID returns prefix + 16 random hex digits.
func newID(prefix string) string { return prefix + randomHex(8) }

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

type deviceKey struct{}

// deviceFrom returns the device that made the request, if it sent a valid
// credential.
func deviceFrom(ctx context.Context) (Device, bool) {
	d, ok := ctx.Value(deviceKey{}).(Device)
	return d, ok
}

// withDevice authenticates the request's device credential
// ("Authorization: Bearer <token>"). A request without one goes on
// anonymously unless required; a bad or unknown one is always refused, so
// that a client never mistakes itself for anonymous.
func (s *Server) withDevice(required bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d, ok, refuse := s.authenticate(r)
		switch {
		case refuse != nil:
			refuse(w)
		case !ok && required:
			writeUnauthorized(w, "This request needs the device's credential: \"Authorization: Bearer <token>\" with the token from POST /v1/devices.")
		case !ok:
			h(w, r)
		default:
			h(w, r.WithContext(context.WithValue(r.Context(), deviceKey{}, d)))
		}
	}
}

// authenticate finds the device whose credential the request carries:
// ok=false for a request without one; refuse, when not nil, writes the
// answer to a bad or unknown credential (or to a store that failed).
func (s *Server) authenticate(r *http.Request) (d Device, ok bool, refuse func(http.ResponseWriter)) {
	vals := r.Header.Values("Authorization")
	if len(vals) == 0 {
		return Device{}, false, nil
	}
	tok, ok := bearer(vals)
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if !ok || err != nil || len(raw) != 32 {
		return Device{}, false, func(w http.ResponseWriter) {
			writeUnauthorized(w, "The Authorization header is not \"Bearer <token>\" with a device token.")
		}
	}
	sum := sha256.Sum256(raw)
	d, err = s.store.DeviceByToken(r.Context(), sum[:])
	switch {
	case errors.Is(err, ErrNotFound):
		return Device{}, false, func(w http.ResponseWriter) {
			writeUnauthorized(w, "The device token is unknown; register the device again.")
		}
	case err != nil:
		p := s.failure(r.Context(), "authenticate device", err)
		return Device{}, false, func(w http.ResponseWriter) { writeProblem(w, p) }
	}
	return d, true, nil
}

// bearer returns the token of exactly one "Bearer <token>" header.
func bearer(vals []string) (string, bool) {
	if len(vals) != 1 {
		return "", false
	}
	scheme, tok, ok := strings.Cut(vals[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

func writeUnauthorized(w http.ResponseWriter, detail string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="rathaus"`)
	writeProblem(w, problem(http.StatusUnauthorized, api.ProblemUnauthorized, "Unauthorized", detail))
}
