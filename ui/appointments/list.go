package appointments

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/citizen"
	"rathaus/ui/kit"
)

// List is "My appointments": each appointment with its state, and the way
// to book one.
type List struct {
	a     *Area
	root  fyne.CanvasObject
	rows  *fyne.Container
	empty *widget.Label
	book  *kit.Button
}

func newList(a *Area) *List {
	l := &List{a: a, rows: container.NewVBox()}
	l.book = kit.NewWrapButton(lang.L("Book an appointment"), theme.ContentAddIcon(), l.onBook)
	l.book.Importance = widget.HighImportance
	l.empty = kit.Wrapped(lang.L("You have no appointments. Book one for a service of the citizens' office; it works offline too and is sent as soon as there is a connection."))
	l.root = kit.NewVScroll(container.NewPadded(container.NewVBox(l.book, l.empty, l.rows)))
	l.Refresh()
	return l
}

// Title is the screen's name, as on its tab.
func (l *List) Title() string { return lang.L("Appointments") }

// Content is the screen's root.
func (l *List) Content() fyne.CanvasObject { return l.root }

// Refresh shows the appointments as the store has them.
func (l *List) Refresh() {
	ctx, cancel := ctxShort()
	defer cancel()
	as, err := l.a.d.Store.Appointments(ctx)
	l.rows.Objects = nil
	if err != nil {
		l.rows.Add(kit.Banner(kit.ErrorText(err)))
	}
	loc := l.a.location(l.a.offices())
	offices := l.a.offices()
	shown := 0
	for _, ap := range as {
		if ap.State == citizen.AppointmentCancelled {
			continue // the ticket screen of a rebooking says it; the list stays short
		}
		shown++
		ap := ap
		title := kit.Heading(l.a.serviceTitle(ap.Service))
		detail := kit.Wrapped(when(ap.Slot, loc) + "\n" + l.a.office(offices, ap.Office).Name.In(kit.Lang()) + "\n" + stateText(ap.State))
		open := kit.NewWrapButton(lang.L("Show ticket"), nil, func() { l.a.d.Nav.OpenTicket(ap.Local) })
		if ap.State != citizen.AppointmentBooked {
			open.SetText(lang.L("Show"))
		}
		l.rows.Add(widget.NewCard("", "", container.NewVBox(title, detail, open)))
	}
	if shown == 0 {
		l.empty.Show()
	} else {
		l.empty.Hide()
	}
	l.rows.Refresh()
}

func (l *List) onBook() { l.a.d.Nav.OpenBooking("", "") }
