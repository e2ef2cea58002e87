//go:build screenshot

package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"

	"rathaus/assets/demotest"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
	"rathaus/ui/settings"
)

// TestA11yScreenshots shows the dog tax's payment step with the SEPA
// mandate on a phone's width at 100 % and 200 % text, in high contrast,
// and the settings screen.
func TestA11yScreenshots(t *testing.T) {
	dev := uitest.NewDevice(t)
	var u *UI
	fyne.DoAndWait(func() {
		u = New(realApp, Deps{Store: dev.Store, Sync: dev.Engine})
		u.win.Resize(fyne.NewSize(360, 740))
		u.win.Show()
	})
	values := demotest.Example(t, "hundesteuer")
	values["payment"] = "sepa"
	d := dev.Draft(t, "hundesteuer", values)
	if err := dev.Store.SaveDraft(context.Background(), d.ID, values, 2); err != nil {
		t.Fatal(err)
	}
	d.Step = 2
	look := func(p int, c kit.Contrast) {
		fyne.DoAndWait(func() { settings.Apply(realApp, kit.NewLook(p, c)) })
	}
	fyne.DoAndWait(func() { u.OpenDraft(d) })
	capture(t, u.win, "a11y-sepa-100.png")
	look(200, kit.ContrastNormal)
	capture(t, u.win, "a11y-sepa-200.png")
	look(100, kit.ContrastHigh)
	capture(t, u.win, "a11y-sepa-high.png")
	fyne.DoAndWait(func() { u.OpenSettings() })
	capture(t, u.win, "a11y-settings-high.png")
	look(100, kit.ContrastNormal)
	capture(t, u.win, "a11y-settings.png")
}
