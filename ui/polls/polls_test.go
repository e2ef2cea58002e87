package polls

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/server"
	"rathaus/server/servertest"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// The demo polls are open from 2026-12-01 until 2027-01-31 23:00 UTC.
var (
	whileOpen   = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	afterClosed = time.Date(2027, 2, 1, 8, 0, 0, 0, time.UTC)
)

// rig is a device against a backend on a clock the test moves, and the
// screen on the same clock.
type rig struct {
	dev *uitest.Device
	now atomic.Pointer[time.Time]
	s   *Screen
	w   fyne.Window
}

func newRig(t *testing.T) *rig {
	t.Helper()
	test.NewTempApp(t)
	r := &rig{}
	r.set(whileOpen)
	clock := func() time.Time { return *r.now.Load() }
	r.dev = &uitest.Device{
		Backend: servertest.New(t, servertest.WithConfig(func(c *server.Config) { c.Now = clock })),
		Keys:    secrets.OpenMemory("rathaus-polls-test"),
		Path:    filepath.Join(t.TempDir(), "app.db"),
	}
	r.dev.Open(t)
	if err := r.dev.Engine.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.s = New(Deps{Store: r.dev.Store, Sync: r.dev.Engine, Now: clock})
	r.w = test.NewWindow(r.s.Content())
	r.w.Resize(fyne.NewSize(400, 800))
	t.Cleanup(r.w.Close)
	return r
}

func (r *rig) set(t time.Time) { r.now.Store(&t) }

// text is what the screen shows: its labels, cards' titles and buttons.
func (r *rig) text() string { return screenText(r.s.Content()) }

func screenText(o fyne.CanvasObject) string {
	texts := []string{uitest.Text(o)}
	for _, c := range uitest.All[*widget.Card](o) {
		texts = append(texts, c.Title, c.Subtitle)
	}
	for _, b := range uitest.Buttons(o) {
		texts = append(texts, b.Text)
	}
	return strings.Join(texts, "\n")
}

// wait runs f and waits until the screen shows what it fetched.
func (r *rig) wait(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	r.s.updated = func() { close(done) }
	f()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the screen was not updated")
	}
	r.s.updated = nil
}

// TestAnswerAPoll: the demo polls are listed with their dates; an answer
// that leaves out a required question is not queued; a full one is, the
// list says so and offers to change it, the backend holds it after the
// sync, and the form to change it holds the answer given.
func TestAnswerAPoll(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.wait(t, r.s.Shown)
	for _, want := range []string{"Redesigning the market square", "Cycle lanes in the town centre", "Open from 01/12/2026 to"} {
		if !strings.Contains(r.text(), want) {
			t.Errorf("screen %q lacks %q", r.text(), want)
		}
	}

	test.Tap(uitest.ButtonIn(t, r.s.Content(), "Answer")) // the first poll's: the market square
	test.Tap(uitest.ButtonIn(t, r.s.Content(), "Send answer"))
	if got := r.text(); !strings.Contains(got, "Please check your answer to: What should the square be for above all?") {
		t.Errorf("after sending nothing: %q; want the required question named", got)
	}
	uitest.All[*kit.RadioList](r.s.Content())[0].SetSelected("Green space to linger")
	uitest.All[*kit.CheckList](r.s.Content())[0].SetSelected([]string{"Trees"})
	test.Tap(uitest.ButtonIn(t, r.s.Content(), "Send answer"))
	got := r.text()
	for _, want := range []string{"Your answer is saved", "is saved and goes to the town hall when there is a connection", "Change your answer"} {
		if !strings.Contains(got, want) {
			t.Errorf("after sending: %q lacks %q", got, want)
		}
	}

	if err := r.dev.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := r.dev.Backend.DB.PollAnswers(ctx, "marktplatz")
	if err != nil || len(raw) != 1 {
		t.Fatalf("backend answers = %d, %v; want 1", len(raw), err)
	}
	var held map[string]any
	if err := json.Unmarshal(raw[0], &held); err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(held); string(b) != `{"nutzung":"gruen","wuensche":["baeume"]}` {
		t.Errorf("backend holds %s; want the answer given", b)
	}

	r.s.AnswersChanged() // as the shell calls it after a pass that sent it
	if got := r.text(); !strings.Contains(got, "has reached the town hall. You can change it until the poll closes.") {
		t.Errorf("after the sync: %q; want the answer arrived", got)
	}
	test.Tap(uitest.ButtonIn(t, r.s.Content(), "Change your answer"))
	if got := uitest.All[*kit.RadioList](r.s.Content())[0].Selected; got != "Green space to linger" {
		t.Errorf("the form to change the answer holds %q; want the answer given", got)
	}
	if got := uitest.All[*kit.CheckList](r.s.Content())[0].Selected; len(got) != 1 || got[0] != "Trees" {
		t.Errorf("the form to change the answer holds %q; want [Trees]", got)
	}
}

