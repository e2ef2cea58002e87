package server

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"rathaus/api"
	"rathaus/server/casework"
)

// maxSubmissionBytes bounds a submission body; attachments travel separately
// (tus), so form data is small.
const maxSubmissionBytes = maxBodyBytes

func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request) {
	key, p := idempotencyKey(r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	req, data, p := readSubmission(w, r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	dev, _ := deviceFrom(r.Context())
	nc := NewCase{
		ID:      newID("c_"),
		Service: req.Service,
		Form:    req.Form,
		Data:    req.Data,
		Status:  api.StatusReceived,
		Created: s.now().UTC().Truncate(time.Second),
		Device:  dev.ID,
		Seal:    casework.Seal{Encrypted: req.Encrypted},
	}
	hash := requestHash(nc)
	// A known key is answered before anything else: a retry whose first
	// attempt made a case gets that case, even if the form was withdrawn
	// since or its rules changed. Keys are scoped per device (anonymous
	// clients share one scope), so a key never finds another device's case.
	c, found, err := s.store.ReplayCase(r.Context(), nc.Device, key, hash)
	if err == nil && !found {
		if s.pub.Load().loginOnly[req.Service] && dev.Account == "" {
			writeProblem(w, problem(http.StatusForbidden, api.ProblemLoginRequired, "Login Required",
				"This service takes applications only from a logged-in citizen: log in on this device, then send again."))
			return
		}
		if p, retry := s.checkSubmission(r.Context(), r, dev); p != nil {
			if retry != "" {
				w.Header().Set("Retry-After", retry)
			}
			writeProblem(w, p)
			return
		}
		atts, p := s.checkSealed(r.Context(), req, data, dev.ID)
		if p != nil {
			writeProblem(w, p)
			return
		}
		seal, p := s.checkSeal(req, key, dev, atts)
		if p != nil {
			writeProblem(w, p)
			return
		}
		nc.Attachments, nc.Seal = atts, seal
		c, found, err = s.store.CreateCase(r.Context(), key, hash, nc)
	}
	if ae, ok := errors.AsType[*AttachmentError](err); ok {
		// An upload went away between the check and the case (the
		// janitor): the case was not made.
		writeProblem(w, validationProblem([]api.FieldError{attachmentFieldError(ae.Pointer, ae.Reason, nil)}))
		return
	}
	switch {
	case errors.Is(err, ErrKeyReused):
		writeProblem(w, problem(http.StatusUnprocessableEntity, api.ProblemIdempotencyReuse,
			"Idempotency Key Reused", "This Idempotency-Key was used before with a different request; make a new key for a new submission."))
		return
	case err != nil:
		writeProblem(w, s.failure(r.Context(), "submit: store case", err))
		return
	}
	if found {
		w.Header().Set(api.HeaderReplayed, "true")
	}
	writeJSON(w, http.StatusCreated, c)
}

// checkSealed checks a submission in clear as check does; one encrypted to
// the service's key only by its envelope and form (the app validated the
// data before it encrypted it; the backend cannot see it). An encrypted
// submission names no attachments: its data is all the backend keeps.
func (s *Server) checkSealed(ctx context.Context, req *api.SubmissionRequest, data map[string]any, device string) ([]CaseAttachment, *api.Problem) {
	if p := s.checkEnvelope(req); p != nil {
		return nil, p
	}
	if req.Encrypted == "" {
		return s.check(ctx, req, data, device)
	}
	_, p := s.formFor(req)
	return nil, p
}

// check finds the submission's form and validates the data against it,
// then its attachments against their uploads; it returns the attachments
// for the case. This server is the trust boundary: the app's validation is
// a convenience only.
func (s *Server) check(ctx context.Context, req *api.SubmissionRequest, data map[string]any, device string) ([]CaseAttachment, *api.Problem) {
	f, p := s.formFor(req)
	if p != nil {
		return nil, p
	}
	// data is what parseJSON made of the body: ValidateJSON's own
	// decoding of req.Data would give the same (a test holds them
	// together) for 3 % of the backend's CPU under load.
	errs := f.compiled.ValidateDecoded(data)
	atts, attErrs, p := s.checkAttachments(ctx, f.compiled.Def, data, device)
	if p != nil {
		return nil, p
	}
	// A value the schema refused already has its message.
	refused := map[string]bool{}
	for _, e := range errs {
		refused[e.Pointer] = true
	}
	for _, e := range attErrs {
		if !refused[e.Pointer] {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		return nil, validationProblem(errs)
	}
	return atts, nil
}

func validationProblem(errs []api.FieldError) *api.Problem {
	vp := problem(http.StatusUnprocessableEntity, api.ProblemValidation, "Validation Failed",
		fmt.Sprintf("%d field(s) failed the form's rules.", len(errs)))
	vp.Errors = errs
	return vp
}

// idempotencyKey returns the request's key: exactly one header of 1 to 255
// printable ASCII characters.
func idempotencyKey(r *http.Request) (string, *api.Problem) {
	bad := func(detail string) *api.Problem {
		return problem(http.StatusBadRequest, api.ProblemMissingKey, "Idempotency Key Missing or Malformed", detail)
	}
	vals := r.Header.Values(api.HeaderIdempotencyKey)
	switch {
	case len(vals) == 0 || vals[0] == "":
		return "", bad("Send an Idempotency-Key header, made once per submission and repeated on every retry.")
	case len(vals) > 1:
		return "", bad("Send exactly one Idempotency-Key header.")
	case len(vals[0]) > 255:
		return "", bad("The Idempotency-Key must be at most 255 characters long.")
	}
	for i := 0; i < len(vals[0]); i++ {
		if c := vals[0][i]; c < 0x20 || c > 0x7e {
			return "", bad("The Idempotency-Key must be printable ASCII.")
		}
	}
	return vals[0], nil
}

// readSubmission reads and decodes the body. It returns the request, with
// Data in canonical form (keys sorted, numbers canonical: see jsonin.go),
// and its data decoded to plain Go values (numbers as json.Number, so that
// re-encoding loses no digits). A value of the data that breaks the input
// rule is a 422 naming it; anything else wrong is a 400.
func readSubmission(w http.ResponseWriter, r *http.Request) (*api.SubmissionRequest, map[string]any, *api.Problem) {
	raw, p := readBody(w, r, maxSubmissionBytes,
		fmt.Sprintf("A submission may be at most %d bytes; send attachments as uploads.", maxSubmissionBytes))
	if p != nil {
		return nil, nil, p
	}
	body, p := parseBody(raw, "a submission")
	if p != nil {
		return nil, nil, p
	}
	if p := body.refused("a submission", "/data", under("/data")); p != nil {
		return nil, nil, p
	}
	var req api.SubmissionRequest
	top, isObject := body.value.(map[string]any)
	head := body
	if isObject {
		// The data is encoded once, below, and replaces req.Data: decoding
		// it into req as well would encode and decode it twice more, for
		// nothing (a json.RawMessage takes any JSON).
		head.value = mapWithout(top, "data")
	}
	if err := head.decode(&req); err != nil {
		return nil, nil, badRequest("The body is not a submission: " + err.Error())
	}
	if req.Service == "" {
		return nil, nil, badRequest(`"service" is missing.`)
	}
	if req.Encrypted != "" {
		// The data travels only inside the JWE; the case's data is {}.
		if _, clear := top["data"]; clear {
			return nil, nil, badRequest(`An encrypted submission carries its data only in "encrypted", not in "data".`)
		}
		req.Data = json.RawMessage("{}")
		return &req, map[string]any{}, nil
	}
	data, ok := top["data"].(map[string]any)
	if !ok {
		return nil, nil, badRequest(`"data" must be a JSON object.`)
	}
	// encoding/json sorts the keys: same data, same bytes. It escapes <, >
	// and & as it always did here, so that the request hashes of keys
	// stored before stay the same.
	canonical, err := json.Marshal(data)
	if err != nil {
		return nil, nil, badRequest(`"data" cannot be encoded: ` + err.Error())
	}
	req.Data = canonical
	return &req, data, nil
}

// mapWithout returns a shallow copy of m without key.
func mapWithout(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// formFor finds the form a submission names. It must be the service's form
// in its current version or, for drafts begun before an update, an older one
// that is still loaded.
func (s *Server) formFor(req *api.SubmissionRequest) (*form, *api.Problem) {
	unknown := func(detail string) *api.Problem {
		return problem(http.StatusNotFound, api.ProblemUnknownForm, "Unknown Form", detail)
	}
	pub := s.pub.Load()
	current, ok := pub.services[req.Service]
	if !ok {
		return nil, unknown(fmt.Sprintf("There is no service %q.", req.Service))
	}
	f := pub.forms[formKey(req.Form.ID, req.Form.Version)]
	if f == nil || req.Form.ID != current.ID || req.Form.Version > current.Version {
		return nil, unknown(fmt.Sprintf("Service %q has no form %q version %d.", req.Service, req.Form.ID, req.Form.Version))
	}
	return f, nil
}

// requestHash identifies what was asked, so that a retry can be told from a
// different request under the same key. The fields go into a JSON array:
// unambiguous, and Data is already canonical.
func requestHash(c NewCase) []byte {
	parts := []any{c.Service, c.Form.ID, c.Form.Version, c.Data}
	if c.Seal.Encrypted != "" {
		// The ciphertext is the request; hashes of clear requests stay
		// what they were.
		parts = append(parts, c.Seal.Encrypted)
	}
	b, err := json.Marshal(parts)
	if err != nil {
		panic(err) // strings, an int and valid JSON always marshal
	}
	sum := sha256.Sum256(b)
	return sum[:]
}
