// Package polls is the "Have your say" screen (Mitreden, issue 9): the
// town's polls with their dates, kept on the device so that they can be
// read and answered offline; an open one is answered on a simple form made
// from the poll's choice, multiple-choice and text fields (answer.go),
// queued in the outbox and changeable until the poll closes; a closed one
// shows its results as charts with a table of the same numbers
// (results.go).
package polls

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/citizen"
	"rathaus/ui/kit"
)

// Store keeps the polls, their results and this device's answers.
type Store interface {
	Polls(ctx context.Context) (citizen.PollList, error)
	AnswerPoll(ctx context.Context, poll string, data map[string]any) (*citizen.OutboxItem, error)
}

// Syncer fetches the polls and results into the store, and sends the
// outbox.
type Syncer interface {
	RefreshPolls(ctx context.Context) error
	RefreshPollResults(ctx context.Context, poll string) error
	Kick()
}

// Deps are what the screen is built on. Now is the time polls are open
// by (nil: the real time).
type Deps struct {
	Store Store
	Sync  Syncer
	Now   func() time.Time
}

// Screen lists the polls; answering and results replace the list, with a
// way back.
type Screen struct {
	d      Deps
	root   fyne.CanvasObject
	status *widget.Label
	body   *fyne.Container
	list   citizen.PollList
	// width is what charts are drawn for (Fyne units): the screen's once
	// it has been laid out.
	width float32
	// results are the results last shown (results.go).
	results *shownResults
	// updated, when set, is called once fetched polls or results have been
	// shown (tests wait for it).
	updated func()
}

// New builds the screen; Shown shows the kept polls and fetches new ones.
func New(d Deps) *Screen {
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Screen{d: d, status: kit.Wrapped(""), body: container.NewVBox()}
	s.status.Hide()
	s.root = kit.WatchLook(kit.NewVScroll(container.NewPadded(container.NewVBox(s.status, s.body))), s.onLook)
	return s
}

// setStatus says text above the polls; with none, the line goes (an empty
// label kept a line's gap at the top).
func (s *Screen) setStatus(text string) {
	s.status.SetText(text)
	if text == "" {
		s.status.Hide()
	} else {
		s.status.Show()
	}
}

// Title is the screen's name.
func (s *Screen) Title() string { return lang.L("Have your say") }

// Content is the screen's root.
func (s *Screen) Content() fyne.CanvasObject { return s.root }

func ctxShort() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 10*time.Second)
}

// Shown shows the polls kept on the device at once and fetches them anew
// in the background.
func (s *Screen) Shown() {
	s.load()
	s.showList()
	s.onUpdate()
}

// load reads the kept polls; a failed read says so and keeps what is
// shown.
func (s *Screen) load() {
	ctx, cancel := ctxShort()
	defer cancel()
	l, err := s.d.Store.Polls(ctx)
	if err != nil {
		s.setStatus(kit.ErrorText(err))
		return
	}
	s.list = l
}

func (s *Screen) onUpdate() {
	s.setStatus(lang.L("Fetching the polls…"))
	go func() {
		ctx, cancel := ctxShort()
		defer cancel()
		err := s.d.Sync.RefreshPolls(ctx)
		fyne.Do(func() {
			s.load()
			switch {
			case err == nil:
				s.setStatus("")
			case s.list.Fetched.IsZero():
				s.setStatus(lang.L("The polls could not be fetched: {{.Reason}}", map[string]any{"Reason": kit.ErrorText(err)}))
			default:
				s.setStatus(lang.L("The polls could not be updated: {{.Reason}} These are the polls as of {{.Date}}.",
					map[string]any{"Reason": kit.ErrorText(err), "Date": kit.DateTime(s.list.Fetched.In(time.Local))}))
			}
			if s.showsList() {
				s.showList()
			}
			if s.updated != nil {
				s.updated()
			}
		})
	}()
}

func day(t time.Time) string { return kit.Date(t.In(time.Local)) }

