package postgres_test

import (
	"context"
	"time"

	"rathaus/server/accounts"
)

func (r *roundRobin) UnlinkDevice(ctx context.Context, device string) error {
	return r.next().UnlinkDevice(ctx, device)
}

func (r *roundRobin) CreateAccount(ctx context.Context, a accounts.Account) error {
	return r.next().CreateAccount(ctx, a)
}

func (r *roundRobin) Account(ctx context.Context, id string) (accounts.Account, error) {
	return r.next().Account(ctx, id)
}

func (r *roundRobin) AccountByEmail(ctx context.Context, email string) (accounts.Account, error) {
	return r.next().AccountByEmail(ctx, email)
}

func (r *roundRobin) Accounts(ctx context.Context) ([]accounts.Account, error) {
	return r.next().Accounts(ctx)
}

func (r *roundRobin) SetAccountDisabled(ctx context.Context, id string, disabled bool) error {
	return r.next().SetAccountDisabled(ctx, id, disabled)
}

func (r *roundRobin) PutGrant(ctx context.Context, g accounts.Grant) error {
	return r.next().PutGrant(ctx, g)
}

func (r *roundRobin) Grant(ctx context.Context, id string) (accounts.Grant, error) {
	return r.next().Grant(ctx, id)
}

func (r *roundRobin) TakeGrant(ctx context.Context, id string) (accounts.Grant, error) {
	return r.next().TakeGrant(ctx, id)
}

func (r *roundRobin) DeleteGrants(ctx context.Context, ids ...string) error {
	return r.next().DeleteGrants(ctx, ids...)
}

func (r *roundRobin) DeleteExpiredGrants(ctx context.Context, before time.Time) (int, error) {
	return r.next().DeleteExpiredGrants(ctx, before)
}
