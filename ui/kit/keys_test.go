package kit

import (
	"errors"
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestTabKeepsTheFocusInView: moving the focus with Tab through a column
// of fields longer than the window scrolls each focused field into view,
// down and (Shift+Tab) back up.
func TestTabKeepsTheFocusInView(t *testing.T) {
	s, entries, w := fields(t)
	c := w.Canvas()
	test.FocusNext(c) // the check box
	for i, e := range entries {
		test.FocusNext(c)
		RevealFocused(c)
		if c.Focused() != e {
			t.Fatalf("Tab %d focused %T, want entry %d", i+2, c.Focused(), i+1)
		}
		if !s.Shows(e) {
			t.Fatalf("entry %d focused but not in view (scrolled %v)", i+1, s.Offset())
		}
	}
	if s.Offset() == 0 {
		t.Fatal("never scrolled")
	}
	for i := len(entries) - 2; i >= 0; i-- {
		test.FocusPrevious(c)
		RevealFocused(c)
		if !s.Shows(entries[i]) {
			t.Fatalf("Shift+Tab to entry %d: not in view (scrolled %v)", i+1, s.Offset())
		}
	}
}

// TestButtonKeys: Enter and Space press a focused button, a disabled one
// stays unpressed, Escape goes to the window's handler unless the button
// has its own, and the focus ring shows only while focused.
func TestButtonKeys(t *testing.T) {
	test.NewTempApp(t)
	pressed := 0
	b := NewButton("Next", nil, func() { pressed++ })
	w := test.NewWindow(b)
	t.Cleanup(w.Close)
	var escaped int
	w.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape {
			escaped++
		}
	})
	ring := test.WidgetRenderer(b).(*ringRenderer).ring
	if ring.Visible() {
		t.Error("the ring shows before the button has the focus")
	}
	w.Canvas().Focus(b)
	if !ring.Visible() {
		t.Error("no ring around the focused button")
	}
	for _, key := range []fyne.KeyName{fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace} {
		b.TypedKey(&fyne.KeyEvent{Name: key})
	}
	if pressed != 3 {
		t.Errorf("Enter, keypad Enter and Space pressed it %d times, want 3", pressed)
	}
	b.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if escaped != 1 {
		t.Errorf("Escape reached the window %d times, want 1", escaped)
	}
	b.OnEscape = func() { escaped += 10 }
	b.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if escaped != 11 {
		t.Errorf("Escape with the button's own handler: %d, want 11", escaped)
	}
	b.Disable()
	b.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if pressed != 3 {
		t.Error("Enter pressed a disabled button")
	}
	w.Canvas().Unfocus()
	if ring.Visible() {
		t.Error("the ring stays after the focus left")
	}
}

// TestConfirmByKeys: a question opens with its confirming button focused:
// Enter confirms; Escape cancels.
func TestConfirmByKeys(t *testing.T) {
	for _, tc := range []struct {
		risky bool
		key   fyne.KeyName
		want  bool
	}{
		{false, fyne.KeyReturn, true},
		{false, fyne.KeyEscape, false},
		// What cannot be undone: Enter keeps, as the other button has the focus.
		{true, fyne.KeyReturn, false},
		{true, fyne.KeyEscape, false},
	} {
		t.Run(fmt.Sprintf("risky=%v %s", tc.risky, tc.key), func(t *testing.T) {
			test.NewTempApp(t)
			w := test.NewWindow(widget.NewLabel("behind"))
			w.Resize(fyne.NewSize(400, 300))
			t.Cleanup(w.Close)
			var got []bool
			show := ShowConfirm
			if tc.risky {
				show = ShowConfirmRisky
			}
			show("Delete?", "The draft goes.", "Delete", "Keep", func(ok bool) { got = append(got, ok) }, w)
			f := w.Canvas().Focused()
			if f == nil {
				t.Fatal("nothing focused in the question")
			}
			f.TypedKey(&fyne.KeyEvent{Name: tc.key})
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("answers = %v, want [%v]", got, tc.want)
			}
			if w.Canvas().Overlays().Top() != nil {
				t.Error("the question stays open")
			}
		})
	}
}

// TestInfoByKeys: a message or an error opens with its button focused,
// wide enough for its text to wrap in lines rather than a word a line:
// Enter or Escape closes it, and what waits for it to close runs.
func TestInfoByKeys(t *testing.T) {
	for _, key := range []fyne.KeyName{fyne.KeyReturn, fyne.KeyEscape} {
		for name, show := range map[string]func(w fyne.Window) dialog.Dialog{
			"info": func(w fyne.Window) dialog.Dialog {
				return ShowInfo("Sync", "Everything was sent. The town hall has your application and two photos; it answers within a week.", w)
			},
			"error": func(w fyne.Window) dialog.Dialog { return ShowError(errors.New("The disk is full."), w) },
		} {
			t.Run(name+" "+string(key), func(t *testing.T) {
				test.NewTempApp(t)
				w := test.NewWindow(widget.NewLabel("behind"))
				w.Resize(fyne.NewSize(600, 500))
				t.Cleanup(w.Close)
				closed := 0
				show(w).SetOnClosed(func() { closed++ })
				if box := w.Canvas().Overlays().Top().(*widget.PopUp).Content; box.Size().Width < 300 || box.Size().Height > 250 {
					t.Errorf("the dialog is %v: its text does not wrap in lines", box.Size())
				}
				f := w.Canvas().Focused()
				if f == nil {
					t.Fatal("nothing focused in the dialog")
				}
				f.TypedKey(&fyne.KeyEvent{Name: key})
				if w.Canvas().Overlays().Top() != nil || closed != 1 {
					t.Errorf("after %s: open %v, closed %d times; want closed once", key, w.Canvas().Overlays().Top() != nil, closed)
				}
			})
		}
	}
}

// TestCloseTop: the window's Escape with nothing focused in a dialog
// closes it by its cancel, so that what waits for it runs (hiding it
// would not); a pop-up without one is hidden.
func TestCloseTop(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(widget.NewLabel("behind"))
	w.Resize(fyne.NewSize(400, 300))
	t.Cleanup(w.Close)
	c := w.Canvas()
	if CloseTop(c) {
		t.Error("closed something with nothing open")
	}

	closed := 0
	ShowInfo("Sync", "All sent.", w).SetOnClosed(func() { closed++ })
	c.Unfocus()
	if !CloseTop(c) || c.Overlays().Top() != nil || closed != 1 {
		t.Errorf("message: open %v, closed %d times; want closed once", c.Overlays().Top() != nil, closed)
	}

	var answers []bool
	ShowConfirm("Delete?", "The draft goes.", "Delete", "Keep", func(ok bool) { answers = append(answers, ok) }, w)
	c.Unfocus()
	CloseTop(c)
	if c.Overlays().Top() != nil || len(answers) != 1 || answers[0] {
		t.Errorf("question: open %v, answers %v; want closed with [false]", c.Overlays().Top() != nil, answers)
	}

	widget.ShowPopUp(widget.NewLabel("menu"), c)
	if !CloseTop(c) || c.Overlays().Top() != nil {
		t.Error("a pop-up stays open")
	}
}
