// Package assistant holds the assistant screen: the citizen asks in their
// own words, the app answers from the town's FAQ and its services through
// the search index, offline. Each answer names its source and leads
// straight into the service or form; when nothing fits well enough the
// assistant says so and offers the town hall's contact, never a guess
// dressed as an answer.
package assistant

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/search"
	"rathaus/ui/help"
	"rathaus/ui/kit"
)

// Asker answers a question from the town's FAQ and services; the app's
// search index is one.
type Asker interface {
	Ask(ctx context.Context, question string) (search.Answer, error)
}

var _ Asker = (*search.Index)(nil)

// Navigator is how the assistant leads elsewhere; the shell implements it.
type Navigator interface {
	OpenService(s api.Service)
	OpenHelp()
}

// Screen is the assistant: a conversation and a box to ask in.
type Screen struct {
	ask  Asker
	nav  Navigator
	open help.Opener

	catalog  api.Catalog
	services map[string]api.Service
	faq      map[string]api.FAQEntry

	log    *fyne.Container // the conversation, oldest first
	scroll *kit.Scroll
	entry  *kit.Entry
	send   *kit.Button
	root   fyne.CanvasObject
}

// NewScreen builds the assistant, answering with a and leading on through
// nav; open opens the town hall's phone and e-mail. SetCatalog gives it
// the texts its answers show.
func NewScreen(a Asker, nav Navigator, open help.Opener) *Screen {
	s := &Screen{ask: a, nav: nav, open: open}
	s.log = container.NewVBox(s.bubble(false, kit.Wrapped(lang.L("Ask me about the town hall's services in your own words, for example “Perso verloren” or “Sperrmüll anmelden”. I answer from the town's questions and answers and its services, also offline."))))
	s.scroll = kit.NewVScroll(container.NewPadded(s.log))
	s.entry = kit.NewEntry()
	s.entry.SetPlaceHolder(lang.L("Your question"))
	s.entry.OnSubmitted = func(string) { s.onAsk() }
	s.send = kit.NewButton(lang.L("Ask"), theme.MailSendIcon(), s.onAsk)
	s.send.Importance = widget.HighImportance
	s.root = container.NewBorder(nil, container.NewBorder(nil, nil, nil, s.send, s.entry), nil, nil, s.scroll)
	return s
}

// Title is the screen's name, as on its tab.
func (s *Screen) Title() string { return lang.L("Assistant") }

// Content is the screen's root.
func (s *Screen) Content() fyne.CanvasObject { return s.root }

// SetCatalog gives the assistant the catalog whose FAQ and services the
// index answers from.
func (s *Screen) SetCatalog(c api.Catalog) {
	s.catalog = c
	s.services = make(map[string]api.Service, len(c.Services))
	for _, sv := range c.Services {
		s.services[sv.ID] = sv
	}
	s.faq = make(map[string]api.FAQEntry, len(c.FAQ))
	for _, f := range c.FAQ {
		s.faq[f.ID] = f
	}
}

// Ask puts a question as if the citizen had typed and sent it.
func (s *Screen) Ask(question string) {
	s.entry.SetText(question)
	s.onAsk()
}

func (s *Screen) onAsk() {
	q := strings.TrimSpace(s.entry.Text)
	if q == "" {
		return
	}
	s.entry.SetText("")
	question := kit.Wrapped(q)
	question.TextStyle = fyne.TextStyle{Bold: true}
	s.log.Add(s.bubble(true, question))
	a, err := s.ask.Ask(context.Background(), q)
	switch {
	case err != nil:
		s.log.Add(s.bubble(false, kit.Wrapped(kit.ErrorText(err)), s.contact()))
	case !a.Sure:
		s.log.Add(s.noAnswer())
	default:
		s.log.Add(s.answer(a))
	}
	s.log.Refresh()
	s.scroll.Refresh()
	s.scroll.ScrollToOffset(s.log.MinSize().Height)
}

// answer shows the best hit with its source and the way into its
// service, and the next hits as other possible answers.
func (s *Screen) answer(a search.Answer) fyne.CanvasObject {
	parts := s.hit(a.Hits[0])
	var more []fyne.CanvasObject
	for _, h := range a.Hits[1:] {
		if t := s.hitTitle(h); t != "" {
			// A link, not a button: its text wraps on a phone.
			l := kit.NewHyperlink(t, nil)
			l.Wrapping = fyne.TextWrapWord
			l.OnTapped = func() { s.showHit(h) }
			more = append(more, l)
		}
	}
	if len(more) > 0 {
		parts = append(parts, kit.Heading(lang.L("Also about this:")))
		parts = append(parts, more...)
	}
	return s.bubble(false, parts...)
}

