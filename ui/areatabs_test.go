package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
	"rathaus/ui/settings"
)

// navItems is what the navigation shows: the items' texts, "More" last
// if it is there.
func navItems(tabs *areaTabs) []string {
	var shown []string
	for _, it := range append(append([]*navItem(nil), tabs.items...), tabs.more) {
		if it.Visible() {
			shown = append(shown, it.text)
		}
	}
	return shown
}

// TestNavigationAdapts: the navigation is a bar at the bottom in a
// phone's window and a column at the side in a wide one, and switches
// when the window is resized; at 360 px and 200 % text it fits, and the
// areas the bar has no room for are reached through "More", by keyboard.
// A phone held sideways keeps the bottom bar.
func TestNavigationAdapts(t *testing.T) {
	r := newRig(t)
	all := len(r.ui.tabs.Items)
	rows := []struct {
		name    string
		size    fyne.Size
		percent int
		phone   bool
		side    bool
	}{
		{"phone", fyne.NewSize(360, 740), 100, false, false},
		{"phone 200 %", fyne.NewSize(360, 740), 200, false, false},
		{"desktop", fyne.NewSize(1024, 768), 100, false, true},
		{"desktop 200 %", fyne.NewSize(1024, 768), 200, false, true},
		{"narrow desktop", fyne.NewSize(480, 900), 100, false, false},
		{"phone sideways", fyne.NewSize(740, 360), 100, true, false},
		{"tablet", fyne.NewSize(800, 1280), 100, true, true},
		{"tablet 200 % (room for the screens beside the column)", fyne.NewSize(600, 960), 200, false, false},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			settings.Apply(r.app, kit.NewLook(row.percent, kit.ContrastNormal))
			r.ui.tabs.phone = row.phone
			r.win.Resize(row.size)
			r.ui.tabs.Refresh()
			tabs := r.ui.tabs
			if got := tabs.Side(); got != row.side {
				t.Errorf("side navigation %v, want %v", got, row.side)
			}
			shown := navItems(tabs)
			t.Logf("shown: %q", shown)
			if row.side && len(shown) != all {
				t.Errorf("the side shows %q, want all %d areas", shown, all)
			}
			if len(shown) < 2 {
				t.Errorf("the bar shows %q, want at least an area and \"More\"", shown)
			}
			if got := r.win.Content().MinSize().Width; got > row.size.Width {
				t.Errorf("the window needs %.0f px, has %.0f", got, row.size.Width)
			}
			if wide := uitest.TooWide(tabs, row.size.Width); len(wide) > 0 {
				t.Errorf("wider than the window:\n%s", strings.Join(wide, "\n"))
			}
			d := fyne.CurrentApp().Driver()
			for _, it := range append(tabs.items, tabs.more) {
				if !it.Visible() {
					continue
				}
				pos := d.AbsolutePositionForObject(it)
				if pos.X < 0 || pos.Y < 0 || pos.X+it.Size().Width > row.size.Width+0.5 || pos.Y+it.Size().Height > row.size.Height+0.5 {
					t.Errorf("%q at %v size %v: outside the window", it.text, pos, it.Size())
				}
			}
		})
	}
}

// TestNavigationMoreByKeyboard: at 360 px and 200 % text, Tab reaches
// "More", Enter opens it, and the arrows and Enter choose an area it
// holds; Tab reaches every item in the bar, Enter chooses it, and the
// arrows move along the bar.
func TestNavigationMoreByKeyboard(t *testing.T) {
	r := newRig(t)
	settings.Apply(r.app, kit.NewLook(200, kit.ContrastNormal))
	r.win.Resize(fyne.NewSize(360, 740))
	tabs := r.ui.tabs
	tabs.Refresh()
	c := r.win.Canvas()
	focus := func(it *navItem) {
		t.Helper()
		c.Unfocus()
		for range 200 {
			c.FocusNext()
			if c.Focused() == it {
				return
			}
		}
		t.Fatalf("Tab never reaches %q", it.text)
	}
	if !tabs.more.Visible() || len(tabs.hidden) == 0 {
		t.Fatalf("the bar shows %q: no \"More\" at 360 px and 200 %%", navItems(tabs))
	}
	for i, it := range tabs.items {
		if !it.Visible() {
			continue
		}
		tabs.SelectIndex((i + 1) % len(tabs.items))
		focus(it)
		c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		if got := tabs.SelectedIndex(); got != i {
			t.Errorf("Enter on %q chose area %d, want %d", it.text, got, i)
		}
	}
	// The arrows go along the bar, round its ends, and leave the area
	// shown as it is.
	focus(tabs.items[0])
	shown := append([]*navItem(nil), tabs.items[:len(tabs.items)-len(tabs.hidden)]...)
	shown = append(shown, tabs.more)
	for _, want := range append(shown[1:], shown[0]) {
		c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
		if c.Focused() != want {
			t.Errorf("Right: focus on %v, want %q", c.Focused(), want.text)
		}
	}
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
	if c.Focused() != tabs.more {
		t.Errorf("Left from the first: focus on %v, want \"More\"", c.Focused())
	}
	for n, want := range tabs.hidden {
		t.Run(tabs.Items[want].Text, func(t *testing.T) {
			tabs.SelectIndex(0)
			focus(tabs.more)
			c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			menu, ok := c.Focused().(*widget.PopUpMenu)
			if !ok || c.Overlays().Top() == nil {
				t.Fatalf("Enter on \"More\" shows %T (focus on %T), want its menu, focused", c.Overlays().Top(), c.Focused())
			}
			for range n + 1 {
				menu.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
			}
			menu.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			if got := tabs.SelectedIndex(); got != want {
				t.Errorf("the menu's item %d chose area %d, want %d", n+1, got, want)
			}
			if !tabs.more.selected {
				t.Error("\"More\" is not marked while one of its areas is shown")
			}
			if c.Overlays().Top() != nil {
				t.Error("the menu stays open")
			}
		})
	}
}

// TestNavigationKeepsAltDigits: Alt+1 to Alt+6 still choose the areas
// when the navigation is a bar with "More" (TestShellKeys has them at the
// rig's size).
func TestNavigationKeepsAltDigits(t *testing.T) {
	r := newRig(t)
	settings.Apply(r.app, kit.NewLook(200, kit.ContrastNormal))
	r.win.Resize(fyne.NewSize(360, 740))
	sc := r.win.Canvas().(fyne.Shortcutable)
	for i := range r.ui.tabs.Items {
		sc.TypedShortcut(altDigit(i + 1))
		if got := r.ui.tabs.SelectedIndex(); got != i {
			t.Errorf("Alt+%d chose area %d, want %d", i+1, got, i)
		}
	}
}

func altDigit(n int) fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: fyne.KeyName(fmt.Sprint(n)), Modifier: fyne.KeyModifierAlt}
}
