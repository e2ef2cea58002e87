package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/mobile"

	"rathaus/ui/internal/uitest"
)

// typeKey gives a key to the window as the drivers do: to the focused
// object, or to the window's handler when none has the focus.
func typeKey(c fyne.Canvas, name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	c.OnTypedKey()(ev)
}

// countLeaving replaces leaveApp for the test: the count of the times the
// app would have been left.
func countLeaving(t *testing.T) *int {
	t.Helper()
	left := 0
	was := leaveApp
	leaveApp = func() { left++ }
	t.Cleanup(func() { leaveApp = was })
	return &left
}

// TestBackKey: a phone's back key (or gesture) closes a dialog, goes
// back a screen (also from a focused button), at an area's first screen
// goes to the services, and from there leaves the app; Escape does the
// same but never leaves the app nor changes the area.
func TestBackKey(t *testing.T) {
	left := countLeaving(t)
	r := newRig(t)
	c := r.win.Canvas()
	svc, _ := r.ui.Service("hundesteuer")
	depth := func() int { return len(r.ui.nav.stack.Objects) }

	steps := []struct {
		name      string
		setup     func()
		key       fyne.KeyName
		wantDepth int // screens on the services' tab
		wantTab   int
		wantLeft  int
	}{
		{"a dialog closes first", func() {
			r.ui.OpenService(svc)
			dialog.ShowInformation("Note", "Something to read.", r.win)
		}, mobile.KeyBack, 2, 0, 0},
		{"the service goes back to the services", nil, mobile.KeyBack, 1, 0, 0},
		{"from a focused button", func() {
			r.ui.OpenService(svc)
			c.Focus(uitest.OnWindow(r.win, r.button(t, "Fill in the form")).(fyne.Focusable))
		}, mobile.KeyBack, 1, 0, 0},
		{"the form goes back to its service", func() {
			c.Unfocus()
			r.ui.OpenService(svc)
			r.ui.OpenDraft(r.Example(t, "hundesteuer"))
		}, mobile.KeyBack, 2, 0, 0},
		{"Escape at another area's first screen stays", func() {
			r.ui.nav.popToRoot()
			r.ui.tabs.SelectIndex(2)
		}, fyne.KeyEscape, 1, 2, 0},
		{"back at another area's first screen goes to the services", nil, mobile.KeyBack, 1, 0, 0},
		{"Escape at the services stays", nil, fyne.KeyEscape, 1, 0, 0},
		{"back at the services leaves the app", nil, mobile.KeyBack, 1, 0, 1},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.setup != nil {
				s.setup()
			}
			typeKey(c, s.key)
			if got := c.Overlays().Top(); got != nil {
				t.Errorf("a dialog is still open")
			}
			if got := depth(); got != s.wantDepth {
				t.Errorf("%d screens on the services' tab, want %d", got, s.wantDepth)
			}
			if got := r.ui.tabs.SelectedIndex(); got != s.wantTab {
				t.Errorf("area %d shown, want %d", got, s.wantTab)
			}
			if *left != s.wantLeft {
				t.Errorf("the app was left %d times, want %d", *left, s.wantLeft)
			}
		})
	}
}
