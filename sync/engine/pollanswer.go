package engine

import (
	"context"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
)

// Poll answers: an answer given on the device goes out as an outbox item.
// The backend keeps one answer per device and poll, so sending one again
// changes nothing, and no idempotency key is needed; the answers to one
// poll go out in order (one ordering id), so the latest wins.

// pollAnswerStore is what poll answers need of the store.
type pollAnswerStore interface {
	Done(ctx context.Context, itemID int64) error
	Fail(ctx context.Context, itemID int64, code, message string) error
	SavePolls(ctx context.Context, polls []api.Poll, fetched time.Time) error
	SavePollResults(ctx context.Context, r api.PollResults) error
}

// pollAnswerPortal is what poll answers need of the backend.
type pollAnswerPortal interface {
	AnswerPoll(ctx context.Context, poll string, data map[string]any) (api.PollReceipt, error)
	Polls(ctx context.Context) (api.Polls, error)
	PollResults(ctx context.Context, poll string) (api.PollResults, error)
}

// RefreshPolls fetches the town's polls and keeps them on the device, so
// that they can be read and answered offline. Not part of a pass: the
// polls' screen asks when it opens.
func (e *Engine) RefreshPolls(ctx context.Context) error {
	ps, err := e.portal.Polls(ctx)
	if err != nil {
		return err
	}
	return e.store.SavePolls(ctx, ps.Polls, e.now())
}

// RefreshPollResults fetches a closed poll's counts and keeps them beside
// the poll (they do not change after closing: fetched once).
func (e *Engine) RefreshPollResults(ctx context.Context, poll string) error {
	r, err := e.portal.PollResults(ctx, poll)
	if err != nil {
		return err
	}
	return e.store.SavePollResults(ctx, r)
}

type pollAnswerSender struct {
	store  pollAnswerStore
	portal pollAnswerPortal
}

var _ Sender = (*pollAnswerSender)(nil)

// Send sends the answer.
func (s *pollAnswerSender) Send(ctx context.Context, it *citizen.OutboxItem, _ func()) (Changed, error) {
	p, ok := it.Payload.(*citizen.PollAnswerPayload)
	if !ok {
		return 0, citizen.Errorf(citizen.ELOCKED, "This answer was saved with a key this device no longer has.")
	}
	if _, err := s.portal.AnswerPoll(ctx, p.Poll, p.Data); err != nil {
		return 0, err
	}
	return ChangedOutbox, s.store.Done(ctx, it.ID)
}

// Permanent: the backend's refusals (4xx: the poll closed, the answer does
// not fit its form).
func (s *pollAnswerSender) Permanent(err error) bool { return !citizen.IsTransient(err) }

// pollClosedMessage is for a citizen whose answer came after the poll
// closed (it waited for a connection too long).
const pollClosedMessage = "The poll closed before your answer reached the town hall."

// Refuse marks the answer failed with the backend's reason.
func (s *pollAnswerSender) Refuse(ctx context.Context, it *citizen.OutboxItem, r Refusal) (Changed, error) {
	msg := r.Message
	if r.Problem != nil && r.Problem.Type == api.ProblemPollClosed {
		msg = pollClosedMessage
	}
	return ChangedOutbox, s.store.Fail(ctx, it.ID, r.Code, msg)
}
