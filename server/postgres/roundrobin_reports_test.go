package postgres_test

import (
	"context"
	"time"

	"rathaus/api"
	"rathaus/server/open311"
)

// The report methods of roundRobin (conformance_test.go), apart so that
// the file of the core's methods stays as it is.

func (r *roundRobin) CreateReport(ctx context.Context, key string, h []byte, n open311.NewReport) (api.Report, bool, error) {
	return r.next().CreateReport(ctx, key, h, n)
}

func (r *roundRobin) Report(ctx context.Context, id string) (api.Report, bool, error) {
	return r.next().Report(ctx, id)
}

func (r *roundRobin) ReportByToken(ctx context.Context, token string) (api.Report, bool, error) {
	return r.next().ReportByToken(ctx, token)
}

func (r *roundRobin) Reports(ctx context.Context, f open311.Filter) ([]api.Report, error) {
	return r.next().Reports(ctx, f)
}

func (r *roundRobin) SetReportStatus(ctx context.Context, id, status, notes string, at time.Time) (api.Report, bool, error) {
	return r.next().SetReportStatus(ctx, id, status, notes, at)
}

func (r *roundRobin) ReportHistory(ctx context.Context, id string) ([]api.CaseEvent, bool, error) {
	return r.next().ReportHistory(ctx, id)
}

func (r *roundRobin) Open311Key(ctx context.Context, hash []byte) (string, bool, error) {
	return r.next().Open311Key(ctx, hash)
}

func (r *roundRobin) AddOpen311Key(ctx context.Context, k open311.Key) (bool, error) {
	return r.next().AddOpen311Key(ctx, k)
}

func (r *roundRobin) Open311Keys(ctx context.Context) ([]open311.Key, error) {
	return r.next().Open311Keys(ctx)
}

func (r *roundRobin) RevokeOpen311Key(ctx context.Context, name string, at time.Time) (bool, error) {
	return r.next().RevokeOpen311Key(ctx, name, at)
}

func (r *roundRobin) VoteReport(ctx context.Context, id, voter string) (api.Report, bool, error) {
	return r.next().VoteReport(ctx, id, voter)
}

func (r *roundRobin) ReportPhoto(ctx context.Context, id string, n int) (string, bool, error) {
	return r.next().ReportPhoto(ctx, id, n)
}
