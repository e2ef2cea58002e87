package kit

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// DateEntry is a text entry for a date, written the language's way, with a
// calendar to pick it from. Unlike fyne's DateEntry it passes on whatever
// is typed (OnChanged), so that a date that does not exist (31.02.2026)
// reaches validation and gets a message instead of silently keeping the
// last good date; its placeholder shows the expected format.
type DateEntry struct {
	widget.Entry
	layout string
	popUp  *widget.PopUp
}

// Widget is fyne's entry inside, for tests that look for entries.
func (e *DateEntry) Widget() *widget.Entry { return &e.Entry }

// NewDateEntry writes picked dates with layout (a Go time layout) and
// shows hint ("TT.MM.JJJJ") while it is empty.
func NewDateEntry(layout, hint string) *DateEntry {
	e := &DateEntry{layout: layout}
	e.ExtendBaseWidget(e)
	e.SetPlaceHolder(hint)
	pick := NewButton("", theme.CalendarIcon(), e.onCalendar)
	pick.Importance = widget.LowImportance
	e.ActionItem = pick
	return e
}

// Pick sets the date as the calendar does.
func (e *DateEntry) Pick(t time.Time) {
	if e.popUp != nil {
		e.popUp.Hide()
	}
	e.SetText(t.Format(e.layout))
}

func (e *DateEntry) onCalendar() {
	start := time.Now()
	if t, err := time.Parse(e.layout, e.Text); err == nil {
		start = t
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(e)
	if c == nil {
		return
	}
	e.popUp = widget.NewPopUp(NewCalendar(start, e.Pick), c)
	e.popUp.ShowAtRelativePosition(fyne.NewPos(0, e.Size().Height), e)
}
