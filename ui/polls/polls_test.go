package polls

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/ui/internal/uitest"
)

func labels(s *Screen) string {
	var texts []string
	for _, l := range uitest.All[*widget.Label](s.Content()) {
		texts = append(texts, l.Text)
	}
	for _, c := range uitest.All[*widget.Card](s.Content()) {
		texts = append(texts, c.Title, c.Subtitle)
	}
	return strings.Join(texts, "|")
}

func button(t *testing.T, s *Screen, text string) *widget.Button {
	t.Helper()
	for _, b := range uitest.All[*widget.Button](s.Content()) {
		if b.Text == text {
			return b
		}
	}
	t.Fatalf("no button %q", text)
	return nil
}

// shown shows the screen and waits for the polls.
func shown(t *testing.T, s *Screen) {
	t.Helper()
	done := make(chan struct{})
	s.updated = func() { close(done) }
	s.Shown()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the polls did not come")
	}
	s.updated = nil
}

// TestAnswerAPoll: the demo polls are listed with their dates; an answer
// that leaves out a required question is not queued; a full one is, and
// the backend holds it after the sync.
func TestAnswerAPoll(t *testing.T) {
	test.NewTempApp(t)
	dev := uitest.NewDevice(t)
	ctx := context.Background()
	if err := dev.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	s := New(Deps{Store: dev.Store, Sync: dev.Engine})
	w := test.NewWindow(s.Content())
	defer w.Close()
	shown(t, s)
	got := labels(s)
	for _, want := range []string{"Redesigning the market square", "Cycle lanes in the town centre", "Open from 01/12/2026 to"} {
		if !strings.Contains(got, want) {
			t.Errorf("labels %q lack %q", got, want)
		}
	}

	test.Tap(uitest.All[*widget.Button](s.Content())[1]) // the first poll's "Answer"
	test.Tap(button(t, s, "Send answer"))
	if got := labels(s); !strings.Contains(got, "Please check your answer to: What should the square be for above all?") {
		t.Errorf("labels after sending nothing = %q; want the required question named", got)
	}

	uitest.All[*widget.RadioGroup](s.Content())[0].SetSelected("Green space to linger")
	uitest.All[*widget.CheckGroup](s.Content())[0].SetSelected([]string{"Trees"})
	test.Tap(button(t, s, "Send answer"))
	if got := s.status.Text; !strings.Contains(got, "Your answer is saved") {
		t.Errorf("status = %q; want the answer saved", got)
	}
	if err := dev.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := dev.Backend.DB.PollAnswers(ctx, "marktplatz")
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != 1 {
		t.Fatalf("backend answers = %d; want 1", len(raw))
	}
	var held map[string]any
	if err := json.Unmarshal(raw[0], &held); err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(held); string(b) != `{"nutzung":"gruen","wuensche":["baeume"]}` {
		t.Errorf("backend holds %s; want the answer given", b)
	}
}

func TestResultsTable(t *testing.T) {
	test.NewTempApp(t)
	p := api.Poll{ID: "p", Title: api.Text{"en": "Cycle lanes"}, Form: api.Form{Steps: []api.Step{{Fields: []api.Field{
		{Key: "vorrang", Widget: api.WidgetChoice, Label: api.Text{"en": "Priority?"},
			Options: []api.Option{{Value: "ja", Label: api.Text{"en": "Yes"}}, {Value: "nein", Label: api.Text{"en": "No"}}}},
		{Key: "anmerkung", Widget: api.WidgetTextarea, Label: api.Text{"en": "Comment"}},
	}}}}}
	c := resultsCard(p, api.PollResults{Poll: "p", Answers: 3, Counts: []api.OptionCount{{Field: "vorrang", Option: "ja", N: 2}, {Field: "vorrang", Option: "nein", N: 1}}})
	var texts []string
	for _, l := range uitest.All[*widget.Label](c) {
		texts = append(texts, l.Text)
	}
	got := strings.Join(texts, "|")
	if want := "3 answers|Priority?|Option|Votes|Yes|2|No|1"; got != want {
		t.Errorf("results = %q; want %q", got, want)
	}
}
