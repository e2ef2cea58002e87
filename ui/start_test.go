package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"

	"rathaus/sync/engine"
	"rathaus/ui/internal/uitest"
)

// TestStart: the window comes back at once and the screens are built
// beside it, then put on it; from then on they follow the sync engine.
func TestStart(t *testing.T) {
	dev := uitest.NewDevice(t)
	a := test.NewTempApp(t)
	w, screens := Start(a, Deps{Store: dev.Store, Sync: dev.Engine})
	w.Show()
	u := screens()
	t.Cleanup(u.stopReminders)
	if u.Window() != w {
		t.Fatal("the screens are on another window than Start returned")
	}
	if got := len(uitest.All[*areaTabs](w.Content())); got != 1 {
		t.Fatalf("areas on the window: %d, want 1", got)
	}
	before := u.indicator.label.Text
	if err := dev.Engine.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := dev.Engine.Status()
	if st.State != engine.Idle || st.LastSuccess.IsZero() {
		t.Fatalf("the pass did not succeed: %+v", st)
	}
	if got, want := u.indicator.label.Text, stateText(st); got != want || got == before {
		t.Errorf("the sync line after a pass: %q (before %q), want %q", got, before, want)
	}
}
