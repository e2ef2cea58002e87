//go:build screenshot

package reports

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/assets"
	"rathaus/server/reportwork"
	"rathaus/ui/internal/uitest"
)

// TestTimelineScreenshots: "My reports" with a step of the town hall
// (marked new), and the report's timeline.
func TestTimelineScreenshots(t *testing.T) {
	ctx := context.Background()
	dev := uitest.NewDevice(t)
	services, _ := assets.DemoReportServices()
	streets, _ := assets.DemoStreets()
	at, _ := citizen.NewStreets(streets).ByID("st001-5")
	p := &citizen.ReportPayload{Request: api.ReportRequest{ServiceCode: "strassenbeleuchtung", Description: "Laterne seit Montag aus",
		Lat: &at.Lat, Long: &at.Long, Address: at.Label(), AddressID: at.ID(), Attributes: map[string][]string{"fehlerart": {"aus"}}}}
	if _, err := dev.Store.QueueReport(ctx, p, nil); err != nil {
		t.Fatal(err)
	}
	if err := dev.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	mine, err := dev.Store.MyReports(ctx)
	if err != nil || len(mine) != 1 {
		t.Fatalf("my reports = %+v, %v", mine, err)
	}
	staff := reportwork.New(dev.Backend.DB, nil)
	if _, err := staff.Advance(ctx, mine[0].ReportID, api.StatusInReview, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := staff.Advance(ctx, mine[0].ReportID, api.StatusInspection, "Wir sehen uns die Laterne am Montag an."); err != nil {
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
	fyne.DoAndWait(func() { s.scrollTo(s.mine) })
	capture(t, w, "reports-mine.png")
	fyne.DoAndWait(func() { test.Tap(uitest.ButtonIn(t, s.mine, "Verlauf")) })
	capture(t, w, "reports-timeline.png")
}
