package ui

import (
	"log/slog"

	"fyne.io/fyne/v2"

	"rathaus/assets"
	"rathaus/ui/reports"
)

// newReportScreen builds the report screen (its own tab: one tap from
// home) on the town's report categories and street directory shipped with
// the app.
func newReportScreen(d Deps, win fyne.Window) *reports.Screen {
	services, err := assets.DemoReportServices()
	if err != nil {
		slog.Error("report categories", "err", err) // embedded: only a broken build gets here
	}
	streets, err := assets.DemoStreets()
	if err != nil {
		slog.Error("street directory", "err", err)
	}
	return reports.New(reports.Deps{Store: d.Store, Sync: d.Sync, Services: services, Streets: streets, Window: win})
}
