package kit

import (
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Fyne gives every key to the focused object alone, and its entries,
// selects, check boxes, links and lists keep Escape (and a phone's back
// key) without using it: with the focus in a field, which is where a form
// puts it, Escape did nothing. The widgets here are fyne's, passing the
// back keys on to the window's handler (close the dialog, else go back)
// and keeping every other key as fyne does. The screens make their
// focusable widgets here; a test in package ui finds bare fyne ones.

// keyOrBack passes the back keys on to the window's handler and gives
// every other key to the widget's own.
func keyOrBack(o fyne.CanvasObject, ev *fyne.KeyEvent, own func(*fyne.KeyEvent)) {
	if IsBack(ev.Name) {
		passOn(o, ev)
		return
	}
	own(ev)
}

// Entry is fyne's text entry passing the back keys on.
//
// Escape in a field does not first take the focus out of it: a field has
// nothing of its own to cancel, so a second press would only make Escape
// look broken. Where a field has something to close (the suggestions under
// a search), OnEscape closes that first.
type Entry struct {
	widget.Entry
	// OnEscape, if set, gets Escape (or the back key) first; it reports
	// whether it used it (closed suggestions, cleared a search, cancelled
	// its dialog). Otherwise the window's handler gets the key.
	OnEscape func() (used bool)
}

var (
	_ fyne.Focusable = (*Entry)(nil)
	_ fyne.Tabbable  = (*Entry)(nil)
)

// NewEntry is a one-line text entry.
func NewEntry() *Entry {
	e := &Entry{}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// NewMultiLineEntry is a text entry of several lines.
func NewMultiLineEntry() *Entry {
	e := NewEntry()
	e.MultiLine = true
	return e
}

// NewPasswordEntry is an entry that hides what is typed; fyne's renderer
// adds the button that shows it.
func NewPasswordEntry() *Entry {
	e := NewEntry()
	e.Password = true
	return e
}

// Widget is fyne's entry inside, for tests that look for entries.
func (e *Entry) Widget() *widget.Entry { return &e.Entry }

// AcceptsTab is false for every entry: fyne's multi-line entry took Tab
// (typing a tab) and Shift+Tab (doing nothing), so that the keyboard could
// not leave a text area; Tab moves on, as in a web form.
func (e *Entry) AcceptsTab() bool { return false }

func (e *Entry) TypedKey(ev *fyne.KeyEvent) {
	if !IsBack(ev.Name) {
		e.Entry.TypedKey(ev)
		return
	}
	if e.OnEscape != nil && e.OnEscape() {
		return
	}
	passOn(e, ev)
}

func (e *DateEntry) TypedKey(ev *fyne.KeyEvent) { keyOrBack(e, ev, e.Entry.TypedKey) }

// Select is fyne's drop-down passing the back keys on (its open list is a
// menu of its own, which Escape closes).
type Select struct{ widget.Select }

var _ fyne.Focusable = (*Select)(nil)

func (s *Select) TypedKey(ev *fyne.KeyEvent) { keyOrBack(s, ev, s.Select.TypedKey) }

// Check is fyne's check box passing the back keys on (NewCheck makes it).
type Check struct{ widget.Check }

var _ fyne.Focusable = (*Check)(nil)

func (c *Check) TypedKey(ev *fyne.KeyEvent) { keyOrBack(c, ev, c.Check.TypedKey) }

// Hyperlink is fyne's link passing the back keys on; Enter follows it as
// Space does (as a button takes Enter).
type Hyperlink struct{ widget.Hyperlink }

var _ fyne.Focusable = (*Hyperlink)(nil)

// NewHyperlink is a link to u, or one doing OnTapped.
func NewHyperlink(text string, u *url.URL) *Hyperlink {
	l := &Hyperlink{}
	l.Text, l.URL = text, u
	l.ExtendBaseWidget(l)
	return l
}

func (l *Hyperlink) TypedKey(ev *fyne.KeyEvent) {
	switch {
	case IsBack(ev.Name):
		passOn(l, ev)
	case ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter:
		l.Hyperlink.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	default:
		l.Hyperlink.TypedKey(ev)
	}
}

// List is fyne's list passing the back keys on.
type List struct {
	widget.List
	// BeforeRefresh, if set, runs before each Refresh: a list whose rows
	// have heights of their own measures them again there (fyne refreshes
	// every widget when the text size changes).
	BeforeRefresh func()
}

var _ fyne.Focusable = (*List)(nil)

// NewList is a list of length() rows, made by create and filled by update.
func NewList(length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject)) *List {
	l := &List{}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	l.ExtendBaseWidget(l)
	return l
}

func (l *List) TypedKey(ev *fyne.KeyEvent) { keyOrBack(l, ev, l.List.TypedKey) }

func (l *List) Refresh() {
	if l.BeforeRefresh != nil {
		l.BeforeRefresh()
	}
	l.List.Refresh()
}
