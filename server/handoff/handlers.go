package handoff

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net/http"
	"time"

	"rathaus/api"
)

// Config is what the area needs from the core server.
type Config struct {
	Store Store
	Now   func() time.Time
	// Device is the id of the device the core authenticated the request
	// as; ok=false without one.
	Device func(r *http.Request) (id string, ok bool)
	// Failure is the core's answer to a store that failed, logged.
	Failure func(ctx context.Context, what string, err error, args ...any) *api.Problem
	// Decode reads the JSON body into v by the core's input rule.
	Decode func(w http.ResponseWriter, r *http.Request, what string, v any) *api.Problem
}

// Area serves the handoffs.
type Area struct{ cfg Config }

// New checks the configuration.
func New(cfg Config) (*Area, error) {
	if cfg.Store == nil || cfg.Device == nil || cfg.Failure == nil || cfg.Decode == nil {
		return nil, errors.New("handoff: incomplete configuration")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Area{cfg: cfg}, nil
}

// Route is one endpoint; Device says the core must authenticate the
// device first.
type Route struct {
	Method, Path string
	Device       bool
	Handler      http.HandlerFunc
}

// Routes lists the area's endpoints, for the core to mount. The claim
// needs no device: the phone may never have met this backend, and the id
// (128 random bits) with the key in the QR code is what entitles it.
func (a *Area) Routes() []Route {
	return []Route{
		{"POST", api.PathHandoffs, true, a.handleCreate},
		{"GET", api.PathHandoffs + "{id}", true, a.handleState},
		{"POST", api.PathHandoffs + "{id}/claim", false, a.handleClaim},
	}
}

// NewID is 128 random bits in base32, lower case, without padding: short
// enough to type from a receipt, long enough not to be guessed.
func NewID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return lowerBase32.EncodeToString(b)
}

var lowerBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func (a *Area) handleCreate(w http.ResponseWriter, r *http.Request) {
	device, ok := a.cfg.Device(r)
	if !ok {
		api.WriteProblem(w, &api.Problem{Title: "Unauthorized", Status: http.StatusUnauthorized, Detail: "A handoff needs the kiosk's device credential."})
		return
	}
	var in api.NewHandoff
	if prob := a.cfg.Decode(w, r, "a handoff", &in); prob != nil {
		api.WriteProblem(w, prob)
		return
	}
	// AES-GCM's nonce (12) and tag (16) at least; a bound on the rest.
	if len(in.Ciphertext) < 28 || len(in.Ciphertext) > api.HandoffMaxBytes {
		api.WriteProblem(w, &api.Problem{Type: api.ProblemValidation, Title: "Unprocessable Content", Status: http.StatusUnprocessableEntity,
			Detail: fmt.Sprintf("The ciphertext must have 28 to %d bytes.", api.HandoffMaxBytes),
			Errors: []api.FieldError{{Pointer: "/ciphertext", Code: "length", Detail: "missing, too short or too long",
				Message: api.Text{"de": "Der verschlüsselte Entwurf fehlt oder ist zu kurz oder zu lang.",
					"en": "The encrypted draft is missing, too short or too long."}}}})
		return
	}
	now := a.cfg.Now().UTC()
	h := Handoff{ID: NewID(), Device: device, Ciphertext: in.Ciphertext, Created: now, Expires: now.Add(api.HandoffTTL)}
	if err := a.cfg.Store.CreateHandoff(r.Context(), h); err != nil {
		api.WriteProblem(w, a.cfg.Failure(r.Context(), "handoff", err))
		return
	}
	api.WriteJSON(w, http.StatusCreated, api.Handoff{ID: h.ID, Expires: h.Expires})
}

func (a *Area) handleState(w http.ResponseWriter, r *http.Request) {
	device, ok := a.cfg.Device(r)
	if !ok {
		api.WriteProblem(w, &api.Problem{Title: "Unauthorized", Status: http.StatusUnauthorized, Detail: "A handoff's state needs the kiosk's device credential."})
		return
	}
	h, err := a.cfg.Store.Handoff(r.Context(), r.PathValue("id"))
	// Another device's handoff is as unknown as a missing one.
	if errors.Is(err, ErrNotFound) || (err == nil && h.Device != device) {
		api.WriteProblem(w, notFound())
		return
	}
	if err != nil {
		api.WriteProblem(w, a.cfg.Failure(r.Context(), "handoff", err))
		return
	}
	out := api.Handoff{ID: h.ID, Expires: h.Expires.UTC()}
	if !h.Claimed.IsZero() {
		c := h.Claimed.UTC()
		out.Claimed = &c
	}
	api.WriteJSON(w, http.StatusOK, out)
}

func (a *Area) handleClaim(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ct, err := a.cfg.Store.ClaimHandoff(r.Context(), id, a.cfg.Now().UTC())
	switch {
	case errors.Is(err, ErrNotFound):
		api.WriteProblem(w, notFound())
	case errors.Is(err, ErrClaimed):
		api.WriteProblem(w, &api.Problem{Type: api.ProblemHandoffClaimed, Title: "Gone", Status: http.StatusGone,
			Detail: "This draft was taken over already, on another phone or earlier on this one. Ask at the kiosk for a new code."})
	case errors.Is(err, ErrExpired):
		api.WriteProblem(w, &api.Problem{Type: api.ProblemHandoffExpired, Title: "Gone", Status: http.StatusGone,
			Detail: "This code expired: a handoff waits 30 minutes. Ask at the kiosk for a new code."})
	case err != nil:
		api.WriteProblem(w, a.cfg.Failure(r.Context(), "handoff claim", err))
	default:
		api.WriteJSON(w, http.StatusOK, api.HandoffClaim{ID: id, Ciphertext: ct})
	}
}

func notFound() *api.Problem {
	return &api.Problem{Title: "Not Found", Status: http.StatusNotFound, Detail: "There is no such handoff. Check the code."}
}
