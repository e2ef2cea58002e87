//go:build screenshot

package polls

// Screenshots of Mitreden in a real window (the GLFW driver, under Xvfb),
// with real parts behind it:
//
//	xvfb-run -a -s "-screen 0 1280x1000x24" go test -tags screenshot -run Screenshots ./ui/polls/ -args -shots ../../docs

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"rathaus/app/secrets"
	"rathaus/assets"
	"rathaus/server"
	"rathaus/server/servertest"
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

func capture(t *testing.T, w fyne.Window, name string) { shots.Capture(t, w, *shotsDir, name) }

// TestScreenshots: the list (one poll answered, one closed), the answer
// form holding the answer given, and a closed poll's results as a chart
// with its table, at 100 % and 200 % text size. The demo's cycle-lane poll
// is made to close on 6 December so that it has results on the 7th.
func TestScreenshots(t *testing.T) {
	ctx := context.Background()
	var now atomic.Pointer[time.Time]
	set := func(t time.Time) { now.Store(&t) }
	clock := func() time.Time { return *now.Load() }
	set(time.Date(2026, 12, 3, 9, 0, 0, 0, time.Local))
	ps, err := assets.DemoPolls()
	if err != nil {
		t.Fatal(err)
	}
	for i := range ps {
		if ps[i].ID == "radverkehr" {
			ps[i].Closes = time.Date(2026, 12, 6, 18, 0, 0, 0, time.Local)
		}
	}
	dev := &uitest.Device{
		Backend: servertest.New(t, servertest.WithConfig(func(c *server.Config) { c.Now, c.Polls = clock, ps })),
		Keys:    secrets.OpenMemory("rathaus-polls-shots"),
		Path:    filepath.Join(t.TempDir(), "app.db"),
	}
	dev.Open(t)
	// Forty-two citizens answered the cycle-lane poll before it closed.
	for i := range 42 {
		id := fmt.Sprintf("shot-device-%02d", i)
		if err := dev.Backend.DB.CreateDevice(ctx, server.NewDevice{ID: id, TokenHash: []byte(id), Platform: "test", Created: clock()}); err != nil {
			t.Fatal(err)
		}
		answer := []string{"ja", "ja", "nein", "ja", "egal", "ja", "nein"}[i%7]
		if err := dev.Backend.DB.PutPollAnswer(ctx, "radverkehr", id, []byte(`{"vorrang":"`+answer+`"}`), clock()); err != nil {
			t.Fatal(err)
		}
	}
	set(time.Date(2026, 12, 7, 10, 0, 0, 0, time.Local))
	if err := dev.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := dev.Engine.RefreshPolls(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.Store.AnswerPoll(ctx, "marktplatz", map[string]any{"nutzung": "gruen", "wuensche": []any{"baeume", "brunnen"}}); err != nil {
		t.Fatal(err)
	}
	if err := dev.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := dev.Engine.RefreshPollResults(ctx, "radverkehr"); err != nil {
		t.Fatal(err)
	}

	var s *Screen
	var w fyne.Window
	fyne.DoAndWait(func() {
		w = realApp.NewWindow("Rathaus")
		s = New(Deps{Store: dev.Store, Sync: dev.Engine, Now: clock})
		w.SetContent(s.Content())
		w.Resize(fyne.NewSize(480, 900))
		w.Show()
	})
	updated := make(chan struct{}, 1)
	s.updated = func() { updated <- struct{}{} }
	wait := func() {
		t.Helper()
		select {
		case <-updated:
		case <-time.After(30 * time.Second):
			t.Fatal("the screen was not updated")
		}
	}
	fyne.DoAndWait(s.Shown)
	wait()
	capture(t, w, "polls.png")

	fyne.DoAndWait(func() { test.Tap(uitest.ButtonIn(t, s.Content(), "Antwort ändern")) })
	capture(t, w, "polls-answer.png")

	results := func(name string, down float32) {
		fyne.DoAndWait(func() {
			s.load()
			s.showList()
			test.Tap(uitest.ButtonIn(t, s.Content(), "Ergebnisse"))
		})
		// At 200 % the table is below the chart: scrolled to, to be seen.
		fyne.DoAndWait(func() { uitest.All[*kit.Scroll](s.root)[0].ScrollToOffset(down) })
		capture(t, w, name)
	}
	results("polls-results.png", 0)
	fyne.DoAndWait(func() { realApp.Settings().SetTheme(kit.NewLook(200, kit.ContrastNormal)) })
	fyne.DoAndWait(func() { w.Resize(fyne.NewSize(480, 1000)) })
	results("polls-results-200.png", 380)
}
