//go:build screenshot

package ui

// Screenshots of key screens in a real window (the GLFW driver, under Xvfb
// in `make screenshot`), with real parts behind them. Run with
//
//	xvfb-run -a go test -tags screenshot -run Screenshots ./ui/ -args -shots DIR

import (
	"context"
	"flag"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/assets/demotest"
	"rathaus/ui/internal/shots"
	"rathaus/ui/internal/uitest"
)

var (
	shotsDir = flag.String("shots", "docs", "folder for the screenshots")
	realApp  fyne.App
)

// TestMain runs the tests beside the real app's event loop.
func TestMain(m *testing.M) {
	flag.Parse()
	shots.Main(m, LoadTranslations, &realApp)
}

// capture takes the window into the screenshots' folder, as a person sees it.
func capture(t *testing.T, w fyne.Window, name string) { shots.Capture(t, w, *shotsDir, name) }

// TestScreenshots shows the sync indicator and the per-item status: one
// case sent and moved on by the town hall, one form waiting in the outbox
// while the backend is down; then a form with a repeat.
func TestScreenshots(t *testing.T) {
	ctx := context.Background()
	dev := uitest.NewDevice(t)
	backend, st, eng := dev.Backend, dev.Store, dev.Engine
	var u *UI
	fyne.DoAndWait(func() {
		u = New(realApp, Deps{Store: st, Sync: eng})
		u.win.Resize(fyne.NewSize(480, 820))
		u.win.Show()
	})

	submit := func(service string) {
		d := dev.Example(t, service)
		if _, err := st.Submit(ctx, d.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	submit("hundesteuer")
	if err := eng.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	cases, _ := st.Cases(ctx)
	backend.SetCaseStatus(cases[0].ID, api.StatusInReview, api.Text{"de": "Wir prüfen Ihre Anmeldung.", "en": "We are checking your registration."})
	eng.Sync(ctx)
	backend.Stop()
	submit("sperrmuell")
	eng.Sync(ctx) // offline: waits for a connection
	fyne.DoAndWait(func() {
		u.tabs.SelectIndex(1)
		u.apps.Refresh()
	})
	capture(t, u.win, "sync-status.png")

	d := citizen.NewDraft(demotest.Service(t, "anmeldung-wohnung"), time.Now())
	d.Values = demotest.Example(t, "anmeldung-wohnung")
	d.Step = 2 // the household, with its repeat
	st.CreateDraft(ctx, d)
	fyne.DoAndWait(func() { u.OpenDraft(d) })
	capture(t, u.win, "form-repeat.png")
}
