package ui

import (
	"context"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/server/reportwork"
	"rathaus/ui/internal/uitest"
)

// notes records the notifications the app raises.
type notes struct {
	mu  sync.Mutex
	got []*fyne.Notification
}

func (n *notes) SendNotification(x *fyne.Notification) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, x)
}

func (n *notes) all() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, x := range n.got {
		out = append(out, x.Title+" | "+x.Content)
	}
	return out
}

// badges counts the visible "New" badges under o.
func badges(o fyne.CanvasObject) int {
	n := 0
	uitest.Walk(o, func(c fyne.CanvasObject) {
		if l, ok := c.(*widget.Label); ok && l.Visible() && l.Text == "New" {
			n++
		}
	})
	return n
}

// TestStatusNotifications: the town's steps on a report and a case, made
// by the staff, reach the app through the changes feed, raise one
// notification each (not again on the next sync, nor after a restart),
// and mark the report and the case new until their timeline is opened.
func TestStatusNotifications(t *testing.T) {
	ctx := context.Background()
	rec := &notes{}
	r := newRig(t, func(d *Deps) { d.Notifier = rec })
	lat, long := 50.941, 6.958
	if _, err := r.Store.QueueReport(ctx, &citizen.ReportPayload{Request: api.ReportRequest{ServiceCode: "strassenbeleuchtung",
		Lat: &lat, Long: &long, Attributes: map[string][]string{"fehlerart": {"aus"}}}}, nil); err != nil {
		t.Fatal(err)
	}
	r.sendDraft(t, "sperrmuell")
	test.Tap(r.button(t, "OK"))
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	mine, err := r.Store.MyReports(ctx)
	if err != nil || len(mine) != 1 || mine[0].ReportID == "" {
		t.Fatalf("my reports = %+v, %v", mine, err)
	}
	cases, err := r.Store.Cases(ctx)
	if err != nil || len(cases) != 1 {
		t.Fatalf("cases = %+v, %v", cases, err)
	}
	if got := rec.all(); len(got) != 0 {
		t.Errorf("notifications after sending = %q, want none", got)
	}

	if _, err := reportwork.New(r.Backend.DB, nil).Advance(ctx, mine[0].ReportID, api.StatusInspection, "Wir prüfen die Laterne am Montag."); err != nil {
		t.Fatal(err)
	}
	r.Backend.SetCaseStatus(cases[0].ID, api.StatusDecided, api.Text{"de": "Abholung am 12.12.", "en": "Collection on 12 Dec."})
	for range 2 { // the second sync brings nothing new
		if err := r.Engine.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"News from the town hall | Your report " + mine[0].ReportID + ": Inspection\nWir prüfen die Laterne am Montag.",
		"News from the town hall | Your case " + cases[0].Number + ": Decided\nCollection on 12 Dec.",
	}
	if got := rec.all(); strings.Join(got, "\n--\n") != strings.Join(want, "\n--\n") {
		t.Fatalf("notifications = %q, want %q", got, want)
	}

	// A restart: the same store file, a new engine and window.
	r.Open(t)
	r.ui = New(r.app, Deps{Store: r.Store, Sync: r.Engine, Clock: r.clock, Notifier: rec})
	r.win = r.ui.Window()
	r.win.Resize(fyne.NewSize(480, 900))
	r.win.Show()
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rec.all(); len(got) != len(want) {
		t.Errorf("notifications after a restart = %q, want the %d from before only", got, len(want))
	}

	// The report: "New" on the report screen until its timeline is opened.
	r.ui.OpenReport()
	if n := badges(r.ui.report.Content()); n != 1 || !strings.Contains(r.text(), "Report "+mine[0].ReportID+": Street light out") {
		t.Fatalf("report screen: %d badges, text %q", n, r.text())
	}
	test.Tap(uitest.ButtonIn(t, r.ui.report.Content(), "Timeline"))
	if txt := r.text(); !strings.Contains(txt, "Received") || !strings.Contains(txt, "Inspection") || !strings.Contains(txt, "Wir prüfen die Laterne am Montag.") {
		t.Errorf("the report's timeline: %q", txt)
	}
	test.Tap(r.button(t, "Close"))
	if n := badges(r.ui.report.Content()); n != 0 {
		t.Errorf("%d badges after opening the report's timeline, want none", n)
	}

	// The case: "New" in "My applications" until its timeline is opened.
	r.ui.tabs.SelectIndex(1)
	r.ui.apps.Refresh()
	if n := badges(r.ui.apps.Content()); n != 1 {
		t.Fatalf("My applications: %d badges, want 1: %q", n, r.text())
	}
	test.Tap(uitest.ButtonIn(t, r.ui.apps.Content(), "Timeline"))
	test.Tap(r.button(t, "Close"))
	if n := badges(r.ui.apps.Content()); n != 0 {
		t.Errorf("%d badges after opening the case's timeline, want none", n)
	}
	mine, _ = r.Store.MyReports(ctx)
	cases, _ = r.Store.Cases(ctx)
	if mine[0].New || cases[0].New {
		t.Errorf("stored as new after opening: report %v, case %v", mine[0].New, cases[0].New)
	}
}
