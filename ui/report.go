package ui

import (
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"rathaus/assets"
	"rathaus/ui/kit"
	"rathaus/ui/reports"
)

// newReportScreen builds the report screen on the town's report categories and street directory shipped with
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

// withReportEntry puts the way to the report screen below the home
// screen's services: one tap from home. (A tab of its own made the tab bar
// wider than a phone.)
func (u *UI) withReportEntry(home fyne.CanvasObject) fyne.CanvasObject {
	b := kit.NewWrapButton(reports.Title(), theme.WarningIcon(), u.OpenReport)
	return container.NewBorder(nil, b, nil, nil, home)
}

// OpenReport shows the report screen on the services tab.
func (u *UI) OpenReport() {
	if u.tabs != nil && u.tabs.SelectedIndex() != 0 {
		u.tabs.SelectIndex(0)
	}
	u.nav.popToRoot()
	if u.report == nil {
		u.report = newReportScreen(u.deps, u.win)
	}
	u.nav.push(u.report.Content(), u.report.Title(), nil)
	u.report.Shown()
}
