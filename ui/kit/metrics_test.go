package kit

import (
	"testing"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// TestWatchLook: the watcher calls back once for each change of the text
// size or the contrast, in a window, and for a change made while it was
// out of the window once it is back in one; a refresh without a change
// calls nothing.
func TestWatchLook(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(NewLook(100, ContrastNormal))
	calls := 0
	watched := WatchLook(widget.NewLabel("chart"), func() { calls++ })
	holder := container.NewStack(watched)
	w := test.NewWindow(holder)
	defer w.Close()

	for _, step := range []struct {
		name  string
		do    func()
		calls int
	}{
		{"refresh without a change", func() { holder.Refresh() }, 0},
		{"text size 200 %", func() { a.Settings().SetTheme(NewLook(200, ContrastNormal)) }, 1},
		{"the same look again", func() { a.Settings().SetTheme(NewLook(200, ContrastNormal)) }, 1},
		{"high contrast", func() { a.Settings().SetTheme(NewLook(200, ContrastHigh)) }, 2},
		{"changed while out of the window", func() {
			w.SetContent(widget.NewLabel("another screen"))
			a.Settings().SetTheme(NewLook(100, ContrastNormal))
		}, 2},
		{"back in the window", func() { w.SetContent(holder); holder.Refresh() }, 3},
	} {
		step.do()
		if calls != step.calls {
			t.Errorf("%s: %d calls, want %d", step.name, calls, step.calls)
		}
	}
}

// TestMetricsFollowTheTextSize: the metrics differ between text sizes and
// are equal for equal ones, so that a screen measures again exactly when
// it must.
func TestMetricsFollowTheTextSize(t *testing.T) {
	if MetricsOf(NewLook(100, ContrastNormal)) == MetricsOf(NewLook(200, ContrastNormal)) {
		t.Error("100 % and 200 % have the same metrics")
	}
	if MetricsOf(NewLook(150, ContrastNormal)) != MetricsOf(NewLook(150, ContrastHigh)) {
		t.Error("the contrast changed the metrics")
	}
}

// TestTintFollowsTheContrast: a Tint's ground is its colour in the theme
// of now, after a switch of the contrast too.
func TestTintFollowsTheContrast(t *testing.T) {
	a := test.NewTempApp(t)
	tint := NewTint(theme.ColorNameInputBackground, 2)
	w := test.NewWindow(tint)
	defer w.Close()
	for _, c := range []Contrast{ContrastNormal, ContrastHigh, ContrastNormal} {
		look := NewLook(100, c)
		a.Settings().SetTheme(look)
		rect := test.WidgetRenderer(tint).Objects()[0].(*canvas.Rectangle)
		if want := look.Color(theme.ColorNameInputBackground, a.Settings().ThemeVariant()); rect.FillColor != want {
			t.Errorf("%s: the ground is %v, want %v", c, rect.FillColor, want)
		}
		if want := 2 * look.Size(theme.SizeNameInputRadius); rect.CornerRadius != want {
			t.Errorf("%s: the corners' radius is %v, want %v", c, rect.CornerRadius, want)
		}
	}
}
