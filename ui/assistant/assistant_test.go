package assistant

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"rathaus/api"
	"rathaus/app/search"
	"rathaus/assets"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// TestMain runs the screen tests in fyne's test driver, in English.
func TestMain(m *testing.M) {
	if err := kit.LoadTranslations("en"); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// moves records where the assistant leads.
type moves struct {
	services []string
	help     int
	opened   []string // tel:, mailto:
}

func (m *moves) OpenService(s api.Service) { m.services = append(m.services, s.ID) }
func (m *moves) OpenHelp()                 { m.help++ }

// newScreen is the assistant over the demo town's index, on a phone.
func newScreen(t *testing.T) (*Screen, *moves, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	ctx := context.Background()
	cat, err := assets.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := search.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Rebuild(ctx, cat); err != nil {
		t.Fatal(err)
	}
	m := &moves{}
	s := NewScreen(ix, m, func(u *url.URL) error { m.opened = append(m.opened, u.String()); return nil })
	s.SetCatalog(cat)
	w := test.NewWindow(s.Content())
	w.Resize(fyne.NewSize(360, 740))
	t.Cleanup(w.Close)
	return s, m, w
}

// last is the conversation's last message.
func (s *Screen) last() fyne.CanvasObject { return s.log.Objects[len(s.log.Objects)-1] }

// TestAnswerShowsSourceAndLeadsIntoTheService: a question typed as
// citizens do gets the FAQ's answer with its source and a button into
// the service it is about.
func TestAnswerShowsSourceAndLeadsIntoTheService(t *testing.T) {
	s, m, w := newScreen(t)
	test.Type(s.entry, "Sperrmüll anmelden")
	test.Tap(s.send)
	if s.entry.Text != "" {
		t.Errorf("the box keeps %q after asking", s.entry.Text)
	}
	text := uitest.Text(s.last())
	for _, want := range []string{"How do I book a bulky waste collection?", "Book the bulky waste collection in the app",
		"Source: questions and answers of Musterstadt"} {
		if !strings.Contains(text, want) {
			t.Errorf("the answer lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "no good answer") {
		t.Errorf("a question the FAQ answers got the no-answer reply:\n%s", text)
	}
	if !strings.Contains(text, "Service: Bulky waste collection") {
		t.Errorf("the answer does not name its service:\n%s", text)
	}
	test.Tap(uitest.ButtonIn(t, s.last(), "Open"))
	if len(m.services) != 1 || m.services[0] != "sperrmuell" {
		t.Errorf("the answer's button opened %v, want the service sperrmuell", m.services)
	}
	if got := w.Content().MinSize().Width; got > 360 {
		t.Errorf("the assistant needs %v px, more than a 360 px phone", got)
	}
}

// TestOtherAnswersOnTap: the next hits are offered; one tapped is
// answered in full.
func TestOtherAnswersOnTap(t *testing.T) {
	s, _, _ := newScreen(t)
	s.Ask("perso verloren")
	if text := uitest.Text(s.last()); !strings.Contains(text, "What do I do if my identity card is lost or stolen?") || !strings.Contains(text, "116 116") {
		t.Fatalf("perso verloren answered:\n%s", text)
	}
	var other *kit.Hyperlink
	for _, l := range uitest.All[*kit.Hyperlink](s.last()) {
		if l.Text == "How much does an identity card cost?" {
			other = l
		}
	}
	if other == nil {
		t.Fatalf("the answer offers no link to the fee:\n%s", uitest.Text(s.last()))
	}
	test.TapAt(other, fyne.NewPos(24, 16)) // on its text: a link takes only those taps
	if text := uitest.Text(s.last()); !strings.Contains(text, "46 euros") {
		t.Errorf("the other answer tapped shows:\n%s", text)
	}
}

// TestNoAnswerOffersTheTownHall: a question the town has no answer to
// gets no answer, but the town hall's phone and e-mail and the way to
// the help screen.
func TestNoAnswerOffersTheTownHall(t *testing.T) {
	s, m, _ := newScreen(t)
	for _, q := range []string{"Wie wird das Wetter morgen", "pizza bestellen"} {
		t.Run(q, func(t *testing.T) {
			s.Ask(q)
			text := uitest.Text(s.last())
			if !strings.Contains(text, "I have no good answer to that.") || strings.Contains(text, "Source:") {
				t.Fatalf("%q answered:\n%s", q, text)
			}
			for _, want := range []string{"+49 2203 1234-0", "buergerbuero@musterstadt.example"} {
				if !strings.Contains(text, want) {
					t.Errorf("the no-answer reply lacks %q:\n%s", want, text)
				}
			}
		})
	}
	test.Tap(uitest.ButtonIn(t, s.last(), "Call"))
	test.Tap(uitest.ButtonIn(t, s.last(), "Help and contact"))
	if len(m.opened) != 1 || m.opened[0] != "tel:+49220312340" || m.help != 1 {
		t.Errorf("opened %v and the help screen %d times, want the phone once and help once", m.opened, m.help)
	}
}

// TestEmptyQuestionIsIgnored: sending an empty box adds nothing.
func TestEmptyQuestionIsIgnored(t *testing.T) {
	s, _, _ := newScreen(t)
	before := len(s.log.Objects)
	test.Type(s.entry, "   ")
	test.Tap(s.send)
	if len(s.log.Objects) != before {
		t.Errorf("an empty question added %d messages", len(s.log.Objects)-before)
	}
}
