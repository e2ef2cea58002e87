package citizen

import (
	"encoding/json"

	"rathaus/api"
)

// OutboxSubmission is a draft submitted to the town hall: the backend makes
// one case of it. Its attachments go first, by resumable upload.
var OutboxSubmission = RegisterOutboxKind("submission", func() OutboxPayload { return new(SubmissionPayload) })

// SubmissionPayload is a submission's request, as the draft was when the
// citizen submitted it.
type SubmissionPayload struct {
	Request api.SubmissionRequest
}

// OutboxKind implements OutboxPayload.
func (*SubmissionPayload) OutboxKind() OutboxKind { return OutboxSubmission }

// MarshalJSON stores the request itself, as submissions always were.
func (p SubmissionPayload) MarshalJSON() ([]byte, error) { return json.Marshal(p.Request) }

// UnmarshalJSON is the inverse of MarshalJSON.
func (p *SubmissionPayload) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &p.Request) }
