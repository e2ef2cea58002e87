package reports

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/ui/internal/uitest"
)

// TestTimelineFromTheBackend: a step the device's feed has not brought
// (no sync since the town took it) shows when the citizen opens the
// report's timeline, fetched from the backend's history; offline the kept
// timeline stays.
func TestTimelineFromTheBackend(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	lat, long := 50.941, 6.958
	if _, err := r.Store.QueueReport(ctx, &citizen.ReportPayload{Request: api.ReportRequest{ServiceCode: "baum",
		Description: "Ast auf dem Gehweg", Lat: &lat, Long: &long}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	mine, err := r.Store.MyReports(ctx)
	if err != nil || len(mine) != 1 || mine[0].ReportID == "" {
		t.Fatalf("my reports = %+v, %v", mine, err)
	}
	id := mine[0].ReportID
	if _, ok, err := r.Backend.DB.SetReportStatus(ctx, id, api.StatusInspection, "Ortstermin am Montag", time.Now()); !ok || err != nil {
		t.Fatalf("SetReportStatus = %v, %v", ok, err)
	}

	open := func() string {
		t.Helper()
		done := make(chan struct{})
		r.screen.timelineFetched = func() { close(done) }
		r.screen.Refresh()
		test.Tap(uitest.ButtonIn(t, r.screen.Content(), "Timeline"))
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("the timeline was not fetched")
		}
		r.screen.timelineFetched = nil
		text := uitest.WindowText(r.win)
		test.Tap(uitest.Button(t, r.win, "Close"))
		return text
	}
	if got := open(); !strings.Contains(got, "Ortstermin am Montag") {
		t.Errorf("timeline = %q; want the town's step from the backend", got)
	}
	if got := uitest.Text(r.screen.Content()); !strings.Contains(got, "Ortstermin am Montag") {
		t.Errorf("My reports = %q; want the step there too", got)
	}

	r.Backend.Stop()
	if got := open(); !strings.Contains(got, "Ortstermin am Montag") {
		t.Errorf("timeline offline = %q; want the kept step", got)
	}
}
