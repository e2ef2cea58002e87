package casework

import (
	"context"
	"encoding/json"
	"time"

	"rathaus/api"
)

// Answer is the citizen's answer to a request for more information: the
// case's data, completed, sent again by the device that submitted it. The
// case goes on with its history (back to review), it does not start anew.
type Answer struct {
	Case   string
	Device string
	// Data replaces the case's data (canonical JSON, validated by the
	// backend against the case's form like a submission).
	Data        json.RawMessage
	Attachments []AnswerAttachment
	At          time.Time
}

// AnswerAttachment is an attachment of the answer's data and the upload it
// names (a new one, or one the case had).
type AnswerAttachment struct {
	Pointer string
	Upload  string
	Size    int64
	SHA256  string
}

// Citizen names the citizen in the audit log (who is not signed in: the
// case's device answers).
const Citizen = "citizen"

// ActAnswer is the kind of the citizen's answer in the audit log.
const ActAnswer = "answer"

// answered is the timeline's note when the citizen answered.
var answered = api.Text{"de": "Ihre Ergänzung ist eingegangen.", "en": "Your additions have arrived."}

// AnswerStore is what answering needs of the store (Store has it).
type AnswerStore interface {
	// Answer stores a's data as its case's under the idempotency key
	// (scope a.Device), in one transaction: the case's attachments become
	// a's (uploads of the device, finished, unused or the case's own; else
	// the store's attachment error and nothing changes), its status
	// api.StatusInReview with ev appended to the timeline, a change for
	// the device or its account and an audit entry by Citizen. A key
	// known with the same hash returns the case as it is (replayed); with
	// another hash the store's key-reused error. ErrNoCase when the case
	// is not a.Device's; a *MoveError when it is not
	// api.StatusInfoNeeded.
	Answer(ctx context.Context, key string, requestHash []byte, a Answer, ev api.CaseEvent) (c api.Case, replayed bool, err error)
}

// Answer records the citizen's answer; see AnswerStore.
func (s *Service) Answer(ctx context.Context, key string, requestHash []byte, a Answer) (api.Case, bool, error) {
	a.At = s.stamp()
	return s.store.Answer(ctx, key, requestHash, a, api.CaseEvent{Status: api.StatusInReview, At: a.At, Note: answered})
}
