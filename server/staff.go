package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"time"

	"rathaus/api"
	"rathaus/server/casework"
)

// maxStatusRequestBytes bounds the body of a status change (a note in a
// few languages).
const maxStatusRequestBytes = 64 << 10

// handleStaffStatus serves POST /v1/staff/cases/{id}/status: staff move a
// case on along server/casework's workflow (forward, skipping allowed;
// more information needed and back to review), audited as "staff API"
// (the shared token) or as the staff account whose token it carries.
func (s *Server) handleStaffStatus(w http.ResponseWriter, r *http.Request) {
	actor, on, ok := s.staffRequest(r)
	if !on {
		writeProblem(w, notFound("No such resource."))
		return
	}
	if !ok {
		writeUnauthorized(w, "The staff API needs \"Authorization: Bearer <token>\": an access token of a staff account, or the staff token.")
		return
	}
	raw, p := readBody(w, r, maxStatusRequestBytes, "")
	if p != nil {
		writeProblem(w, badRequest("The body could not be read, or is larger than 64 KiB."))
		return
	}
	// The note is shown to citizens with the case: the input rule's
	// refusals in it are field errors.
	body, p := parseBody(raw, "a status request")
	if p == nil {
		p = body.refused("a status request", "", under("/note"))
	}
	if p != nil {
		writeProblem(w, p)
		return
	}
	var req api.StatusRequest
	if err := body.decode(&req); err != nil {
		writeProblem(w, badRequest("The body is not a status request: "+err.Error()))
		return
	}
	if !casework.Known(req.Status) {
		msg := fmt.Sprintf("The status must be one of %v.", api.Statuses)
		p := problem(http.StatusUnprocessableEntity, api.ProblemValidation, "Validation Failed", msg)
		p.Errors = []api.FieldError{{Pointer: "/status", Code: "enum", Detail: msg,
			Message: api.Text{"de": fmt.Sprintf("Der Status muss einer von %v sein.", api.Statuses), "en": msg}}}
		writeProblem(w, p)
		return
	}
	c, err := s.staffSetStatus(r, actor, req)
	if ie, ok := errors.AsType[*casework.InputError](err); ok {
		writeProblem(w, problem(http.StatusUnprocessableEntity, api.ProblemValidation, "Validation Failed", ie.Error()))
		return
	}
	if me, ok := errors.AsType[*casework.MoveError](err); ok {
		writeProblem(w, problem(http.StatusConflict, api.ProblemWorkflow, "Conflict", "The status cannot change so: "+me.Error()+"."))
		return
	}
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, casework.ErrNoCase):
		writeProblem(w, notFound("No such case."))
		return
	case err != nil:
		writeProblem(w, s.failure(r.Context(), "staff: set case status", err, "case", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// staffRequest says whether the staff API is on (a staff token is set, or
// the OpenID provider runs) and whether the request is staff's: it
// carries an access token of an account with the staff role, or the
// shared staff token (the bootstrap until staff accounts exist). actor
// names who, for the audit log.
func (s *Server) staffRequest(r *http.Request) (actor string, on, ok bool) {
	on = s.staffToken != "" || s.oidc != nil
	if s.staffToken != "" && s.isStaff(r) {
		return staffActor, on, true
	}
	acc, ok, err := s.staffAccount(r.Context(), r)
	if err != nil {
		s.log.Error("staff: verify access token", "err", err)
		return "", on, false
	}
	if !ok {
		return "", on, false
	}
	return "staff " + acc.Email, on, true
}

// isStaff reports whether the request carries the staff token, compared in
// constant time.
func (s *Server) isStaff(r *http.Request) bool {
	tok, ok := bearer(r.Header.Values("Authorization"))
	if !ok || s.staffToken == "" {
		return false
	}
	got, want := sha256.Sum256([]byte(tok)), sha256.Sum256([]byte(s.staffToken))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// staffActor names the shared staff token in the audit log: it has one
// token for everyone.
const staffActor = "staff API"

// staffSetStatus moves the case through casework when the store keeps an
// audit log (both real stores do), else straight through the store.
func (s *Server) staffSetStatus(r *http.Request, actor string, req api.StatusRequest) (api.Case, error) {
	if s.casework != nil {
		return s.casework.SetStatus(r.Context(), r.PathValue("id"), actor, req.Status, req.Note, req.Fields)
	}
	ev := api.CaseEvent{Status: req.Status, At: s.now().UTC().Truncate(time.Second), Note: req.Note}
	return s.store.SetCaseStatus(r.Context(), r.PathValue("id"), ev, func(current string) error {
		return casework.CheckMove(current, req.Status)
	})
}
