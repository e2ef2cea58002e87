package ui

import (
	"context"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"rathaus/ui/kit"
)

// bindKeys makes the window work by keyboard where fyne does not by
// itself: Escape (when the focused field does not take it) closes the top
// dialog or goes back a screen on the tab shown; Alt+1 to Alt+9 choose a
// tab, as fyne's tab bar takes no focus.
func (u *UI) bindKeys() {
	c := u.win.Canvas()
	c.SetOnTypedKey(u.onKey)
	for i := range min(len(u.tabs.Items), 9) {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyName(strconv.Itoa(i + 1)), Modifier: fyne.KeyModifierAlt},
			func(fyne.Shortcut) { u.tabs.SelectIndex(i) })
	}
}

// onKey takes the keys no focused object took.
func (u *UI) onKey(ev *fyne.KeyEvent) {
	if ev.Name != fyne.KeyEscape {
		return
	}
	if top := u.win.Canvas().Overlays().Top(); top != nil {
		top.Hide()
		return
	}
	u.goBack()
}

// goBack leaves the screen on top of the tab shown, if it has one above
// its first.
func (u *UI) goBack() {
	sel := u.tabs.Selected()
	if sel == nil {
		return
	}
	for _, n := range []*navigator{u.nav, u.apptsNav, u.aboutNav} {
		if n != nil && sel.Content == n.content() {
			n.pop()
			return
		}
	}
}

// FollowFocus keeps the focused field in view when Tab moves it, until
// ctx ends (main starts it; tests call kit.RevealFocused).
func (u *UI) FollowFocus(ctx context.Context) { kit.FollowFocus(ctx, u.win) }
