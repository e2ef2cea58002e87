package citizen

import (
	"time"

	"rathaus/api"
)

// OutboxState is where an outgoing item stands.
type OutboxState int

const (
	// OutboxPending: waiting to be sent, or to be retried.
	OutboxPending OutboxState = iota
	// OutboxDone: the backend acknowledged it.
	OutboxDone
	// OutboxFailed: the backend refused it for good, or it failed too
	// often; it stays, with its error, until the citizen acts.
	OutboxFailed
)

var outboxStates = [...]string{"pending", "done", "failed"}

func (s OutboxState) String() string {
	if s < 0 || int(s) >= len(outboxStates) {
		return "unknown"
	}
	return outboxStates[s]
}

// ParseOutboxState is the inverse of String.
func ParseOutboxState(s string) (OutboxState, bool) {
	for i, n := range outboxStates {
		if n == s {
			return OutboxState(i), true
		}
	}
	return 0, false
}

// OutboxItem is one thing on its way to the backend. Its idempotency key is
// made before the first attempt and never changes, so that however often
// it is sent, the backend acts on it once.
type OutboxItem struct {
	ID   int64
	Kind OutboxKind
	// DraftID orders the items: those of one draft go out one after the
	// other, in the order they were queued.
	DraftID        string
	IdempotencyKey string
	// Payload is what the item carries, of its kind's type; nil when the
	// item is Locked.
	Payload OutboxPayload
	// Locked is set when the payload was sealed with a key this device no
	// longer has (a run without a keyring): the item cannot be sent as it
	// was queued.
	Locked      bool
	Progress    int64 // bytes of attachments sent so far
	Total       int64 // bytes of attachments in all
	State       OutboxState
	Attempts    int
	NextAttempt time.Time
	LastError   string // for people, in English
	LastCode    string // an Error code
	Created     time.Time
}

// Case mirrors what the backend made of a submission.
type Case struct {
	ID        string
	Number    string
	DraftID   string
	Service   string
	Form      api.FormRef
	Status    string
	Submitted time.Time
	History   []api.CaseEvent
	// Notice: the town hall's notice (Bescheid) of the decision is on the
	// device.
	Notice bool
	// New: the town took a step the citizen has not opened yet.
	New bool
	// KeyFingerprint names the device key the backend verified the
	// submission's signature with ("" for an unsigned one).
	KeyFingerprint string
}

// Conflict is a draft's value kept for the citizen to look at: one that
// lost against a later change on another device of the account (Reason
// ConflictSync), or one that did not carry over to a new version of the
// form (ConflictRemoved, ConflictInvalid).
type Conflict struct {
	ID      int64
	DraftID string
	Field   string // a top-level key, or a JSON Pointer for a version change
	Value   any
	Clock   string // the losing value's clock (sync only)
	Reason  string
	Created time.Time
	Seen    bool
}

// Conflict reasons.
const (
	ConflictSync    = "sync"
	ConflictRemoved = "removed"
	ConflictInvalid = "invalid"
)

// Attachment is a file or photo of a draft on the device, with where its
// upload to the backend stands.
type Attachment struct {
	api.Attachment
	DraftID      string
	UploadURL    string // the tus upload's URL, once created
	UploadOffset int64  // bytes the backend confirmed
	Uploaded     bool   // the backend has all of it
}
