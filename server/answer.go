package server

import (
	"errors"
	"fmt"
	"net/http"

	"rathaus/api"
	"rathaus/server/casework"
)

// handleAnswer serves POST /v1/cases/{id}/answer: the device that
// submitted a case the town hall asked more of sends its data again,
// completed. It is checked as a submission is, against the case's form,
// and the case goes on with its history, under the idempotency key.
func (s *Server) handleAnswer(w http.ResponseWriter, r *http.Request) {
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
	if s.casework == nil {
		writeProblem(w, notFound("No such case."))
		return
	}
	id := r.PathValue("id")
	hash := requestHash(NewCase{Service: req.Service, Form: req.Form, Data: req.Data})
	c, found, err := s.store.ReplayCase(r.Context(), dev.ID, key, hash)
	if err == nil && !found {
		f, ferr := s.casework.Case(r.Context(), id)
		switch {
		case errors.Is(ferr, casework.ErrNoCase), ferr == nil && f.Device != dev.ID:
			writeProblem(w, notFound("No such case."))
			return
		case ferr != nil:
			writeProblem(w, s.failure(r.Context(), "answer: read case", ferr, "case", id))
			return
		}
		if req.Service != f.Service || req.Form != f.Form {
			writeProblem(w, problem(http.StatusUnprocessableEntity, api.ProblemUnknownForm, "Unknown Form",
				fmt.Sprintf("An answer to case %s is a submission of service %q with form %q version %d, as the case was.",
					f.Number, f.Service, f.Form.ID, f.Form.Version)))
			return
		}
		atts, p := s.check(r.Context(), req, data, dev.ID)
		if p != nil {
			writeProblem(w, p)
			return
		}
		a := casework.Answer{Case: id, Device: dev.ID, Data: req.Data}
		for _, x := range atts {
			a.Attachments = append(a.Attachments, casework.AnswerAttachment{Pointer: x.Pointer, Upload: x.Upload, Size: x.Size, SHA256: x.SHA256})
		}
		c, found, err = s.casework.Answer(r.Context(), key, hash, a)
	}
	if ae, ok := errors.AsType[*AttachmentError](err); ok {
		writeProblem(w, validationProblem([]api.FieldError{attachmentFieldError(ae.Pointer, ae.Reason, nil)}))
		return
	}
	if me, ok := errors.AsType[*casework.MoveError](err); ok {
		writeProblem(w, problem(http.StatusConflict, api.ProblemWorkflow, "Conflict",
			"The town hall has not asked for more on this case (it is "+me.From+")."))
		return
	}
	switch {
	case errors.Is(err, ErrKeyReused):
		writeProblem(w, problem(http.StatusUnprocessableEntity, api.ProblemIdempotencyReuse,
			"Idempotency Key Reused", "This Idempotency-Key was used before with a different request; make a new key for a new answer."))
		return
	case errors.Is(err, casework.ErrNoCase):
		writeProblem(w, notFound("No such case."))
		return
	case err != nil:
		writeProblem(w, s.failure(r.Context(), "answer: store", err, "case", id))
		return
	}
	if found {
		w.Header().Set(api.HeaderReplayed, "true")
	}
	writeJSON(w, http.StatusOK, c)
}