// noAnswer says the assistant has no good answer and offers the town
// hall: what came closest is not offered, it fits too poorly to be one.
func (s *Screen) noAnswer() fyne.CanvasObject {
	return s.bubble(false,
		kit.Wrapped(lang.L("I have no good answer to that. The town hall will help you in person, by phone or by e-mail:")),
		s.contact())
}

// showHit answers with one hit the citizen chose.
func (s *Screen) showHit(h search.Hit) {
	s.log.Add(s.bubble(false, s.hit(h)...))
	s.log.Refresh()
	s.scroll.ScrollToOffset(s.log.MinSize().Height)
}

// hit is the text of an FAQ entry or a service, its source and the button
// into the service.
func (s *Screen) hit(h search.Hit) []fyne.CanvasObject {
	lng := kit.Lang()
	town := s.catalog.Municipality.Name
	var out []fyne.CanvasObject
	serviceID := ""
	switch h.Kind {
	case search.FAQ:
		f, ok := s.faq[h.ID]
		if !ok {
			return []fyne.CanvasObject{kit.Wrapped(lang.L("This answer is no longer in the town's catalog."))}
		}
		out = append(out, kit.Heading(f.Question.In(lng)), kit.Wrapped(f.Answer.In(lng)),
			source(lang.L("Source: questions and answers of {{.Town}}", map[string]any{"Town": town})))
		serviceID = f.Service
	case search.Service:
		sv, ok := s.services[h.ID]
		if !ok {
			return []fyne.CanvasObject{kit.Wrapped(lang.L("This answer is no longer in the town's catalog."))}
		}
		out = append(out, kit.Heading(sv.Title.In(lng)), kit.Wrapped(sv.Summary.In(lng)),
			source(lang.L("Source: services of {{.Town}}", map[string]any{"Town": town})))
		serviceID = sv.ID
	}
	if sv, ok := s.services[serviceID]; ok {
		// The service's name wraps beside a short button: a button does
		// not wrap, and a long name would widen the screen past a phone.
		b := kit.NewButton(lang.L("Open"), theme.NavigateNextIcon(), func() { s.nav.OpenService(sv) })
		b.Importance = widget.HighImportance
		name := kit.Wrapped(lang.L("Service: {{.Service}}", map[string]any{"Service": sv.Title.In(lng)}))
		out = append(out, container.NewBorder(nil, nil, nil, b, name))
	}
	return out
}

// hitTitle is a hit's question or service title, "" if it is gone.
func (s *Screen) hitTitle(h search.Hit) string {
	switch h.Kind {
	case search.FAQ:
		return s.faq[h.ID].Question.In(kit.Lang())
	case search.Service:
		return s.services[h.ID].Title.In(kit.Lang())
	}
	return ""
}

// contact is the town hall's contact and the way to the help screen.
func (s *Screen) contact() fyne.CanvasObject {
	more := kit.NewButton(lang.L("Help and contact"), theme.HelpIcon(), s.nav.OpenHelp)
	return container.NewVBox(help.Contact(s.catalog.Municipality, s.open), more)
}

// source names where an answer comes from, set apart in italics (not in
// the faint low importance: the citizen should read it).
func source(text string) fyne.CanvasObject {
	l := kit.Wrapped(text)
	l.TextStyle = fyne.TextStyle{Italic: true}
	return l
}

// bubble is one message of the conversation: the citizen's indented from
// the left, the assistant's from the right, each on a tinted ground.
func (s *Screen) bubble(mine bool, parts ...fyne.CanvasObject) fyne.CanvasObject {
	ground := theme.ColorNameInputBackground
	if mine {
		ground = theme.ColorNameSelection
	}
	// A Tint, not a rectangle: it takes the new colour when the citizen
	// switches the contrast.
	bg := kit.NewTint(ground, 2)
	body := container.NewStack(bg, container.NewPadded(container.NewVBox(parts...)))
	indent := theme.Size(theme.SizeNamePadding) * 8
	if mine {
		return container.New(layout.NewCustomPaddedLayout(0, 0, indent, 0), body)
	}
	return container.New(layout.NewCustomPaddedLayout(0, 0, 0, indent), body)
}
