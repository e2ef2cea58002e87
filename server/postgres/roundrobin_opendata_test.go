package postgres_test

import (
	"context"
	"time"

	"rathaus/server/opendata"
)

func (r *roundRobin) CaseCounts(ctx context.Context) ([]opendata.Count, error) {
	return r.next().CaseCounts(ctx)
}

func (r *roundRobin) ReportCounts(ctx context.Context) ([]opendata.Count, error) {
	return r.next().ReportCounts(ctx)
}

func (r *roundRobin) Decisions(ctx context.Context) ([]opendata.Decision, error) {
	return r.next().Decisions(ctx)
}

func (r *roundRobin) LastChange(ctx context.Context) (time.Time, error) {
	return r.next().LastChange(ctx)
}
