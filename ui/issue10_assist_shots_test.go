//go:build screenshot

package ui

// The assistant, the home screen's search and the help screen of issue
// 10, in a real window under Xvfb, as the citizen meets them (make
// screenshot takes them with the others):
//
//	xvfb-run -a -s "-screen 0 1280x900x24" go test -tags=sqlite_fts5,screenshot \
//	    -run AssistScreenshots ./ui/ -args -shots $PWD/docs

import (
	"testing"

	"fyne.io/fyne/v2"

	"rathaus/ui/internal/uitest"
)

func TestAssistScreenshots(t *testing.T) {
	dev := uitest.NewDevice(t)
	var u *UI
	fyne.DoAndWait(func() {
		u = New(realApp, Deps{Store: dev.Store, Sync: dev.Engine})
		u.win.Resize(fyne.NewSize(480, 820))
		u.win.Show()
	})
	fyne.DoAndWait(func() {
		u.tabs.Select(u.tabs.Items[2])
		u.assistant.Ask("Perso verloren")
		u.assistant.Ask("Wie wird das Wetter morgen?")
	})
	capture(t, u.win, "assistant.png")
	fyne.DoAndWait(func() {
		u.tabs.Select(u.tabs.Items[2])
		u.assistant.Ask("Sperrmüll anmelden")
	})
	capture(t, u.win, "assistant-answer.png")
	fyne.DoAndWait(func() { u.OpenHelp() })
	capture(t, u.win, "help.png")
	fyne.DoAndWait(func() { u.tabs.SelectIndex(0) })
	capture(t, u.win, "services-grouped.png")
	fyne.DoAndWait(func() { u.home.SetQuery("steuer") })
	capture(t, u.win, "search.png")
}