// TestAnsweredOfflineCountsOnce: polls fetched once are listed and answered
// with the backend down, twice; once it is back the device counts once,
// with its second answer, and after closing the results show.
func TestAnsweredOfflineCountsOnce(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.wait(t, r.s.Shown)
	r.dev.Backend.Stop()

	r.wait(t, r.s.Shown)
	if got := r.text(); !strings.Contains(got, "The polls could not be updated") || !strings.Contains(got, "Redesigning the market square") {
		t.Fatalf("offline: %q; want the kept polls and why they are not new", got)
	}
	for _, choice := range []string{"Parking", "Weekly market and festivals"} {
		test.Tap(uitest.ButtonIn(t, r.s.Content(), map[bool]string{true: "Answer", false: "Change your answer"}[choice == "Parking"]))
		uitest.All[*kit.RadioList](r.s.Content())[0].SetSelected(choice)
		test.Tap(uitest.ButtonIn(t, r.s.Content(), "Send answer"))
		if err := r.dev.Engine.Sync(ctx); err == nil {
			t.Fatal("sync with the backend down succeeded")
		}
	}
	if got := r.text(); !strings.Contains(got, "is saved and goes to the town hall when there is a connection") {
		t.Errorf("offline after answering: %q; want the answer waiting", got)
	}

	r.dev.Backend.Start()
	for range 3 {
		if err := r.dev.Engine.Sync(ctx); err == nil {
			break
		}
	}
	r.set(afterClosed)
	r.wait(t, r.s.Shown)
	if got := r.text(); !strings.Contains(got, "has reached the town hall.") || strings.Contains(got, "You can change it") {
		t.Errorf("after closing: %q; want the answer arrived, no longer changeable", got)
	}
	r.wait(t, func() { test.Tap(uitest.ButtonIn(t, r.s.Content(), "Results")) })
	got := r.text()
	for _, want := range []string{"Answers: 1. The poll closed on", "Weekly market and festivals", "Table of the numbers"} {
		if !strings.Contains(got, want) {
			t.Errorf("results: %q lacks %q", got, want)
		}
	}
	p, err := r.dev.Store.Poll(ctx, "marktplatz")
	if err != nil || p.Results == nil || p.Results.Answers != 1 {
		t.Fatalf("kept results = %+v, %v; want one answer counted", p.Results, err)
	}
	for _, c := range p.Results.Counts {
		if want := map[string]int{"markt": 1}[c.Option]; c.N != want {
			t.Errorf("count of %s = %d; want %d", c.Option, c.N, want)
		}
	}
	if p.State != citizen.AnswerSent {
		t.Errorf("state = %q; want sent", p.State)
	}
}

// TestResultsChartAndTable: a closed poll's results are a chart per choice
// question (an image) and a table of the same numbers; free text has none.
func TestResultsChartAndTable(t *testing.T) {
	test.NewTempApp(t)
	p := api.Poll{ID: "p", Title: api.Text{"en": "Cycle lanes"}, Form: api.Form{Steps: []api.Step{{Fields: []api.Field{
		{Key: "vorrang", Widget: api.WidgetChoice, Label: api.Text{"en": "Priority?"},
			Options: []api.Option{{Value: "ja", Label: api.Text{"en": "Yes"}}, {Value: "nein", Label: api.Text{"en": "No"}}}},
		{Key: "anmerkung", Widget: api.WidgetTextarea, Label: api.Text{"en": "Comment"}},
	}}}}}
	c := resultsCard(p, api.PollResults{Poll: "p", Answers: 4, Counts: []api.OptionCount{{Field: "vorrang", Option: "ja", N: 3}, {Field: "vorrang", Option: "nein", N: 1}}}, 300)
	charts := 0
	for _, img := range uitest.All[*canvas.Image](c) {
		if img.Image != nil && img.Resource == nil { // drawn, not an icon
			charts++
		}
	}
	if n := charts; n != 1 {
		t.Errorf("%d charts; want one, for the one choice question", n)
	}
	var texts []string
	for _, l := range uitest.All[*widget.Label](c) {
		texts = append(texts, l.Text)
	}
	got := strings.Join(texts, "|")
	if want := "Cycle lanes|Results|Answers: 4|Priority?|Table of the numbers|Option|Votes|Share|Yes|3|75 %|No|1|25 %"; got != want {
		t.Errorf("results = %q; want %q", got, want)
	}
	if strings.Contains(screenText(c), "Comment") {
		t.Error("the free-text question is in the results")
	}
}

