package server

import (
	"errors"
	"net/http"

	"rathaus/server/casework"
	"rathaus/server/notice"
)

// handleNotice serves GET /v1/cases/{id}/notice to the device that
// submitted the case: its notice (Bescheid) as a PDF, made from its
// decision as the staff console shows it.
func (s *Server) handleNotice(w http.ResponseWriter, r *http.Request) {
	d, _ := deviceFrom(r.Context())
	if s.casework == nil {
		writeProblem(w, notFound("No such case."))
		return
	}
	f, err := s.casework.Case(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, casework.ErrNoCase), err == nil && f.Device != d.ID:
		// Another device's case is none of this one's business.
		writeProblem(w, notFound("No such case."))
		return
	case err != nil:
		writeProblem(w, s.failure(r.Context(), "notice: read case", err, "case", r.PathValue("id")))
		return
	}
	audit, err := s.casework.Audit(r.Context(), f.ID)
	if err != nil {
		writeProblem(w, s.failure(r.Context(), "notice: read audit log", err, "case", f.ID))
		return
	}
	pub := s.pub.Load()
	title := f.Service
	for _, svc := range pub.cat.Services {
		if svc.ID == f.Service {
			title = svc.Title.In("de")
		}
	}
	n, err := notice.ForCase(f, audit, pub.cat.Municipality, title)
	if errors.Is(err, notice.ErrNotDecided) {
		writeProblem(w, notFound("The case has no decision yet."))
		return
	}
	b, err := notice.PDF(n)
	if err != nil {
		writeProblem(w, s.failure(r.Context(), "notice: render", err, "case", f.ID))
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(b)
}
