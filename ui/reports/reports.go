// Package reports holds the issue report screen (Mängelmelder): a
// category of the town's Open311 services, a description, up to three
// photos and a place given without a map (the street directory shipped in
// the app, coordinates typed, or a photo's position), checked against the
// town's area; before sending, open reports of the same category nearby
// (from the cached public feed) are offered for a "+1" instead.
package reports

import (
	"context"
	"time"

	"fyne.io/fyne/v2"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/store"
	"rathaus/sync/engine"
)

// Store is what the report screen needs of the local database.
type Store interface {
	QueueReport(ctx context.Context, p *citizen.ReportPayload, photos []store.NewReportPhoto) (*citizen.OutboxItem, error)
	ReportFeed(ctx context.Context) (api.ReportFeed, time.Time, error)
	ReportItems(ctx context.Context) ([]*citizen.OutboxItem, error)
	MyReports(ctx context.Context) ([]citizen.MyReport, error)
	// MarkSeen: the citizen opened the town's steps on a report (kind
	// citizen.NewsReport), which is no longer new.
	MarkSeen(ctx context.Context, kind, id string) error
}

// Syncer is what the report screen needs of the sync engine.
type Syncer interface {
	Kick()
	RefreshReports(ctx context.Context) error
	// RefreshReportHistory fetches a report's timeline into the store.
	RefreshReportHistory(ctx context.Context, reportID string) (changed bool, err error)
}

var (
	_ Store  = (*store.Store)(nil)
	_ Syncer = (*engine.Engine)(nil)
)

// Deps are what the screen is built on.
type Deps struct {
	Store    Store
	Sync     Syncer
	Services api.ReportServices
	Streets  api.StreetDirectory
	Window   fyne.Window // for the file dialog
	// Now is the clock (nil: time.Now), for dates shown.
	Now func() time.Time
}
