package appointments

import (
	"encoding/json"
	"net/http"

	"rathaus/api"
)

func problem(status int, typ, title, detail string) *api.Problem {
	return &api.Problem{Type: typ, Title: title, Status: status, Detail: detail}
}

func badRequest(detail string) *api.Problem {
	return problem(http.StatusBadRequest, api.ProblemBadRequest, "Bad Request", detail)
}

func writeProblem(w http.ResponseWriter, p *api.Problem) { writeProblemValue(w, p.Status, p) }

// writeProblemValue writes a problem details object (v is an *api.Problem
// or a type embedding one), with the Retry-After the core's problems carry
// for a busy (503) or full (507) server.
func writeProblemValue(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v) // our own types: they marshal
	h := w.Header()
	h.Set("Content-Type", api.ContentTypeProblem)
	if h.Get("Retry-After") == "" {
		switch status {
		case http.StatusServiceUnavailable:
			h.Set("Retry-After", "1")
		case http.StatusInsufficientStorage:
			h.Set("Retry-After", "60")
		}
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", api.ContentTypeJSON)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
