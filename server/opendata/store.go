package opendata

import (
	"context"
	"time"
)

// Store reads what the figures are made of. server.Store embeds it;
// server/sqlite and server/postgres implement it, and server/storetest
// holds them to it. Nothing it returns names a case, a report or a person.
type Store interface {
	// CaseCounts counts the cases per month of receipt (UTC), service and
	// current status, ordered by month, service, status.
	CaseCounts(ctx context.Context) ([]Count, error)
	// ReportCounts counts the issue reports per month of receipt (UTC),
	// service code and current status, ordered likewise.
	ReportCounts(ctx context.Context) ([]Count, error)
	// Decisions lists, for every case with a decision, its service, when
	// it was received and when it was first decided, ordered by the
	// decision's time.
	Decisions(ctx context.Context) ([]Decision, error)
	// LastChange is the time of the latest case event or report change
	// (the zero time when there is none).
	LastChange(ctx context.Context) (time.Time, error)
}

// Count is how many cases or reports of one category had one status,
// among those received in one month.
type Count struct {
	Month    string // "YYYY-MM", UTC
	Category string
	Status   string
	N        int
}

// Decision is one case's way from receipt to its first decision.
type Decision struct {
	Service           string
	Received, Decided time.Time
}
