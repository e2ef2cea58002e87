// Package reportwork is how the town hall works issue reports: list them
// and move one through the steps of the workflow (api.Statuses) with a
// message. The console (/staff/reports) and the command line
// (`rathaus-server reports`) both come through here, so a step is checked
// and told the same way whichever door it came by: the store sets
// Open311's status and status_notes and tells the reporter's device
// through the changes feed.
package reportwork

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"rathaus/api"
	"rathaus/server/open311"
)

// Store is what reportwork needs of the backend's store.
type Store interface {
	Report(ctx context.Context, id string) (rep api.Report, found bool, err error)
	Reports(ctx context.Context, f open311.Filter) ([]api.Report, error)
	SetReportStatus(ctx context.Context, id, step, notes string, at time.Time) (rep api.Report, found bool, err error)
}

var _ Store = open311.Store(nil)

// Errors of Advance and Report, for the clerk.
var (
	ErrNotFound = errors.New("there is no such report")
	ErrStep     = errors.New("unknown status: one of " + strings.Join(api.Statuses, ", "))
	ErrMessage  = errors.New("this status needs a message for the reporter (what is to be added, or what was decided)")
)

// Service works reports.
type Service struct {
	store Store
	now   func() time.Time
}

// New makes a Service; now is time.Now when nil.
func New(st Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, now: now}
}

// List returns the reports of an Open311 status ("" for both), newest
// first, at most limit (0: 100).
func (s *Service) List(ctx context.Context, status string, limit int) ([]api.Report, error) {
	if limit <= 0 {
		limit = 100
	}
	f := open311.Filter{Limit: limit}
	if status != "" {
		f.Statuses = []string{status}
	}
	return s.store.Reports(ctx, f)
}

// Report returns one report, ErrNotFound when there is none.
func (s *Service) Report(ctx context.Context, id string) (api.Report, error) {
	r, ok, err := s.store.Report(ctx, id)
	if err == nil && !ok {
		err = ErrNotFound
	}
	return r, err
}

// Advance moves a report to step with the message for its reporter. Any
// step may follow any other: a report keeps no workflow of its own beyond
// Open311's open and closed, and a clerk may need to reopen one. More
// information needed and decided say nothing without their message.
func (s *Service) Advance(ctx context.Context, id, step, message string) (api.Report, error) {
	if !slices.Contains(api.Statuses, step) {
		return api.Report{}, ErrStep
	}
	message = strings.TrimSpace(message)
	if message == "" && (step == api.StatusInfoNeeded || step == api.StatusDecided) {
		return api.Report{}, ErrMessage
	}
	r, ok, err := s.store.SetReportStatus(ctx, id, step, message, s.now())
	if err == nil && !ok {
		err = ErrNotFound
	}
	return r, err
}
