// Package polls is the "Have your say" screen (Mitreden, issue 9): the
// town's polls with their dates; an open one is answered on a simple form
// made from the poll's choice, multiple-choice and text fields, queued in
// the outbox (it goes out when there is a connection; a later answer
// replaces it); a closed one shows its results as a table.
package polls

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
	"rathaus/ui/kit"
)

// Store queues the answers.
type Store interface {
	Enqueue(ctx context.Context, draftID string, p citizen.OutboxPayload) (*citizen.OutboxItem, error)
}

// Syncer fetches the polls and results, and sends the outbox.
type Syncer interface {
	Polls(ctx context.Context) (api.Polls, error)
	PollResults(ctx context.Context, poll string) (api.PollResults, error)
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
	polls  []api.Poll
	// updated, when set, is called once fetched polls or results have been
	// shown (tests wait for it).
	updated func()
}

// New builds the screen; Shown fetches the polls.
func New(d Deps) *Screen {
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Screen{d: d, status: kit.Wrapped(""), body: container.NewVBox()}
	s.root = kit.NewVScroll(container.NewPadded(container.NewVBox(s.status, s.body)))
	return s
}

// Title is the screen's name.
func (s *Screen) Title() string { return lang.L("Have your say") }

// Content is the screen's root.
func (s *Screen) Content() fyne.CanvasObject { return s.root }

func ctxShort() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 10*time.Second)
}

// Shown fetches the polls in the background.
func (s *Screen) Shown() { s.onUpdate() }

func (s *Screen) onUpdate() {
	s.status.SetText(lang.L("Fetching the polls…"))
	go func() {
		ctx, cancel := ctxShort()
		defer cancel()
		p, err := s.d.Sync.Polls(ctx)
		fyne.Do(func() {
			if err != nil {
				s.status.SetText(lang.L("The polls could not be fetched: {{.Reason}}", map[string]any{"Reason": kit.ErrorText(err)}))
			} else {
				s.polls = p.Polls
				s.status.SetText("")
			}
			s.showList()
			if s.updated != nil {
				s.updated()
			}
		})
	}()
}

func day(t time.Time) string { return kit.Date(t.In(time.Local)) }

// showList shows every poll with its dates and what can be done with it.
func (s *Screen) showList() {
	refresh := widget.NewButtonWithIcon(lang.L("Update the polls"), theme.ViewRefreshIcon(), s.onUpdate)
	objs := []fyne.CanvasObject{refresh}
	if len(s.polls) == 0 {
		objs = append(objs, kit.Wrapped(lang.L("No polls yet.")))
	}
	now := s.d.Now()
	for _, p := range s.polls {
		dates := map[string]any{"Opens": day(p.Opens), "Closes": day(p.Closes)}
		var sub string
		var action fyne.CanvasObject
		switch {
		case now.Before(p.Opens):
			sub = lang.L("Opens on {{.Opens}}", dates)
		case now.Before(p.Closes):
			sub = lang.L("Open from {{.Opens}} to {{.Closes}}", dates)
			action = widget.NewButton(lang.L("Answer"), func() { s.onAnswer(p) })
		default:
			sub = lang.L("Closed on {{.Closes}}", dates)
			action = widget.NewButton(lang.L("Results"), func() { s.onResults(p) })
		}
		if action == nil {
			action = container.NewVBox()
		}
		objs = append(objs, widget.NewCard(p.Title.In(kit.Lang()), sub, action))
	}
	s.body.Objects = objs
	s.body.Refresh()
}

func (s *Screen) back() fyne.CanvasObject {
	return widget.NewButtonWithIcon(lang.L("Back"), theme.NavigateBackIcon(), func() {
		s.status.SetText("")
		s.showList()
	})
}

// question is one field of the answer form and how its value is read.
type question struct {
	field api.Field
	value func() (any, bool) // ok=false: not answered
}

// onAnswer shows the poll's form: its choice, multiple-choice and text
// fields (the widgets a poll uses).
func (s *Screen) onAnswer(p api.Poll) {
	lng := kit.Lang()
	var qs []question
	objs := []fyne.CanvasObject{s.back(), kit.Heading(p.Title.In(lng))}
	if intro := p.Form.Intro.In(lng); intro != "" {
		objs = append(objs, kit.Wrapped(intro))
	}
	for _, st := range p.Form.Steps {
		for _, f := range st.Fields {
			var w fyne.CanvasObject
			var q question
			q.field = f
			labels, values := optionLabels(f, lng)
			switch f.Widget {
			case api.WidgetChoice:
				r := widget.NewRadioGroup(labels, nil)
				w, q.value = r, func() (any, bool) {
					i := slices.Index(labels, r.Selected)
					return valueAt(values, i), i >= 0
				}
			case api.WidgetMulti:
				c := widget.NewCheckGroup(labels, nil)
				w, q.value = c, func() (any, bool) {
					out := []any{}
					for _, l := range c.Selected {
						out = append(out, valueAt(values, slices.Index(labels, l)))
					}
					return out, len(out) > 0
				}
			case api.WidgetText, api.WidgetTextarea:
				e := widget.NewEntry()
				e.MultiLine = f.Widget == api.WidgetTextarea
				e.Wrapping = fyne.TextWrapWord
				w, q.value = e, func() (any, bool) { return strings.TrimSpace(e.Text), strings.TrimSpace(e.Text) != "" }
			default:
				continue // no other widget in a poll
			}
			qs = append(qs, q)
			objs = append(objs, kit.Heading(f.Label.In(lng)), w)
		}
	}
	errText := kit.Wrapped("")
	errText.Importance = widget.DangerImportance
	send := widget.NewButtonWithIcon(lang.L("Send answer"), theme.ConfirmIcon(), func() { s.onSend(p, qs, errText) })
	send.Importance = widget.HighImportance
	s.body.Objects = append(objs, errText, send)
	s.body.Refresh()
}

