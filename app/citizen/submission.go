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
	// Answers, when set, is the case this submission answers (the town
	// hall asked for more information): it goes to that case's answer,
	// not as a new case.
	Answers string
}

// storedSubmission is a submission as the outbox keeps it: the request
// itself, as submissions always were, and the case it answers, if any.
type storedSubmission struct {
	api.SubmissionRequest
	Answers string `json:"answers,omitempty"`
}

// OutboxKind implements OutboxPayload.
func (*SubmissionPayload) OutboxKind() OutboxKind { return OutboxSubmission }

// MarshalJSON stores the request itself, as submissions always were, with
// the case it answers beside its fields.
func (p SubmissionPayload) MarshalJSON() ([]byte, error) {
	return json.Marshal(storedSubmission{SubmissionRequest: p.Request, Answers: p.Answers})
}

// UnmarshalJSON is the inverse of MarshalJSON.
func (p *SubmissionPayload) UnmarshalJSON(b []byte) error {
	var st storedSubmission
	if err := json.Unmarshal(b, &st); err != nil {
		return err
	}
	p.Request, p.Answers = st.SubmissionRequest, st.Answers
	return nil
}
