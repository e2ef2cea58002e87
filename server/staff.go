package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"rathaus/api"
)

// maxStatusRequestBytes bounds the body of a status change (a note in a
// few languages).
const maxStatusRequestBytes = 64 << 10

// workflowError says that a case cannot move from one status to another.
type workflowError struct{ from, to string }

func (e *workflowError) Error() string {
	if e.from == e.to {
		return fmt.Sprintf("the case is already %s", e.to)
	}
	return fmt.Sprintf("a case cannot go back from %s to %s", e.from, e.to)
}

// handleStaffStatus serves POST /v1/staff/cases/{id}/status: staff move a
// case forward along api.Statuses (skipping is allowed, going back or
// staying is not).
func (s *Server) handleStaffStatus(w http.ResponseWriter, r *http.Request) {
	if s.staffToken == "" {
		writeProblem(w, notFound("No such resource."))
		return
	}
	if !s.isStaff(r) {
		writeUnauthorized(w, "The staff API needs \"Authorization: Bearer <staff token>\".")
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
	to := slices.Index(api.Statuses, req.Status)
	if to < 0 {
		msg := fmt.Sprintf("The status must be one of %v.", api.Statuses)
		p := problem(http.StatusUnprocessableEntity, api.ProblemValidation, "Validation Failed", msg)
		p.Errors = []api.FieldError{{Pointer: "/status", Code: "enum", Detail: msg,
			Message: api.Text{"de": fmt.Sprintf("Der Status muss einer von %v sein.", api.Statuses), "en": msg}}}
		writeProblem(w, p)
		return
	}
	ev := api.CaseEvent{Status: req.Status, At: s.now().UTC().Truncate(time.Second), Note: req.Note}
	c, err := s.store.SetCaseStatus(r.Context(), r.PathValue("id"), ev, func(current string) error {
		if slices.Index(api.Statuses, current) >= to {
			return &workflowError{from: current, to: req.Status}
		}
		return nil
	})
	if we, ok := errors.AsType[*workflowError](err); ok {
		writeProblem(w, problem(http.StatusConflict, api.ProblemWorkflow, "Conflict",
			"The status may only move forward along "+fmt.Sprint(api.Statuses)+"; "+we.Error()+"."))
		return
	}
	switch {
	case errors.Is(err, ErrNotFound):
		writeProblem(w, notFound("No such case."))
		return
	case err != nil:
		writeProblem(w, s.failure(r.Context(), "staff: set case status", err, "case", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// isStaff reports whether the request carries the staff token, compared in
// constant time.
func (s *Server) isStaff(r *http.Request) bool {
	tok, ok := bearer(r.Header.Values("Authorization"))
	if !ok {
		return false
	}
	got, want := sha256.Sum256([]byte(tok)), sha256.Sum256([]byte(s.staffToken))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}
