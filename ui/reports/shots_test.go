//go:build screenshot

package reports

// Screenshots of the report screen in a real window (the GLFW driver,
// under Xvfb), with real parts behind it:
//
//	xvfb-run -a -s "-screen 0 1280x1000x24" go test -tags screenshot -run Screenshots ./ui/reports/ -args -shots ../../docs

import (
	"context"
	"flag"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/assets"
	"rathaus/ui/internal/shots"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

var (
	shotsDir = flag.String("shots", "../../docs", "folder for the screenshots")
	realApp  fyne.App
)

// TestMain runs the tests beside the real app's event loop.
func TestMain(m *testing.M) {
	flag.Parse()
	shots.Main(m, kit.LoadTranslations, &realApp)
}

// capture takes the window into the screenshots' folder, as a person sees it.
func capture(t *testing.T, w fyne.Window, name string) { shots.Capture(t, w, *shotsDir, name) }

func TestScreenshots(t *testing.T) {
	ctx := context.Background()
	dev := uitest.NewDevice(t)
	services, _ := assets.DemoReportServices()
	streets, _ := assets.DemoStreets()
	if err := dev.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// Someone reported the light next door before.
	next, _ := citizen.NewStreets(streets).ByID("st001-5")
	first := &citizen.ReportPayload{Request: api.ReportRequest{ServiceCode: "strassenbeleuchtung", Description: "Laterne seit Montag aus",
		Lat: &next.Lat, Long: &next.Long, Address: next.Label(), AddressID: next.ID(), Attributes: map[string][]string{"fehlerart": {"aus"}}}}
	if _, err := dev.Store.QueueReport(ctx, first, nil); err != nil {
		t.Fatal(err)
	}
	if err := dev.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	var s *Screen
	var w fyne.Window
	fyne.DoAndWait(func() {
		w = realApp.NewWindow("Rathaus")
		s = New(Deps{Store: dev.Store, Sync: dev.Engine, Services: services, Streets: streets, Window: w})
		w.SetContent(s.Content())
		w.Resize(fyne.NewSize(480, 1000))
		w.Show()
		s.Shown()
	})
	time.Sleep(500 * time.Millisecond) // the feed's refresh
	fyne.DoAndWait(func() {
		s.category.SetSelectedIndex(0)
		for _, r := range uitest.All[*kit.RadioList](s.attrsBox) {
			r.SetSelected(r.Options[1])
		}
		s.description.SetText("Licht flackert abends und geht dann ganz aus")
		s.search.SetText("Hauptstr 3")
	})
	capture(t, w, "reports-search.png")
	fyne.DoAndWait(func() {
		for _, a := range s.streets.Search("Hauptstr 3") {
			s.onPickAddress(a)
			break
		}
		test.Tap(s.send)
	})
	fyne.DoAndWait(func() {
		if !s.dupBox.Visible() {
			t.Errorf("no offer of the report nearby; problem %q", s.problem.Text)
		}
	})
	capture(t, w, "reports-duplicates.png")
}
