package postgres_test

import (
	"context"
	"time"

	"rathaus/server/handoff"
)

func (r *roundRobin) CreateHandoff(ctx context.Context, h handoff.Handoff) error {
	return r.next().CreateHandoff(ctx, h)
}

func (r *roundRobin) Handoff(ctx context.Context, id string) (handoff.Handoff, error) {
	return r.next().Handoff(ctx, id)
}

func (r *roundRobin) ClaimHandoff(ctx context.Context, id string, at time.Time) ([]byte, error) {
	return r.next().ClaimHandoff(ctx, id, at)
}

func (r *roundRobin) DeleteHandoffs(ctx context.Context, before time.Time) (int, error) {
	return r.next().DeleteHandoffs(ctx, before)
}