func optionLabels(f api.Field, lng string) (labels, values []string) {
	for _, o := range f.Options {
		labels = append(labels, o.Label.In(lng))
		values = append(values, o.Value)
	}
	return labels, values
}

func valueAt(values []string, i int) any {
	if i < 0 || i >= len(values) {
		return nil
	}
	return values[i]
}

// onSend checks the answer against the poll's form, as the backend will,
// and queues it.
func (s *Screen) onSend(p api.Poll, qs []question, errText *widget.Label) {
	data := map[string]any{}
	for _, q := range qs {
		if v, ok := q.value(); ok {
			data[q.field.Key] = v
		}
	}
	if msg := check(p, qs, data); msg != "" {
		errText.SetText(msg)
		return
	}
	ctx, cancel := ctxShort()
	defer cancel()
	if _, err := s.d.Store.Enqueue(ctx, citizen.PollOutboxID(p.ID), &citizen.PollAnswerPayload{Poll: p.ID, Data: data}); err != nil {
		errText.SetText(kit.ErrorText(err))
		return
	}
	s.d.Sync.Kick()
	s.status.SetText(lang.L("Thank you. Your answer is saved and goes to the town hall when there is a connection. You can change it until the poll closes."))
	s.showList()
}

// check names the questions the answer does not fit ("" when it fits).
func check(p api.Poll, qs []question, data map[string]any) string {
	f, err := formschema.Compile(&p.Form)
	if err != nil {
		return lang.L("This poll cannot be answered in this app.")
	}
	var names []string
	for _, e := range f.Validate(data) {
		for _, q := range qs {
			if "/"+q.field.Key == e.Pointer && !slices.Contains(names, q.field.Label.In(kit.Lang())) {
				names = append(names, q.field.Label.In(kit.Lang()))
			}
		}
	}
	if len(names) == 0 {
		return ""
	}
	return lang.L("Please check your answer to: {{.Questions}}", map[string]any{"Questions": strings.Join(names, "; ")})
}

// onResults fetches and shows a closed poll's counts.
func (s *Screen) onResults(p api.Poll) {
	s.status.SetText(lang.L("Fetching the results…"))
	go func() {
		ctx, cancel := ctxShort()
		defer cancel()
		r, err := s.d.Sync.PollResults(ctx, p.ID)
		fyne.Do(func() {
			if err != nil {
				s.status.SetText(lang.L("The results could not be fetched: {{.Reason}}", map[string]any{"Reason": kit.ErrorText(err)}))
			} else {
				s.status.SetText("")
				s.body.Objects = []fyne.CanvasObject{s.back(), resultsCard(p, r)}
				s.body.Refresh()
			}
			if s.updated != nil {
				s.updated()
			}
		})
	}()
}

// resultsCard is a table per choice field: each option and how many
// answers chose it.
func resultsCard(p api.Poll, r api.PollResults) fyne.CanvasObject {
	lng := kit.Lang()
	objs := []fyne.CanvasObject{kit.Wrapped(lang.L("{{.N}} answers", map[string]any{"N": r.Answers}))}
	for _, st := range p.Form.Steps {
		for _, f := range st.Fields {
			if f.Widget != api.WidgetChoice && f.Widget != api.WidgetMulti {
				continue
			}
			grid := container.NewGridWithColumns(2, kit.Heading(lang.L("Option")), kit.Heading(lang.L("Votes")))
			for _, o := range f.Options {
				n := 0
				for _, c := range r.Counts {
					if c.Field == f.Key && c.Option == o.Value {
						n = c.N
					}
				}
				grid.Add(kit.Wrapped(o.Label.In(lng)))
				grid.Add(widget.NewLabel(strconv.Itoa(n)))
			}
			objs = append(objs, kit.Heading(f.Label.In(lng)), grid)
		}
	}
	return widget.NewCard(p.Title.In(lng), lang.L("Results"), container.NewVBox(objs...))
}
