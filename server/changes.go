package server

import (
	"net/http"
	"strconv"

	"rathaus/api"
)

// handleChanges serves GET /v1/changes?since=CURSOR&limit=N to a device.
// The cursor is the seq of the last change a page held, as a decimal string;
// clients must treat it as opaque.
func (s *Server) handleChanges(w http.ResponseWriter, r *http.Request) {
	d, _ := deviceFrom(r.Context())
	q := r.URL.Query()
	var since int64
	if v := q.Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || v[0] == '+' {
			writeProblem(w, badRequest("since must be a cursor from an earlier page of the changes feed, or empty."))
			return
		}
		since = n
	}
	limit := api.ChangesLimitDefault
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeProblem(w, badRequest("limit must be a whole number of at least 1."))
			return
		}
		limit = min(n, api.ChangesLimitMax)
	}
	changes, more, err := s.store.Changes(r.Context(), d, since, limit)
	if err != nil {
		writeProblem(w, s.failure(r.Context(), "changes", err, "device", d.ID))
		return
	}
	page := api.Changes{Changes: changes, Cursor: strconv.FormatInt(since, 10), More: more}
	if len(changes) > 0 {
		page.Cursor = strconv.FormatInt(changes[len(changes)-1].Seq, 10)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, page)
}