// TestChartGrowsWithText: at 200 % text size the chart is taller, so that
// its larger labels keep their room.
func TestChartGrowsWithText(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(kit.NewLook(100, kit.ContrastNormal))
	normal := chartHeight(4)
	a.Settings().SetTheme(kit.NewLook(200, kit.ContrastNormal))
	if big := chartHeight(4); big < 1.9*normal {
		t.Errorf("chart height at 200 %% = %v; want about twice %v", big, normal)
	}
}

// TestPhoneWidthAtEveryTextSize: on a phone's width (360 px) at 100 % and
// 200 % text, the list, the answer form and the results (chart and table
// open) are no wider than the window: titles and questions wrap.
func TestPhoneWidthAtEveryTextSize(t *testing.T) {
	for _, percent := range []int{100, 200} {
		t.Run(fmt.Sprintf("text%d", percent), func(t *testing.T) {
			r := newRig(t)
			fyne.CurrentApp().Settings().SetTheme(kit.NewLook(percent, kit.ContrastNormal))
			r.w.Resize(fyne.NewSize(360, 740))
			r.wait(t, r.s.Shown)
			if err := r.dev.Engine.RefreshPollResults(context.Background(), "radverkehr"); err == nil {
				t.Fatal("results of an open poll were fetched")
			}
			fit := func(what string) {
				t.Helper()
				if wide := uitest.TooWide(r.s.Content(), 360); len(wide) > 0 {
					t.Errorf("%s is wider than the window:\n%s", what, strings.Join(wide, "\n"))
				}
			}
			fit("the list")
			test.Tap(uitest.ButtonIn(t, r.s.Content(), "Answer"))
			fit("the answer form")

			r.set(afterClosed)
			r.wait(t, r.s.Shown)
			r.wait(t, func() { test.Tap(uitest.ButtonIn(t, r.s.Content(), "Results")) })
			fit("the results")
		})
	}
}

// TestResultsFollowTheLook: results shown while the citizen changes the
// text size or the contrast are drawn again: the chart takes the height
// its labels need at the new size (larger, and back) and a new image.
func TestResultsFollowTheLook(t *testing.T) {
	r := newRig(t)
	a := fyne.CurrentApp()
	a.Settings().SetTheme(kit.NewLook(100, kit.ContrastNormal))
	r.w.Resize(fyne.NewSize(360, 740))
	r.set(afterClosed)
	r.wait(t, r.s.Shown)
	r.wait(t, func() { test.Tap(uitest.ButtonIn(t, r.s.Content(), "Results")) })
	chart := func() *canvas.Image {
		t.Helper()
		for _, img := range uitest.All[*canvas.Image](r.s.Content()) {
			if img.Image != nil && img.Resource == nil {
				return img
			}
		}
		t.Fatal("no chart on the results")
		return nil
	}
	options := 0
	for _, p := range r.s.list.Polls {
		if p.Results != nil {
			for _, st := range p.Poll.Form.Steps {
				if len(st.Fields) > 0 && len(st.Fields[0].Options) > 0 {
					options = len(st.Fields[0].Options)
				}
			}
		}
	}
	before := chart()
	for _, look := range []*kit.Look{kit.NewLook(200, kit.ContrastNormal), kit.NewLook(100, kit.ContrastNormal), kit.NewLook(100, kit.ContrastHigh)} {
		a.Settings().SetTheme(look)
		got := chart()
		if got.Image == before.Image {
			t.Errorf("%d %% %s: the chart is the image drawn before", look.TextPercent(), look.Contrast())
		}
		if h, want := got.MinSize().Height, chartHeight(options); h != want {
			t.Errorf("%d %% %s: the chart is %.0f high, its labels need %.0f", look.TextPercent(), look.Contrast(), h, want)
		}
		before = got
	}
	if !strings.Contains(r.text(), "Table of the numbers") {
		t.Errorf("the results went: %s", r.text())
	}
}

// TestNoEmptyStatusLine: with nothing to say (the polls fetched), the
// status line goes, and the list starts at the top of the screen.
func TestNoEmptyStatusLine(t *testing.T) {
	r := newRig(t)
	r.wait(t, r.s.Shown)
	if r.s.status.Visible() {
		t.Errorf("the status line shows %q", r.s.status.Text)
	}
	r.dev.Backend.Stop()
	r.wait(t, r.s.Shown)
	if !r.s.status.Visible() || !strings.Contains(r.s.status.Text, "could not be updated") {
		t.Errorf("offline: status line visible %v, %q; want that the polls could not be updated", r.s.status.Visible(), r.s.status.Text)
	}
}
