package citizen

import (
	"encoding/json"

	"rathaus/api"
)

// OutboxDraft sends a draft's changed fields to the account's other
// devices, or the news of its deletion. A copy of changes is built when it
// is sent, so edits made while it waits ride on it.
var OutboxDraft = RegisterOutboxKind("draft", func() OutboxPayload { return new(DraftCopyPayload) })

// DraftCopyPayload is what a draft copy carries: nothing for a copy of
// changes, the tombstone for a deletion (the draft itself is gone by then).
type DraftCopyPayload struct {
	Tombstone *api.DraftCopy
}

// OutboxKind implements OutboxPayload.
func (*DraftCopyPayload) OutboxKind() OutboxKind { return OutboxDraft }

// MarshalJSON stores the tombstone itself, or an empty object, as draft
// copies always were.
func (p DraftCopyPayload) MarshalJSON() ([]byte, error) {
	if p.Tombstone == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(p.Tombstone)
}

// UnmarshalJSON is the inverse of MarshalJSON.
func (p *DraftCopyPayload) UnmarshalJSON(b []byte) error {
	var t api.DraftCopy
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	p.Tombstone = nil
	if t.Deleted != nil {
		p.Tombstone = &t
	}
	return nil
}
