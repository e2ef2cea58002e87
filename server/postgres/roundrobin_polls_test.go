package postgres_test

import (
	"context"
	"time"
)

func (r *roundRobin) PutPollAnswer(ctx context.Context, poll, device string, data []byte, at time.Time) error {
	return r.next().PutPollAnswer(ctx, poll, device, data, at)
}

func (r *roundRobin) PollAnswers(ctx context.Context, poll string) ([][]byte, error) {
	return r.next().PollAnswers(ctx, poll)
}
