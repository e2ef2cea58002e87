// Package help holds the help and contact screen: the town hall's
// address, opening hours, phone and e-mail from the catalog, a tap to call
// or to write (the phone's dialler or mail app through fyne's OpenURL),
// and the way to personal help at the town hall. Contact is the same
// block for other screens that hand the citizen on to a person (the
// assistant, when it has no answer).
package help

import (
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/ui/kit"
)

// Opener opens a tel:, mailto: or web address in the app made for it;
// fyne.App's OpenURL is one.
type Opener func(*url.URL) error

// Screen is the help and contact screen.
type Screen struct {
	open    Opener
	town    *widget.Label
	contact *fyne.Container
	hours   *widget.Label
	root    fyne.CanvasObject
}

// NewScreen builds the help screen, opening addresses with open;
// SetCatalog fills it.
func NewScreen(open Opener) *Screen {
	s := &Screen{open: open}
	s.town = kit.Heading("")
	s.contact = container.NewVBox()
	s.hours = kit.Wrapped("")
	box := container.NewVBox(
		s.town,
		s.contact,
		kit.Heading(lang.L("Opening hours")),
		s.hours,
		kit.Heading(lang.L("Personal help at the town hall")),
		kit.Wrapped(lang.L("Come to the citizens' office during opening hours: the staff help you in person, also with filling in an application, and at the service tablet in the foyer. For matters that take longer, call or write first and you get an appointment without waiting.")),
		kit.Wrapped(lang.L("If you cannot come to the town hall, say so when you call: the staff find a way with you.")),
	)
	s.root = kit.NewVScroll(container.NewPadded(box))
	return s
}

// Title is the screen's name, as on its tab.
func (s *Screen) Title() string { return lang.L("Help") }

// Content is the screen's root.
func (s *Screen) Content() fyne.CanvasObject { return s.root }

// SetCatalog shows the town hall's contact from the catalog.
func (s *Screen) SetCatalog(c api.Catalog) {
	m := c.Municipality
	name := m.Name
	if name == "" {
		name = lang.L("Rathaus")
	}
	s.town.SetText(lang.L("Town hall of {{.Town}}", map[string]any{"Town": name}))
	s.contact.RemoveAll()
	s.contact.Add(Contact(m, s.open))
	s.hours.SetText(m.OpeningHours.In(kit.Lang()))
	if s.hours.Text == "" {
		s.hours.SetText(lang.L("Ask the town hall by phone or e-mail."))
	}
}

// Contact is the town hall's address, phone, e-mail and website as far
// as the catalog names them, each with a button to call, write or open it
// (open opens the address the button stands for). The number and the
// address stay readable beside their buttons, to be noted down.
func Contact(m api.Municipality, open Opener) fyne.CanvasObject {
	box := container.NewVBox()
	if m.Address != "" {
		box.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.HomeIcon()), nil, kit.Wrapped(m.Address)))
	}
	line := func(icon fyne.Resource, text, action, raw string) {
		u, err := url.Parse(raw)
		if text == "" || err != nil {
			return
		}
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapBreak
		b := kit.NewButton(action, nil, func() { _ = open(u) })
		b.Importance = widget.HighImportance
		box.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), b, l))
	}
	line(theme.InfoIcon(), m.Phone, lang.L("Call"), TelURL(m.Phone))
	line(theme.MailComposeIcon(), m.Email, lang.L("Write"), "mailto:"+m.Email)
	line(theme.ComputerIcon(), strings.TrimPrefix(strings.TrimPrefix(m.Website, "https://"), "http://"), lang.L("Open"), m.Website)
	return box
}

// TelURL is the tel: address of a phone number as people write it
// ("+49 2203 1234-0"): digits and the leading plus only (RFC 3966's
// global number).
func TelURL(phone string) string {
	var b strings.Builder
	for i, r := range phone {
		if (r >= '0' && r <= '9') || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
	}
	return "tel:" + b.String()
}
