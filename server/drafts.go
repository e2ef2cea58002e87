package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"rathaus/api"
	"rathaus/api/draftmerge"
)

// Bounds of a draft copy.
const (
	maxDraftBytes  = 1 << 20
	maxDraftFields = 1000
	maxDraftIDLen  = 128
	// maxClockLead is how far a clock may run ahead of the server's: a
	// device with a clock in the future would win every field for as long.
	maxClockLead = 24 * time.Hour
)

// handleDraft serves PUT /v1/drafts/{id}: a device sends its copy of a
// draft; the backend merges it per top-level field (the later hybrid
// logical clock wins, the losing value is kept as a conflict), answers the
// merged copy and passes it on to the account's other devices through the
// changes feed. The drafts of a device without an account are stored but
// go to no one (linking an account later does not send them).
func (s *Server) handleDraft(w http.ResponseWriter, r *http.Request) {
	d, _ := deviceFrom(r.Context())
	id := r.PathValue("id")
	if id == "" || len(id) > maxDraftIDLen || strings.ContainsFunc(id, func(c rune) bool { return c <= ' ' || c > '~' }) {
		writeProblem(w, badRequest("The draft id must be 1 to 128 printable ASCII characters."))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxDraftBytes))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		writeProblem(w, problem(http.StatusRequestEntityTooLarge, api.ProblemTooLarge, "Content Too Large",
			"A draft copy may be at most 1 MiB; attachments travel as uploads."))
		return
	}
	if err != nil {
		writeProblem(w, badRequest("The body could not be read."))
		return
	}
	var in api.DraftCopy
	if err := decodeOne(body, &in); err != nil {
		writeProblem(w, badRequest("The body is not a draft copy: "+err.Error()))
		return
	}
	if p := s.checkDraft(id, &in); p != nil {
		writeProblem(w, p)
		return
	}
	merged, err := s.store.PutDraft(r.Context(), d, id, func(stored *api.DraftCopy) (api.DraftCopy, []DraftConflict, bool) {
		return mergeDraft(stored, in, d.ID)
	})
	if err != nil {
		s.log.Error("drafts: put", "draft", id, "device", d.ID, "err", err)
		writeProblem(w, internalError())
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, merged)
}

// checkDraft checks an incoming copy and brings its values into one
// form (compact JSON, a JSON null as no value), so that equal values
// compare equal.
func (s *Server) checkDraft(id string, in *api.DraftCopy) *api.Problem {
	if in.ID == "" {
		in.ID = id
	}
	if in.ID != id {
		return badRequest(fmt.Sprintf("The copy's id %q is not the id in the path, %q.", in.ID, id))
	}
	if len(in.Fields) > maxDraftFields {
		return badRequest(fmt.Sprintf("A draft may have at most %d fields.", maxDraftFields))
	}
	if in.Fields == nil {
		in.Fields = map[string]api.DraftField{}
	}
	latest := s.now().Add(maxClockLead).UnixMilli()
	check := func(where string, f *api.DraftField) *api.Problem {
		c, err := api.ParseHLC(f.Clock)
		if err != nil {
			return badRequest(where + ": " + err.Error() + ".")
		}
		if c.Wall > latest {
			return badRequest(where + ": the clock is more than a day ahead of the server's; check the device's time.")
		}
		f.Value = normalValue(f.Value)
		return nil
	}
	for k, f := range in.Fields {
		if k == "" || len(k) > 256 {
			return badRequest("Field names must be 1 to 256 bytes long.")
		}
		if p := check("field "+k, &f); p != nil {
			return p
		}
		in.Fields[k] = f
	}
	if in.Deleted != nil {
		if p := check("deleted", in.Deleted); p != nil {
			return p
		}
		in.Deleted.Value = nil
	}
	in.Device = ""
	return nil
}

func normalValue(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return nil
	}
	var b bytes.Buffer
	if json.Compact(&b, v) != nil || b.String() == "null" {
		return nil
	}
	return b.Bytes()
}

// mergeDraft merges the copy in, sent by device, into the stored one by
// the rules of package draftmerge, and reports every losing value worth
// keeping, from either side, as a conflict. The merged copy names the
// device of the last change that changed it.
func mergeDraft(stored *api.DraftCopy, in api.DraftCopy, device string) (api.DraftCopy, []DraftConflict, bool) {
	cur := api.DraftCopy{ID: in.ID}
	if stored != nil {
		cur = *stored
	}
	r := draftmerge.Merge(cur, in)
	var lost []DraftConflict
	for _, l := range r.Lost {
		lost = append(lost, DraftConflict{Field: l.Field, Value: l.Lost.Value, Clock: l.Lost.Clock, Device: l.Device(), Winner: l.Winner})
	}
	merged, changed := r.Copy, stored == nil || r.Changed
	if changed {
		merged.Device = device
	}
	return merged, lost, changed
}
