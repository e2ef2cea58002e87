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

// Outbox item kinds.
const (
	// OutboxSubmission sends a submission (and first its attachments).
	OutboxSubmission = "submission"
	// OutboxDraft sends a draft's changed fields to the account's other
	// devices, or its deletion.
	OutboxDraft = "draft"
)

// OutboxItem is one thing on its way to the backend. A submission's
// idempotency key is made before the first attempt and never changes, so
// that however often it is sent, the backend makes one case of it.
type OutboxItem struct {
	ID             int64
	Kind           string
	DraftID        string
	IdempotencyKey string
	Request        api.SubmissionRequest // a submission's
	Tombstone      *api.DraftCopy        // a draft deletion's (nil for a copy of changes)
	Progress       int64                 // bytes of attachments sent so far
	Total          int64                 // bytes of attachments in all
	State          OutboxState
	Attempts       int
	NextAttempt    time.Time
	LastError      string // for people, in English
	LastCode       string // an Error code
	Created        time.Time
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
