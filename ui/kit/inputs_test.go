package kit

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/mobile"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// backWindow shows o in a window whose handler counts the back keys it
// gets, as the shell's does.
func backWindow(t *testing.T, o fyne.CanvasObject) (fyne.Window, *int) {
	t.Helper()
	w := test.NewWindow(o)
	w.Resize(fyne.NewSize(400, 400))
	t.Cleanup(w.Close)
	backs := 0
	w.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if IsBack(ev.Name) {
			backs++
		}
	})
	return w, &backs
}

// TestFieldsPassBackOn: every focusable widget kit makes gives Escape and
// the phone's back key to the window's handler while it has the focus
// (fyne's keep them).
func TestFieldsPassBackOn(t *testing.T) {
	widgets := []struct {
		name string
		make func() fyne.Focusable
	}{
		{"entry", func() fyne.Focusable { return NewEntry() }},
		{"multi-line entry", func() fyne.Focusable { return NewMultiLineEntry() }},
		{"password entry", func() fyne.Focusable { return NewPasswordEntry() }},
		{"date entry", func() fyne.Focusable { return NewDateEntry("02.01.2006", "TT.MM.JJJJ") }},
		{"select", func() fyne.Focusable { return NewSelect([]string{"a", "b"}, nil) }},
		{"check", func() fyne.Focusable { c, _ := NewCheck("ok", false, nil); return c }},
		{"link", func() fyne.Focusable { return NewHyperlink("more", nil) }},
		{"list", func() fyne.Focusable {
			return NewList(func() int { return 2 }, func() fyne.CanvasObject { return widget.NewLabel("row") }, func(widget.ListItemID, fyne.CanvasObject) {})
		}},
		{"button", func() fyne.Focusable { return NewButton("OK", nil, nil) }},
	}
	for _, tc := range widgets {
		t.Run(tc.name, func(t *testing.T) {
			test.NewTempApp(t)
			f := tc.make()
			w, backs := backWindow(t, f.(fyne.CanvasObject))
			w.Canvas().Focus(f)
			for i, key := range []fyne.KeyName{fyne.KeyEscape, mobile.KeyBack} {
				f.TypedKey(&fyne.KeyEvent{Name: key})
				if *backs != i+1 {
					t.Errorf("%s reached the window %d times, want %d", key, *backs, i+1)
				}
			}
			if w.Canvas().Focused() != f {
				t.Error("the widget lost the focus")
			}
		})
	}
}

// TestEntryKeys: a kit entry types, deletes, submits on Enter and moves
// its cursor as fyne's does; its OnEscape gets Escape first and keeps it
// when it used it; Tab leaves even a multi-line entry (fyne's typed a tab
// there, and Shift+Tab did nothing: the keyboard could not get out).
func TestEntryKeys(t *testing.T) {
	test.NewTempApp(t)
	e := NewEntry()
	var submitted []string
	e.OnSubmitted = func(s string) { submitted = append(submitted, s) }
	area := NewMultiLineEntry()
	w, backs := backWindow(t, container.NewVBox(e, area))
	c := w.Canvas()

	c.Focus(e)
	test.Type(e, "Hauptstr")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
	test.Type(e, "s")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if e.Text != "Hauptsst" || len(submitted) != 1 || submitted[0] != "Hauptsst" {
		t.Errorf("typed %q, submitted %q; want Hauptsst once", e.Text, submitted)
	}

	used := true
	e.OnEscape = func() bool { return used }
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if *backs != 0 {
		t.Error("Escape reached the window although OnEscape used it")
	}
	used = false
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if *backs != 1 {
		t.Errorf("Escape OnEscape did not use reached the window %d times, want 1", *backs)
	}

	c.Focus(area)
	test.Type(area, "one")
	area.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Type(area, "two")
	if area.Text != "one\ntwo" {
		t.Errorf("the text area holds %q, want two lines", area.Text)
	}
	var tab fyne.Tabbable = area
	if tab.AcceptsTab() {
		t.Error("the text area keeps Tab: the keyboard cannot leave it")
	}
	if *backs != 1 || e.Text != "Hauptsst" {
		t.Errorf("typing in the text area changed the rest: %d backs, entry %q", *backs, e.Text)
	}
}

// TestLinkKeys: Enter follows a focused link, as Space does.
func TestLinkKeys(t *testing.T) {
	test.NewTempApp(t)
	followed := 0
	l := NewHyperlink("more", nil)
	l.OnTapped = func() { followed++ }
	w, _ := backWindow(t, l)
	w.Canvas().Focus(l)
	for _, key := range []fyne.KeyName{fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace} {
		l.TypedKey(&fyne.KeyEvent{Name: key})
	}
	if followed != 3 {
		t.Errorf("Enter, keypad Enter and Space followed it %d times, want 3", followed)
	}
}

// TestSelectListCloses: a select's open list closes on Escape (fyne's
// menu takes it while focused, as on a desktop) and by the window's
// handler when it is not focused (as on a phone, whose back key then
// reaches the window), leaving the choice as it was.
func TestSelectListCloses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		focused bool
	}{{"menu focused", true}, {"menu not focused", false}} {
		t.Run(tc.name, func(t *testing.T) {
			test.NewTempApp(t)
			s := NewSelect([]string{"Mon", "Tue"}, nil)
			s.SetSelected("Tue")
			w, _ := backWindow(t, container.NewVBox(s))
			c := w.Canvas()
			c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
				if IsBack(ev.Name) {
					CloseTop(c)
				}
			})
			test.Tap(s)
			if c.Overlays().Top() == nil {
				t.Fatal("no list open")
			}
			key := fyne.KeyEscape
			if !tc.focused {
				c.Unfocus()
				key = mobile.KeyBack
			}
			if f := c.Focused(); f != nil {
				f.TypedKey(&fyne.KeyEvent{Name: key})
			} else {
				c.OnTypedKey()(&fyne.KeyEvent{Name: key})
			}
			if c.Overlays().Top() != nil {
				t.Error("the list stays open")
			}
			if s.Selected != "Tue" {
				t.Errorf("the choice is %q, want Tue as before", s.Selected)
			}
		})
	}
}
