package kit

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// TestWrapButtonWraps: a wrapping button with a long text fits a narrow
// column: it needs less than the column, grows in height, keeps its text,
// icon and words inside itself, and takes Enter as a Button does; a short
// text is as tall as fyne's button, and in a wide window a long one keeps
// to one line as fyne's does.
func TestWrapButtonWraps(t *testing.T) {
	const long = "Remove this application from this device and complete it again"
	for _, tc := range []struct {
		name string
		icon fyne.Resource
	}{{"text", nil}, {"icon", theme.DeleteIcon()}} {
		t.Run(tc.name, func(t *testing.T) {
			test.NewTempApp(t)
			tapped := 0
			b := NewWrapButton(long, tc.icon, func() { tapped++ })
			b.Importance = widget.HighImportance
			short := widget.NewButtonWithIcon("Back", tc.icon, nil)
			plain := widget.NewButtonWithIcon(long, tc.icon, nil)
			w := test.NewTempWindow(t, container.NewVBox(b, short))
			w.Resize(fyne.NewSize(160, 400))

			if got := b.MinSize().Width; got > 160 {
				t.Errorf("min width %.0f, want at most the column's 160", got)
			}
			if got, want := b.Size().Height, short.MinSize().Height; got <= want {
				t.Errorf("height %.0f, want more than one line's %.0f", got, want)
			}
			if got, want := b.Size().Width, float32(160); got > want {
				t.Errorf("width %.0f, want at most %.0f", got, want)
			}
			for _, o := range test.WidgetRenderer(b).Objects() {
				if !o.Visible() {
					continue
				}
				if p, s := o.Position(), o.Size(); p.X < 0 || p.Y < 0 || p.X+s.Width > b.Size().Width+0.5 || p.Y+s.Height > b.Size().Height+0.5 {
					t.Errorf("%T at %v size %v is outside the button %v", o, p, s, b.Size())
				}
				if r, ok := o.(*widget.RichText); ok {
					if got := r.String(); got != long {
						t.Errorf("text %q, want %q", got, long)
					}
					if got := len(test.WidgetRenderer(r).Objects()); got < 2 {
						t.Errorf("text drawn in %d lines, want several", got)
					}
				}
				if _, ok := o.(*canvas.Image); ok && tc.icon == nil {
					t.Error("an icon shown on a button without one")
				}
			}
			if plain.MinSize().Width <= 160 {
				t.Fatalf("the text fits fyne's button (%.0f): the test shows nothing", plain.MinSize().Width)
			}

			w.Canvas().Focus(b)
			test.Tap(b)
			b.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			if tapped != 2 {
				t.Errorf("tapped %d times, want 2 (tap, Enter)", tapped)
			}

			// On a desktop the text stays on one line, as on fyne's button.
			wide := NewWrapButton(long, tc.icon, nil)
			w = test.NewTempWindow(t, container.NewHBox(wide))
			w.Resize(fyne.NewSize(1600, 400))
			if got, want := wide.MinSize(), plain.MinSize(); got.Width < want.Width-2 || got.Height != want.Height {
				t.Errorf("in a wide window: min %v, want fyne's one line %v", got, want)
			}

			one := NewWrapButton("Back", tc.icon, nil)
			w = test.NewTempWindow(t, container.NewVBox(one))
			w.Resize(fyne.NewSize(400, 400))
			if got, want := one.MinSize().Height, short.MinSize().Height; got != want {
				t.Errorf("a short text's height %.0f, want fyne's %.0f", got, want)
			}
		})
	}
}

// TestFold: the fold's title opens and closes its content, by tap and by
// Enter, and wraps in a narrow column.
func TestFold(t *testing.T) {
	test.NewTempApp(t)
	content := widget.NewLabel("numbers")
	f := NewFold("Table of the numbers in this chart, by month and service", content)
	w := test.NewTempWindow(t, container.NewVBox(f))
	w.Resize(fyne.NewSize(160, 400))
	if f.IsOpen() || content.Visible() {
		t.Fatal("open before any tap")
	}
	if got := f.MinSize().Width; got > 160 {
		t.Errorf("min width %.0f, want at most the column's 160", got)
	}
	for i, want := range []bool{true, false} {
		test.Tap(f.Title)
		if got := content.Visible(); got != want {
			t.Errorf("after tap %d: content shown %v, want %v", i+1, got, want)
		}
	}
	w.Canvas().Focus(f.Title)
	f.Title.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if !f.IsOpen() {
		t.Error("Enter on the title did not open the fold")
	}
}
