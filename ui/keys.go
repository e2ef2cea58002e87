package ui

import (
	"context"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/driver/mobile"

	"rathaus/ui/kit"
)

// bindKeys makes the window work by keyboard where fyne does not by
// itself: Escape (when the focused field does not take it) closes the top
// dialog or goes back a screen on the area shown; Alt+1 to Alt+9 choose
// an area at once (Tab reaches the navigation's items too).
func (u *UI) bindKeys() {
	c := u.win.Canvas()
	c.SetOnTypedKey(u.onKey)
	for i := range min(len(u.tabs.Items), 9) {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyName(strconv.Itoa(i + 1)), Modifier: fyne.KeyModifierAlt},
			func(fyne.Shortcut) { u.tabs.SelectIndex(i) })
	}
}

// onKey takes the keys no focused object took (and those focused kit
// widgets pass on). Escape and a phone's back key or gesture close the
// top dialog, or go back a form's step, or a screen; at an area's first
// screen the phone's back goes to the services, and from there leaves the
// app, as Android does: Escape on a desktop stops at the first screen
// instead.
func (u *UI) onKey(ev *fyne.KeyEvent) {
	if !kit.IsBack(ev.Name) {
		return
	}
	c := u.win.Canvas()
	if kit.CloseTop(c) { // the focus goes back to where it was under it
		return
	}
	// The field that had the focus went with the step or screen left, but
	// fyne would still give it the keys typed (and the next Escape): the
	// focus starts afresh, Tab from the top, unless the step shown put it
	// on a field of its own (its first error).
	if f := c.Focused(); u.goBack() {
		if c.Focused() == f {
			c.Unfocus()
		}
		return
	}
	if ev.Name != mobile.KeyBack {
		return
	}
	if u.tabs.SelectedIndex() != 0 {
		c.Unfocus()
		u.tabs.SelectIndex(0)
		return
	}
	leaveApp()
}

// goBack goes back a step on the screen on top of the tab shown (a form),
// or leaves that screen if it is above the tab's first; it reports whether
// it did.
func (u *UI) goBack() bool {
	sel := u.tabs.Selected()
	if sel == nil {
		return false
	}
	for _, n := range []*navigator{u.nav, u.apptsNav, u.aboutNav} {
		if n != nil && sel.Content == n.content() {
			return n.backOne()
		}
	}
	return false
}

// leaveApp hands the back key to the platform, which leaves the app
// (fyne does so itself only when the window has no key handler); on a
// desktop there is nothing to leave to. Tests replace it.
var leaveApp = func() {
	if d, ok := fyne.CurrentApp().Driver().(mobile.Driver); ok {
		d.GoBack()
	}
}

// FollowFocus keeps the focused field in view when Tab moves it, until
// ctx ends (main starts it; tests call kit.RevealFocused).
func (u *UI) FollowFocus(ctx context.Context) { kit.FollowFocus(ctx, u.win) }
