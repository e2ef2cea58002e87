//go:build screenshot

package ui

import (
	"context"
	"os"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"rathaus/assets/demotest"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
	"rathaus/ui/settings"
)

// TestA11yScreenshots shows, on a phone's width, the dog tax's payment
// step with the SEPA mandate at 100 % and 200 % text and in high
// contrast, the signature step with the focus on "Next" and a typed
// signature, and the settings screen. FYNE_THEME=light gives the light
// variant (the names end in -light then).
func TestA11yScreenshots(t *testing.T) {
	suffix := ""
	if os.Getenv("FYNE_THEME") == "light" {
		suffix = "-light"
	}
	shot := func(w fyne.Window, name string) { capture(t, w, name+suffix+".png") }
	dev := uitest.NewDevice(t)
	var u *UI
	fyne.DoAndWait(func() {
		u = New(realApp, Deps{Store: dev.Store, Sync: dev.Engine})
		u.win.Resize(fyne.NewSize(360, 740))
		u.win.Show()
	})
	look := func(p int, c kit.Contrast) {
		fyne.DoAndWait(func() { settings.Apply(realApp, kit.NewLook(p, c)) })
	}
	values := demotest.Example(t, "hundesteuer")
	values["payment"] = "sepa"
	d := dev.Draft(t, "hundesteuer", values)
	if err := dev.Store.SaveDraft(context.Background(), d.ID, values, 2); err != nil {
		t.Fatal(err)
	}
	d.Step = 2
	fyne.DoAndWait(func() { u.OpenDraft(d) })
	shot(u.win, "a11y-sepa-100")
	look(100, kit.ContrastHigh)
	shot(u.win, "a11y-sepa-high")
	look(200, kit.ContrastNormal)
	shot(u.win, "a11y-sepa-200")
	look(100, kit.ContrastNormal)

	// The last step of "Wohnung anmelden", signed by typing, the focus on
	// "Next" (Tab from the name).
	reg := demotest.Example(t, "anmeldung-wohnung")
	reg["signature"] = map[string]any{"typed": "Erika Mustermann"}
	r := dev.Draft(t, "anmeldung-wohnung", reg)
	if err := dev.Store.SaveDraft(context.Background(), r.ID, reg, 5); err != nil {
		t.Fatal(err)
	}
	r.Step = 5
	fyne.DoAndWait(func() {
		u.nav.popToRoot()
		u.OpenDraft(r)
		for _, e := range uitest.All[*kit.Entry](u.win.Content()) {
			if e.Text == "Erika Mustermann" {
				u.win.Canvas().Focus(e)
			}
		}
	})
	time.Sleep(time.Second)                                      // the step is laid out
	fyne.DoAndWait(func() { kit.RevealFocused(u.win.Canvas()) }) // as Tab does
	shot(u.win, "a11y-typed-signature")
	fyne.DoAndWait(func() {
		u.win.Canvas().Focus(uitest.OnWindow(u.win, uitest.FindButton(u.win, "Weiter")).(fyne.Focusable))
		kit.RevealFocused(u.win.Canvas())
	})
	shot(u.win, "a11y-typed-signature-focus")
	look(100, kit.ContrastHigh)
	shot(u.win, "a11y-typed-signature-focus-high")
	look(100, kit.ContrastNormal)

	fyne.DoAndWait(func() { u.OpenSettings() })
	shot(u.win, "a11y-settings")
}
