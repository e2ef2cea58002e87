package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
)

// TestAreasJoinWhenShown: at start only the first area's screen is in the
// navigation's stack (the others are not laid out before the first frame,
// issue 13); each joins when first shown and stays, and the settings are
// built when first opened.
func TestAreasJoinWhenShown(t *testing.T) {
	r := newRig(t)
	tabs := r.ui.tabs
	if got, want := len(tabs.stack.Objects), 1; got != want {
		t.Fatalf("screens in the stack at start: %d, want %d", got, want)
	}
	if tabs.stack.Objects[0] != tabs.Items[0].Content {
		t.Fatal("the screen in the stack at start is not the services'")
	}
	if r.ui.settings != nil {
		t.Error("the settings screen is built at start, want it built when first opened")
	}
	for i := len(tabs.Items) - 1; i >= 0; i-- {
		t.Run(tabs.Items[i].Text, func(t *testing.T) {
			tabs.SelectIndex(i)
			if !slices.Contains(tabs.stack.Objects, tabs.Items[i].Content) {
				t.Fatalf("area %d not in the stack once shown", i)
			}
			for _, o := range tabs.stack.Objects {
				if got, want := o.Visible(), o == tabs.Items[i].Content; got != want {
					t.Errorf("a screen in the stack visible %v, want %v", got, want)
				}
			}
			// the services' from the start, and each shown so far once
			if got, want := len(tabs.stack.Objects), min(len(tabs.Items), len(tabs.Items)-i+1); got != want {
				t.Errorf("screens in the stack: %d, want %d", got, want)
			}
		})
	}
	r.ui.OpenSettings()
	if r.ui.settings == nil {
		t.Fatal("no settings screen after OpenSettings")
	}
	if got, want := r.ui.aboutNav.title.Text, r.ui.settings.Title(); got != want {
		t.Errorf("title on the about tab %q, want %q", got, want)
	}
	if !r.ui.settings.Content().Visible() || r.ui.settings.Content().Size().IsZero() {
		t.Error("the settings screen is not shown and laid out")
	}
}

// BenchmarkNew: building the main window with its screens, laid out in a
// phone-sized window (what the start spends in ui.New; BENCHMARKS.md).
func BenchmarkNew(b *testing.B) {
	r := newRig(b)
	deps := Deps{Store: r.Store, Sync: r.Engine, Clock: r.clock}
	for b.Loop() {
		u := New(r.app, deps)
		u.Window().Resize(fyne.NewSize(480, 900))
		u.stopReminders()
		u.Window().Close()
	}
}
