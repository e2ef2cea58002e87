package api

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// WriteJSON answers with v as JSON. It is here, beside the types it
// writes, for the backend's areas (server/handoff, server/polls), which
// may import no other package of the project and each other not at all.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only the contract's own types get here; they always marshal.
		panic(fmt.Sprintf("api: marshal %T: %v", v, err))
	}
	w.Header().Set("Content-Type", ContentTypeJSON)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// WriteProblem answers with the problem details p, as WriteJSON does
// with its own content type. It sets no Retry-After: an area whose
// problems need one (the core's 503 and 507) writes its own.
func WriteProblem(w http.ResponseWriter, p *Problem) {
	b, _ := json.Marshal(p)
	w.Header().Set("Content-Type", ContentTypeProblem)
	w.WriteHeader(p.Status)
	_, _ = w.Write(b)
}
