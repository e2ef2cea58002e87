package forms

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/fill"
	"rathaus/ui/kit"
)

func TestSignaturePad(t *testing.T) {
	test.NewTempApp(t)
	var got *api.Signature
	calls := 0
	pad := newSignaturePad(nil, func(s *api.Signature) { got = s; calls++ })
	w := test.NewWindow(pad)
	w.SetPadded(false)
	defer w.Close()
	w.Resize(fyne.NewSize(300, 150))
	pad.Resize(fyne.NewSize(300, 150))

	// fyne's drag events carry the pointer's position and the distance
	// since the last event: a stroke from (20,100) to (70,80) to (90,85),
	// then a one-segment stroke through the canvas (test.Drag ends it).
	drag := func(x, y, dx, dy float32) {
		pad.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(x, y)}, Dragged: fyne.Delta{DX: dx, DY: dy}})
	}
	drag(70, 80, 50, -20)
	drag(90, 85, 20, 5)
	pad.DragEnd()
	test.Drag(w.Canvas(), fyne.NewPos(160, 100), 60, 10)
	if calls != 2 || got == nil {
		t.Fatalf("OnChanged called %d times with %v, want twice with a signature", calls, got)
	}
	if len(got.Strokes) != 2 || len(got.Strokes[0]) != 3 || len(got.Strokes[1]) != 2 {
		t.Fatalf("strokes = %v, want two strokes of at least two points", got.Strokes)
	}
	if got.Width != 300 || got.Height != 150 {
		t.Errorf("canvas = %vx%v, want 300x150", got.Width, got.Height)
	}
	first := got.Strokes[0]
	if first[0] != [2]float64{20, 100} || first[1] != [2]float64{70, 80} || first[2] != [2]float64{90, 85} {
		t.Errorf("first stroke = %v, want (20,100) (70,80) (90,85)", first)
	}

	// Drawn on a pad of another size, the strokes scale.
	big := newSignaturePad(got, nil)
	big.Resize(fyne.NewSize(600, 300))
	big.rescale(big.Size())
	if p := big.sig.Strokes[0][0]; p != [2]float64{40, 200} {
		t.Errorf("scaled first point = %v, want (40,200)", p)
	}

	pad.Clear()
	if got != nil || len(pad.sig.Strokes) != 0 {
		t.Errorf("after Clear: value %v, strokes %d; want nil and none", got, len(pad.sig.Strokes))
	}
}

// TestTypedSignature: a name typed instead of drawing is the value, in the
// shape the signature format accepts; drawing afterwards replaces it and
// empties the entry; typing clears the drawing; a typed value shows again.
func TestTypedSignature(t *testing.T) {
	test.NewTempApp(t)
	var got *api.Signature
	pad, typed := newSignatureInput(nil, func(s *api.Signature) { got = s })
	w := test.NewWindow(container.NewVBox(pad, typed))
	defer w.Close()
	w.Resize(fyne.NewSize(320, 300))

	test.Type(typed, "Erika Mustermann")
	if got == nil || got.Typed != "Erika Mustermann" || len(got.Strokes) != 0 {
		t.Fatalf("typed: value %+v, want the name alone", got)
	}
	if err := formschema.CheckSignature(fill.ToValue(got)); err != nil {
		t.Errorf("the typed value fails the signature format: %v", err)
	}
	pad.Resize(fyne.NewSize(300, 150))
	pad.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(70, 80)}, Dragged: fyne.Delta{DX: 50, DY: -20}})
	pad.DragEnd()
	if got == nil || got.Typed != "" || len(got.Strokes) != 1 || typed.Text != "" {
		t.Fatalf("drawn after typing: value %+v, entry %q; want the stroke alone and an empty entry", got, typed.Text)
	}
	test.Type(typed, "E. M.")
	if got == nil || got.Typed != "E. M." || len(pad.sig.Strokes) != 0 {
		t.Errorf("typed after drawing: value %+v, strokes on the pad %d; want the name, a clear pad", got, len(pad.sig.Strokes))
	}
	typed.SetText("  ")
	if got != nil {
		t.Errorf("a blank name: value %+v, want none", got)
	}

	_, again := newSignatureInput(&api.Signature{Typed: "Erika Mustermann"}, func(*api.Signature) {})
	if again.Text != "Erika Mustermann" {
		t.Errorf("a typed value opens with %q in the entry", again.Text)
	}
}

// TestSignaturePadFollowsTheContrast: the pad's ground, border and base
// line take the new theme's colours when the citizen switches the
// contrast while the form is open.
func TestSignaturePadFollowsTheContrast(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(kit.NewLook(100, kit.ContrastNormal))
	pad := newSignaturePad(nil, nil)
	w := test.NewWindow(pad)
	defer w.Close()
	w.Resize(fyne.NewSize(300, 150))
	for _, c := range []kit.Contrast{kit.ContrastHigh, kit.ContrastNormal} {
		look := kit.NewLook(100, c)
		a.Settings().SetTheme(look)
		r := test.WidgetRenderer(pad).(*signatureRenderer)
		v := a.Settings().ThemeVariant()
		for _, tc := range []struct {
			what      string
			got, want color.Color
		}{
			{"ground", r.bg.FillColor, look.Color(theme.ColorNameInputBackground, v)},
			{"border", r.bg.StrokeColor, look.Color(theme.ColorNameInputBorder, v)},
			{"base line", r.baseline.StrokeColor, look.Color(theme.ColorNameDisabled, v)},
		} {
			if tc.got != tc.want {
				t.Errorf("%s: the %s is %v, want %v", c, tc.what, tc.got, tc.want)
			}
		}
	}
}
