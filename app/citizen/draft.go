package citizen

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"rathaus/api"
)

// DraftState is where a draft stands on its way to the town hall.
type DraftState int

const (
	// DraftEditing: the citizen is filling it in.
	DraftEditing DraftState = iota
	// DraftQueued: submitted and waiting in the outbox for the backend.
	DraftQueued
	// DraftSent: the backend acknowledged it with a case number.
	DraftSent
	// DraftRejected: the backend refused it for good; the citizen can edit
	// and send it again.
	DraftRejected
)

var draftStates = [...]string{"editing", "queued", "sent", "rejected"}

func (s DraftState) String() string {
	if s < 0 || int(s) >= len(draftStates) {
		return "unknown"
	}
	return draftStates[s]
}

// ParseDraftState is the inverse of String.
func ParseDraftState(s string) (DraftState, bool) {
	for i, n := range draftStates {
		if n == s {
			return DraftState(i), true
		}
	}
	return 0, false
}

// Editable reports whether the citizen may change the draft's values.
func (s DraftState) Editable() bool { return s == DraftEditing || s == DraftRejected }

// Deletable reports whether the draft may be thrown away: not while it is
// on its way, since the backend may already have made a case of it.
func (s DraftState) Deletable() bool { return s != DraftQueued }

// Draft is a form being filled in, and afterwards what became of it.
type Draft struct {
	ID      string
	Service string
	Form    api.FormRef
	Values  map[string]any
	Step    int // the step the citizen was on, to resume there
	State   DraftState
	Created time.Time
	Updated time.Time

	// CaseNumber is set once the backend acknowledged the submission.
	CaseNumber string
	// Problem is the backend's refusal of a rejected draft; its Errors name
	// the fields by JSON Pointer.
	Problem *api.Problem
	// Locked is set when the draft's values were sealed with a key this
	// device no longer has (a run without a keyring).
	Locked bool
	// Answers is the case a reopened draft answers (the town hall asked
	// for more information): sending it continues that case.
	Answers string

	// Clocks holds the hybrid logical clock of each top-level field's last
	// change; Synced, per field, the clock the backend is known to have. A
	// field whose clocks differ still has to go to the account's other
	// devices.
	Clocks map[string]string
	Synced map[string]string
}

// Validate checks what every stored draft must have.
func (d *Draft) Validate() error {
	switch {
	case d.ID == "":
		return Errorf(EINVALID, "A draft needs an id.")
	case d.Service == "":
		return Errorf(EINVALID, "A draft needs a service.")
	case d.Form.ID == "" || d.Form.Version < 1:
		return Errorf(EINVALID, "A draft needs a form and its version.")
	}
	return nil
}

// NewDraft starts an empty draft of a service's form.
func NewDraft(s api.Service, now time.Time) *Draft {
	return &Draft{
		ID:      NewID(),
		Service: s.ID,
		Form:    s.Form,
		Values:  map[string]any{},
		State:   DraftEditing,
		Created: now,
		Updated: now,
	}
}

// NewID returns a random 128-bit identifier in hex, used for drafts and for
// idempotency keys, which must be unguessable and never repeat.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails since Go 1.24
	return hex.EncodeToString(b[:])
}
