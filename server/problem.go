package server

import (
	"encoding/json"
	"net/http"

	"rathaus/api"
)

// writeProblem sends an RFC 9457 problem details object.
func writeProblem(w http.ResponseWriter, p *api.Problem) {
	b, err := json.Marshal(p)
	if err != nil {
		b = []byte(`{"title":"Internal Server Error","status":500}`)
		p.Status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", api.ContentTypeProblem)
	h.Del("Content-Length")
	h.Del("ETag")
	h.Del("Cache-Control")
	if v := retryAfter(p.Status); v != "" && h.Get("Retry-After") == "" {
		h.Set("Retry-After", v)
	}
	w.WriteHeader(p.Status)
	_, _ = w.Write(b)
}

func problem(status int, typ, title, detail string) *api.Problem {
	return &api.Problem{Type: typ, Title: title, Status: status, Detail: detail}
}

func notFound(detail string) *api.Problem {
	return problem(http.StatusNotFound, api.ProblemNotFound, "Not Found", detail)
}

func badRequest(detail string) *api.Problem {
	return problem(http.StatusBadRequest, api.ProblemBadRequest, "Bad Request", detail)
}

func internalError() *api.Problem {
	return problem(http.StatusInternalServerError, api.ProblemInternal, "Internal Server Error",
		"The server failed to handle the request; it was logged.")
}

// fallbackWriter turns the mux's own plain-text 404 and 405 into problem
// details. Other statuses (the mux's redirects) pass through unchanged.
type fallbackWriter struct {
	http.ResponseWriter
	swallow bool
}

func (w *fallbackWriter) WriteHeader(code int) {
	switch code {
	case http.StatusNotFound:
		w.swallow = true
		writeProblem(w.ResponseWriter, notFound("No such resource."))
	case http.StatusMethodNotAllowed:
		w.swallow = true
		writeProblem(w.ResponseWriter, problem(code, "about:blank", "Method Not Allowed",
			"Allowed: "+w.Header().Get("Allow")+"."))
	default:
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *fallbackWriter) Write(b []byte) (int, error) {
	if w.swallow {
		return len(b), nil // the mux's plain-text body
	}
	return w.ResponseWriter.Write(b)
}
