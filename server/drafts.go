package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"time"

	"rathaus/api"
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

// mergeDraft merges the copy in, sent by device, into the stored one.
//
// Per top-level field the later clock wins. The losing value is reported
// as a conflict when it came from another device than the winner and
// differs from it (a device overwriting its own value is just editing).
// A repeat of a value with the same clock changes nothing. The tombstone
// (Deleted) with the latest clock is kept; it removes every field whose
// clock is earlier, and a field written later than it revives the draft.
// Service and form follow the copy with the latest change.
func mergeDraft(stored *api.DraftCopy, in api.DraftCopy, device string) (api.DraftCopy, []DraftConflict, bool) {
	var merged api.DraftCopy
	if stored != nil {
		merged = *stored
		merged.Fields = maps.Clone(stored.Fields)
		if stored.Deleted != nil {
			del := *stored.Deleted
			merged.Deleted = &del
		}
	} else {
		merged = api.DraftCopy{ID: in.ID}
	}
	if merged.Fields == nil {
		merged.Fields = map[string]api.DraftField{}
	}
	storedLatest := latestClock(&merged)

	var lost []DraftConflict
	for k, f := range in.Fields {
		cur, ok := merged.Fields[k]
		if !ok {
			merged.Fields[k] = f
			continue
		}
		switch strings.Compare(f.Clock, cur.Clock) {
		case 1:
			if c, ok := loses(k, cur, f); ok {
				lost = append(lost, c)
			}
			merged.Fields[k] = f
		case -1:
			if c, ok := loses(k, f, cur); ok {
				lost = append(lost, c)
			}
		}
	}
	if in.Deleted != nil && (merged.Deleted == nil || in.Deleted.Clock > merged.Deleted.Clock) {
		merged.Deleted = in.Deleted
	}
	if merged.Deleted != nil {
		for k, f := range merged.Fields {
			if f.Clock < merged.Deleted.Clock {
				delete(merged.Fields, k)
			}
		}
	}
	if in.Service != "" && (merged.Service == "" || latestClock(&in) > storedLatest) {
		merged.Service = in.Service
	}
	if in.Form.ID != "" && (merged.Form.ID == "" || latestClock(&in) > storedLatest) {
		merged.Form = in.Form
	}

	merged.Device = ""
	was := api.DraftCopy{}
	if stored != nil {
		was = *stored
		was.Device = ""
	}
	changed := stored == nil || !sameCopy(was, merged)
	merged.Device = device
	if !changed {
		merged.Device = stored.Device
	}
	return merged, lost, changed
}

// loses reports the losing value of a field as a conflict, unless the
// same device made both values (it edited its own) or they are equal.
func loses(key string, loser, winner api.DraftField) (DraftConflict, bool) {
	dev := clockDevice(loser.Clock)
	if dev == clockDevice(winner.Clock) || bytes.Equal(loser.Value, winner.Value) {
		return DraftConflict{}, false
	}
	return DraftConflict{Field: key, Value: loser.Value, Clock: loser.Clock, Device: dev, Winner: winner.Clock}, true
}

// clockDevice is the device part of a clock the handler checked.
func clockDevice(clock string) string {
	c, err := api.ParseHLC(clock)
	if err != nil {
		return ""
	}
	return c.Device
}

// latestClock is the latest clock of a copy's fields and tombstone ("" for
// none). Clock strings compare in clock order.
func latestClock(c *api.DraftCopy) string {
	latest := ""
	for _, f := range c.Fields {
		latest = max(latest, f.Clock)
	}
	if c.Deleted != nil {
		latest = max(latest, c.Deleted.Clock)
	}
	return latest
}

func sameCopy(a, b api.DraftCopy) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
