package settings

import (
	"context"
	"image/color"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

var _ Store = (*store.Store)(nil)

// keys keep the data key of the tests' stores, across a restart.
var keys = secrets.OpenMemory("rathaus-settings-test")

// openStore opens a real store on a file.
func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path, keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// tapText taps the option showing text, where the citizen would.
func tapText(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	for _, l := range uitest.All[*widget.Label](w.Content()) {
		if l.Text == text {
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(l)
			test.TapCanvas(w.Canvas(), pos.AddXY(5, 5))
			return
		}
	}
	t.Fatalf("no option %q on screen", text)
}

// TestSettingsApplyAtOnceAndAreRemembered: choosing a text size and high
// contrast changes the app's theme at once, and a start afterwards (Load
// on the same database file) finds both.
func TestSettingsApplyAtOnceAndAreRemembered(t *testing.T) {
	a := test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), "app.db")
	st := openStore(t, path)
	Apply(a, Load(context.Background(), st))
	normal := theme.TextSize()

	s := NewScreen(a, st)
	w := test.NewWindow(s.Content())
	w.Resize(fyne.NewSize(360, 740))
	t.Cleanup(w.Close)

	if got, want := s.size.Selected, "100 %"; got != want {
		t.Errorf("text size chosen at first = %q, want %q", got, want)
	}
	tapText(t, w, "150 %")
	if got, want := theme.TextSize(), normal*1.5; got != want {
		t.Errorf("text size after choosing 150 %% = %v, want %v", got, want)
	}
	tapText(t, w, "High contrast")
	look, ok := a.Settings().Theme().(*kit.Look)
	if !ok || look.Contrast() != kit.ContrastHigh || look.TextPercent() != 150 {
		t.Fatalf("theme after choosing high contrast = %#v", a.Settings().Theme())
	}
	if got := theme.Color(theme.ColorNameForeground); got != (color.NRGBA{A: 0xff}) && got != (color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}) {
		t.Errorf("text colour in high contrast = %v, want black or white", got)
	}
	// Tapping the chosen size again keeps it (a size must stay chosen).
	tapText(t, w, "150 %")
	if got := s.size.Selected; got != "150 %" {
		t.Errorf("after tapping the chosen size again: %q chosen", got)
	}

	st.Close()
	again := Load(context.Background(), openStore(t, path))
	if again.TextPercent() != 150 || again.Contrast() != kit.ContrastHigh {
		t.Errorf("after a restart: %d %%, %s; want 150 %%, high", again.TextPercent(), again.Contrast())
	}
}

// TestSettingsAddSection: another area's row (the language) joins the
// screen below the others.
func TestSettingsAddSection(t *testing.T) {
	a := test.NewTempApp(t)
	s := NewScreen(a, openStore(t, filepath.Join(t.TempDir(), "app.db")))
	s.AddSection("Language", widget.NewLabel("Deutsch"))
	w := test.NewWindow(s.Content())
	t.Cleanup(w.Close)
	text := uitest.Text(w.Content())
	for _, want := range []string{"Text size", "Contrast", "Language", "Deutsch"} {
		if !slices.Contains(strings.Split(text, "\n"), want) {
			t.Errorf("screen text %q lacks %q", text, want)
		}
	}
}
