package citizen

import (
	"time"

	"rathaus/api"
)

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

// PollPhase is where a poll stands at a time.
type PollPhase int

// The phases of a poll: not open yet, open for answers, closed (results).
const (
	PollUpcoming PollPhase = iota
	PollOpen
	PollClosed
)

// PhaseOf says where the poll stands at now: open from Opens (inclusive)
// until Closes (exclusive), as the backend counts.
func PhaseOf(p api.Poll, now time.Time) PollPhase {
	switch {
	case now.Before(p.Opens):
		return PollUpcoming
	case now.Before(p.Closes):
		return PollOpen
	}
	return PollClosed
}

// AnswerState is how this device's answer to a poll stands.
type AnswerState string

// The states of an answer: none given, waiting in the outbox, taken by
// the town hall, refused (Problem says why).
const (
	AnswerNone    AnswerState = ""
	AnswerWaiting AnswerState = "waiting"
	AnswerSent    AnswerState = "sent"
	AnswerFailed  AnswerState = "failed"
)

// MyPoll is a poll as the device keeps it for offline use.
type MyPoll struct {
	Poll api.Poll
	// Results once fetched after the poll closed; nil before.
	Results *api.PollResults
	// Answer is this device's latest answer (nil: none), given at
	// Answered; State says whether it reached the town hall.
	Answer   map[string]any
	Answered time.Time
	State    AnswerState
	Problem  string
}

// PollList is the polls as last fetched, in the town's order.
type PollList struct {
	Polls   []MyPoll
	Fetched time.Time // zero: never fetched
}