// AnswersChanged is for the shell when a pass changed the outbox: the
// list's word on each answer (waiting, arrived, refused) is read anew, if
// the list is what is shown.
func (s *Screen) AnswersChanged() {
	if s.showsList() {
		s.load()
		s.showList()
	}
}

// showsList says whether the list is on the screen (its first object is
// the update button): a late update must not replace a form being filled.
func (s *Screen) showsList() bool {
	if len(s.body.Objects) == 0 {
		return true
	}
	b, ok := s.body.Objects[0].(*kit.Button)
	return ok && b.Text == lang.L("Update the polls")
}

// showList shows every poll with its dates, this device's answer and what
// can be done with it.
func (s *Screen) showList() {
	refresh := kit.NewWrapButton(lang.L("Update the polls"), theme.ViewRefreshIcon(), s.onUpdate)
	objs := []fyne.CanvasObject{refresh}
	if len(s.list.Polls) == 0 {
		objs = append(objs, kit.Wrapped(lang.L("No polls yet.")))
	}
	now := s.d.Now()
	for _, p := range s.list.Polls {
		dates := map[string]any{"Opens": day(p.Poll.Opens), "Closes": day(p.Poll.Closes)}
		var sub string
		box := container.NewVBox()
		phase := citizen.PhaseOf(p.Poll, now)
		switch phase {
		case citizen.PollUpcoming:
			sub = lang.L("Opens on {{.Opens}}", dates)
		case citizen.PollOpen:
			sub = lang.L("Open from {{.Opens}} to {{.Closes}}", dates)
		default:
			sub = lang.L("Closed on {{.Closes}}", dates)
		}
		if mine := answerLine(p, phase); mine != "" {
			box.Add(kit.Wrapped(mine))
		}
		switch phase {
		case citizen.PollOpen:
			text := lang.L("Answer")
			if p.Answer != nil {
				text = lang.L("Change your answer")
			}
			box.Add(kit.NewWrapButton(text, nil, func() { s.onAnswer(p) }))
		case citizen.PollClosed:
			box.Add(kit.NewWrapButton(lang.L("Results"), nil, func() { s.onResults(p) }))
		}
		objs = append(objs, titledCard(p.Poll.Title.In(kit.Lang()), sub, box))
	}
	s.body.Objects = objs
	s.body.Refresh()
}

// titledCard is a card whose title and subtitle wrap: a card's own do
// not, and a poll's title or question at 200 % text would make the screen
// wider than a phone's.
func titledCard(title, sub string, content ...fyne.CanvasObject) fyne.CanvasObject {
	head := kit.Heading(title)
	head.SizeName = theme.SizeNameSubHeadingText
	objs := []fyne.CanvasObject{head}
	if sub != "" {
		objs = append(objs, kit.Wrapped(sub))
	}
	return widget.NewCard("", "", container.NewVBox(append(objs, content...)...))
}

// answerLine says how this device's answer stands ("" when there is none).
func answerLine(p citizen.MyPoll, phase citizen.PollPhase) string {
	when := map[string]any{"Date": kit.DateTime(p.Answered.In(time.Local)), "Reason": p.Problem}
	switch p.State {
	case citizen.AnswerWaiting:
		return lang.L("Your answer of {{.Date}} is saved and goes to the town hall when there is a connection.", when)
	case citizen.AnswerSent:
		if phase == citizen.PollOpen {
			return lang.L("Your answer of {{.Date}} has reached the town hall. You can change it until the poll closes.", when)
		}
		return lang.L("Your answer of {{.Date}} has reached the town hall.", when)
	case citizen.AnswerFailed:
		return lang.L("Your answer was not taken: {{.Reason}}", when)
	}
	return ""
}

func (s *Screen) back() fyne.CanvasObject {
	return kit.NewWrapButton(lang.L("Back"), theme.NavigateBackIcon(), func() {
		s.setStatus("")
		s.load()
		s.showList()
	})
}
