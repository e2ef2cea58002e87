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

// OutboxItem is one submission on its way to the backend. Its idempotency
// key is made before the first attempt and never changes, so that however
// often it is sent, the backend makes one case of it.
type OutboxItem struct {
	ID             int64
	DraftID        string
	IdempotencyKey string
	Request        api.SubmissionRequest
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
}

// Attachment is a file or photo of a draft on the device, with where its
// upload to the backend stands.
type Attachment struct {
	api.Attachment
	DraftID      string
	UploadURL    string // the tus upload's URL, once created
	UploadOffset int64  // bytes the backend confirmed
	Uploaded     bool   // the backend has all of it
}
