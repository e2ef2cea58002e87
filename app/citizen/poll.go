package citizen

// OutboxPollAnswer sends the device's answer to a poll. The backend keeps
// one answer per device and poll, so a later answer replaces an earlier
// one; a poll's answers are queued under one ordering id
// (PollOutboxID), so that they go out in order and the latest wins.
var OutboxPollAnswer = RegisterOutboxKind("poll_answer", func() OutboxPayload { return new(PollAnswerPayload) })

// PollAnswerPayload is a poll's id and the answer, as its form's data.
type PollAnswerPayload struct {
	Poll string         `json:"poll"`
	Data map[string]any `json:"data"`
}

// OutboxKind implements OutboxPayload.
func (*PollAnswerPayload) OutboxKind() OutboxKind { return OutboxPollAnswer }

// PollOutboxID is the outbox's ordering id of a poll's answers.
func PollOutboxID(poll string) string { return "poll:" + poll }
