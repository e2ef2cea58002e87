package kit

import (
	"fmt"
	"rathaus/ui/internal/uitest"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// fields is a column of labelled entries taller than the window, in a
// Scroll.
func fields(t *testing.T) (*Scroll, []*widget.Entry, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	box := container.NewVBox(widget.NewCheck("Tick me", nil))
	var entries []*widget.Entry
	for i := range 30 {
		e := widget.NewEntry()
		entries = append(entries, e)
		box.Add(widget.NewLabel(fmt.Sprintf("Field %d", i+1)))
		box.Add(e)
	}
	s := NewVScroll(box)
	w := test.NewWindow(s)
	w.Resize(fyne.NewSize(360, 400))
	t.Cleanup(w.Close)
	return s, entries, w
}

func center(o fyne.CanvasObject) fyne.Position {
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(o).Add(fyne.NewPos(o.Size().Width/2, o.Size().Height/2))
}

// TestWheelOverAnEntryScrolls: the mouse wheel over a text entry moves the
// screen (fyne gives it to the entry's own scroller, which swallows it),
// WheelSpeed times as far as fyne's driver would; taps still reach what is
// below.
func TestWheelOverAnEntryScrolls(t *testing.T) {
	s, entries, w := fields(t)
	test.Scroll(w.Canvas(), center(entries[1]), 0, -10)
	if got, want := s.Offset(), float32(10*WheelSpeed); got != want {
		t.Fatalf("offset after the wheel over an entry = %v, want %v", got, want)
	}
	test.Scroll(w.Canvas(), center(entries[1]), 0, 10)
	if got := s.Offset(); got != 0 {
		t.Errorf("offset after the wheel back = %v, want 0", got)
	}
	check := s.inner.Content.(*fyne.Container).Objects[0].(*widget.Check)
	test.TapCanvas(w.Canvas(), fyne.CurrentApp().Driver().AbsolutePositionForObject(check).AddXY(10, 10))
	if !check.Checked {
		t.Error("a tap through the wheel layer did not reach the check box below")
	}
}

func TestScrollTo(t *testing.T) {
	s, entries, _ := fields(t)
	last := entries[len(entries)-1]
	if s.Shows(last) {
		t.Fatal("the last entry shows before scrolling")
	}
	s.ScrollTo(last)
	if !s.Shows(last) || s.Shows(entries[0]) {
		t.Errorf("after ScrollTo the last: it shows %v, the first %v", s.Shows(last), s.Shows(entries[0]))
	}
	s.ScrollToTop()
	if s.Offset() != 0 || !s.Shows(entries[0]) {
		t.Errorf("after ScrollToTop: offset %v", s.Offset())
	}
}

func TestDateEntry(t *testing.T) {
	test.NewTempApp(t)
	e := NewDateEntry("02.01.2006", "TT.MM.JJJJ")
	w := test.NewWindow(e)
	t.Cleanup(w.Close)
	var typed []string
	e.OnChanged = func(s string) { typed = append(typed, s) }
	if e.PlaceHolder != "TT.MM.JJJJ" {
		t.Errorf("placeholder = %q, want the format", e.PlaceHolder)
	}
	test.Type(e, "31.02.2026")
	if len(typed) == 0 || typed[len(typed)-1] != "31.02.2026" {
		t.Errorf("typed = %v, want the impossible date passed on", typed)
	}
	e.Pick(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if e.Text != "01.03.2026" || typed[len(typed)-1] != "01.03.2026" {
		t.Errorf("picked: text %q, passed on %v", e.Text, typed)
	}
}

// TestChoicesWrap: a check box's and an option's long label wraps within a
// phone's width, and tapping a label ticks or chooses.
func TestChoicesWrap(t *testing.T) {
	test.NewTempApp(t)
	long := "I authorise the town of Musterstadt to collect the dog tax from my account by direct debit on each due date"
	var ticked bool
	check, view := NewCheck(long, false, func(b bool) { ticked = b })
	var chosen string
	radio := NewRadioList([]string{"by direct debit (we collect it on each due date from the account you name)", "by transfer"}, func(s string) { chosen = s })
	var many []string
	multi := NewCheckList([]string{long, "short"}, func(s []string) { many = s })
	w := test.NewWindow(container.NewVBox(view, radio, multi))
	w.Resize(fyne.NewSize(360, 600))
	t.Cleanup(w.Close)
	if got := w.Content().MinSize().Width; got > 360 {
		t.Errorf("the choices need %v px, more than a 360 px phone", got)
	}
	labels := uitest.All[*tapLabel](view)
	test.Tap(labels[0])
	if !check.Checked || !ticked {
		t.Error("tapping the label did not tick the box")
	}
	test.Tap(radio.rows[1])
	if chosen != "by transfer" || radio.Selected != "by transfer" {
		t.Errorf("chosen = %q, want by transfer", chosen)
	}
	test.Tap(radio.rows[1])
	if chosen != "" {
		t.Errorf("tapping the chosen option again left %q, want none", chosen)
	}
	radio.SetSelected("by transfer")
	if chosen != "by transfer" {
		t.Errorf("SetSelected reported %q", chosen)
	}
	multi.SetSelected([]string{"short"})
	if len(many) != 1 || many[0] != "short" || !multi.checks[1].Checked || multi.checks[0].Checked {
		t.Errorf("multi after SetSelected = %v", many)
	}
}
