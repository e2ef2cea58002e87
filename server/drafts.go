package server

import (
	"bytes"
	"encoding/json"
	"fmt"
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
	raw, p := readBody(w, r, maxDraftBytes, "A draft copy may be at most 1 MiB; attachments travel as uploads.")
	if p != nil {
		writeProblem(w, p)
		return
	}
	body, p := parseBody(raw, "a draft copy")
	if p == nil {
		p = body.refused("a draft copy", "", isDraftValue)
	}
	if p != nil {
		writeProblem(w, p)
		return
	}
	var in api.DraftCopy
	if err := body.decode(&in); err != nil {
		writeProblem(w, badRequest("The body is not a draft copy: "+err.Error()))
		return
	}
	if p := s.checkDraft(id, &in); p != nil {
		writeProblem(w, p)
		return
	}
	if ok, wait := s.quotas.addressDrafts.allow(clientAddr(r.RemoteAddr)); !ok {
		p, secs := rateLimited(wait, "draft copies")
		w.Header().Set("Retry-After", secs)
		writeProblem(w, p)
		return
	}
	var usage Usage
	if s.quotas.drafts > 0 || s.quotas.draftBytes > 0 {
		var err error
		if usage, err = s.store.Usage(r.Context(), d); err != nil {
			writeProblem(w, s.failure(r.Context(), "drafts: usage", err, "device", d.ID))
			return
		}
	}
	// The quota is checked inside the store's transaction, against the
	// copy stored before: a refused write stores nothing (changed=false).
	// A store may run the merge again when it retries its transaction.
	var refused *api.Problem
	var retry string
	merged, err := s.store.PutDraft(r.Context(), d, id, func(stored *api.DraftCopy) (api.DraftCopy, []DraftConflict, bool) {
		refused, retry = nil, ""
		m, lost, changed := mergeDraft(stored, in, d.ID)
		if changed {
			if refused, retry = s.quotas.draftRoom(usage, stored, m); refused != nil {
				if stored == nil {
					return api.DraftCopy{}, nil, false
				}
				return *stored, nil, false
			}
		}
		return m, lost, changed
	})
	if err == nil && refused != nil {
		if retry != "" {
			w.Header().Set("Retry-After", retry)
		}
		writeProblem(w, refused)
		return
	}
	if err != nil {
		writeProblem(w, s.failure(r.Context(), "drafts: put", err, "draft", id, "device", d.ID))
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
