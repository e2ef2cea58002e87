package opendata

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/server"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// makeCases puts cases into the device's backend: received in November
// and December, decided after 2, 4 and 9 days.
func makeCases(t *testing.T, dev *uitest.Device) {
	t.Helper()
	ctx := context.Background()
	nov := time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC)
	for i, c := range []struct {
		service string
		at      time.Time
		days    int
	}{{"meldebescheinigung", nov, 2}, {"meldebescheinigung", nov, 4}, {"meldebescheinigung", nov, 9}, {"hundesteuer", nov.AddDate(0, 1, 0), 0}} {
		id := "c" + string(rune('a'+i))
		_, _, err := dev.Backend.DB.CreateCase(ctx, id, []byte(id), server.NewCase{ID: id, Service: c.service,
			Form: api.FormRef{ID: c.service, Version: 1}, Data: json.RawMessage(`{}`), Status: api.StatusReceived, Created: c.at})
		if err != nil {
			t.Fatal(err)
		}
		if c.days > 0 {
			ev := api.CaseEvent{Status: api.StatusDecided, At: c.at.AddDate(0, 0, c.days)}
			if _, err := dev.Backend.DB.SetCaseStatus(ctx, id, ev, func(string) error { return nil }); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// labels are the texts of the screen's labels, with its tables open, as a
// screen reader reads them.
func labels(s *Screen) string {
	for _, f := range uitest.All[*kit.Fold](s.Content()) {
		f.Open()
	}
	var texts []string
	for _, l := range uitest.All[*widget.Label](s.Content()) {
		texts = append(texts, l.Text)
	}
	return strings.Join(texts, "|")
}

// dataAsOf is the time of the last case event makeCases makes, as the
// screen shows it.
var dataAsOf = time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC).In(time.Local).Format("02/01/2006 15:04") // the tests speak English

func TestScreen(t *testing.T) {
	test.NewTempApp(t)
	dev := uitest.NewDevice(t)
	s := New(Deps{Store: dev.Store, Sync: dev.Engine})
	w := test.NewWindow(s.Content())
	defer w.Close()

	t.Run("nothing fetched yet", func(t *testing.T) {
		if got := s.status.Text; !strings.Contains(got, "No figures yet") {
			t.Errorf("status = %q, want that there are none yet", got)
		}
		if n := len(s.charts); n != 0 {
			t.Errorf("%d charts, want none", n)
		}
	})

	makeCases(t, dev)
	if err := dev.Engine.RefreshOpenData(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Refresh()

	t.Run("charts and their tables", func(t *testing.T) {
		if n := len(s.charts); n != 2 {
			t.Errorf("%d charts, want 2 (applications, decision days; no reports yet)", n)
		}
		for _, c := range s.charts {
			if b := c.Image.Bounds(); b.Dx() < minChartWidth || b.Dy() < minChartWidth/2 {
				t.Errorf("a chart of %v, want one drawn at the screen's width", b)
			}
		}
		got := labels(s)
		// Applications per month: 3 in November, 1 in December; the
		// median of 2, 4 and 9 days is 4.
		for _, want := range []string{"Data as of " + dataAsOf, "2026-11|3|2026-12|1", "2026-11|meldebescheinigung|3|4.0", "None yet."} {
			if !strings.Contains(got, want) {
				t.Errorf("labels %q lack %q", got, want)
			}
		}
	})

	t.Run("offline: the cached figures with their date", func(t *testing.T) {
		dev.Backend.Stop()
		again := New(Deps{Store: dev.Store, Sync: dev.Engine})
		if got := labels(again); !strings.Contains(got, "2026-11|meldebescheinigung|3|4.0") || !strings.Contains(got, "Data as of "+dataAsOf) {
			t.Errorf("offline labels = %q, want the cached figures", got)
		}
		// Shown asks for new figures; offline, it says so and keeps the
		// cached ones.
		done := make(chan struct{})
		again.updated = func() { close(done) }
		again.Shown()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("the update did not end")
		}
		if got := again.status.Text; !strings.Contains(got, "could not be updated") {
			t.Errorf("status = %q, want that the figures could not be updated", got)
		}
		if got := labels(again); !strings.Contains(got, "2026-11|meldebescheinigung|3|4.0") {
			t.Errorf("labels after a failed update = %q, want the cached figures", got)
		}
	})
}

// TestChartsFollowTheLook: the charts, images drawn at the text size and
// in the colours of the theme, are drawn again when the citizen changes
// the text size or the contrast while the screen is open (or kept below
// another): each is then the chart a screen built in that look draws.
func TestChartsFollowTheLook(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(kit.NewLook(100, kit.ContrastNormal))
	dev := uitest.NewDevice(t)
	makeCases(t, dev)
	if err := dev.Engine.RefreshOpenData(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := New(Deps{Store: dev.Store, Sync: dev.Engine})
	w := test.NewWindow(s.Content())
	defer w.Close()
	w.Resize(fyne.NewSize(360, 740))
	s.Refresh()
	for _, look := range []*kit.Look{kit.NewLook(200, kit.ContrastNormal), kit.NewLook(200, kit.ContrastHigh), kit.NewLook(100, kit.ContrastNormal)} {
		t.Run(fmt.Sprintf("%d %s", look.TextPercent(), look.Contrast()), func(t *testing.T) {
			before := chartImages(s)
			a.Settings().SetTheme(look)
			got := chartImages(s)
			fresh := New(Deps{Store: dev.Store, Sync: dev.Engine})
			fw := test.NewWindow(fresh.Content())
			defer fw.Close()
			fw.Resize(fyne.NewSize(360, 740))
			fresh.Refresh()
			want := chartImages(fresh)
			if len(got) != 2 || len(got) != len(want) || len(before) != len(got) {
				t.Fatalf("%d charts, a fresh screen has %d, before the change %d", len(got), len(want), len(before))
			}
			for i := range got {
				if samePixels(got[i], before[i]) {
					t.Errorf("chart %d is the one drawn before the change", i)
				}
				if !samePixels(got[i], want[i]) {
					t.Errorf("chart %d differs from the one a screen built in this look draws", i)
				}
			}
		})
	}
}

func chartImages(s *Screen) []image.Image {
	var imgs []image.Image
	for _, c := range s.charts {
		imgs = append(imgs, c.Image)
	}
	return imgs
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}
