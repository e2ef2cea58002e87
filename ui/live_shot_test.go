//go:build screenshot

package ui

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"

	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
	"rathaus/ui/settings"
)

// TestScreensLive photographs every screen of the tour after the text
// size and the contrast were changed while it was shown (100 % → 200 % →
// 100 %, high contrast), into DIR/live/SCREEN-STEP.png: what a citizen
// sees who changes the settings and comes back, without a restart.
//
//	xvfb-run -a -s "-screen 0 1280x1000x24" go test -tags screenshot -run TestScreensLive ./ui/ -args -shots DIR
func TestScreensLive(t *testing.T) {
	dev := uitest.NewDevice(t)
	data := prepareTour(t, dev)
	var u *UI
	fyne.DoAndWait(func() {
		settings.Apply(realApp, kit.NewLook(100, kit.ContrastNormal))
		u = New(realApp, Deps{Store: dev.Store, Sync: dev.Engine})
		u.win.Show()
		u.win.Resize(fyne.NewSize(360, 740))
	})
	if err := os.MkdirAll(filepath.Join(*shotsDir, "live"), 0o755); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		percent int
		c       kit.Contrast
	}{{"200", 200, kit.ContrastNormal}, {"100", 100, kit.ContrastNormal}, {"high", 100, kit.ContrastHigh}}
	for _, sc := range tour {
		fyne.DoAndWait(func() { settings.Apply(realApp, kit.NewLook(100, kit.ContrastNormal)) })
		openTour(u, sc, data)
		for _, st := range steps {
			fyne.DoAndWait(func() {
				settings.Apply(realApp, kit.NewLook(st.percent, st.c))
				u.win.Resize(fyne.NewSize(360, 740))
			})
			capture(t, u.win, filepath.Join("live", sc.name+"-"+st.name+".png"))
		}
	}
}
