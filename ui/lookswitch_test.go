package ui

import (
	"fmt"
	"image/color"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"rathaus/ui/kit"
	"rathaus/ui/settings"
)

// The settings apply at once (issue 13): a change of the contrast or the
// text size while a screen is shown, or kept below another, leaves none of
// the old look on it.

// themeColors are the colours the app's theme has.
var themeColors = []fyne.ThemeColorName{
	theme.ColorNameBackground, theme.ColorNameButton, theme.ColorNameDisabledButton, theme.ColorNameDisabled,
	theme.ColorNameError, theme.ColorNameFocus, theme.ColorNameForeground, theme.ColorNameForegroundOnError,
	theme.ColorNameForegroundOnPrimary, theme.ColorNameForegroundOnSuccess, theme.ColorNameForegroundOnWarning,
	theme.ColorNameHeaderBackground, theme.ColorNameHover, theme.ColorNameHyperlink, theme.ColorNameInputBackground,
	theme.ColorNameInputBorder, theme.ColorNameMenuBackground, theme.ColorNameOverlayBackground,
	theme.ColorNamePlaceHolder, theme.ColorNamePressed, theme.ColorNamePrimary, theme.ColorNameScrollBar,
	theme.ColorNameScrollBarBackground, theme.ColorNameSelection, theme.ColorNameSeparator, theme.ColorNameShadow,
	theme.ColorNameSuccess, theme.ColorNameWarning,
}

// onlyIn are the colours of look a that b does not have, with their names.
func onlyIn(a, b fyne.Theme) map[color.NRGBA]fyne.ThemeColorName {
	v := fyne.CurrentApp().Settings().ThemeVariant()
	nrgba := func(c color.Color) color.NRGBA { return color.NRGBAModel.Convert(c).(color.NRGBA) }
	in := map[color.NRGBA]bool{}
	for _, n := range themeColors {
		in[nrgba(b.Color(n, v))] = true
	}
	only := map[color.NRGBA]fyne.ThemeColorName{}
	for _, n := range themeColors {
		if c := nrgba(a.Color(n, v)); !in[c] {
			only[c] = n
		}
	}
	return only
}

// staleColors lists the visible texts, grounds and lines below o drawn
// in a colour of the old look that the new one does not have.
func staleColors(o fyne.CanvasObject, old map[color.NRGBA]fyne.ThemeColorName) []string {
	var stale []string
	check := func(what string, c color.Color) {
		if c == nil {
			return
		}
		if n, ok := old[color.NRGBAModel.Convert(c).(color.NRGBA)]; ok {
			stale = append(stale, fmt.Sprintf("%s in the old %s", what, n))
		}
	}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch t := o.(type) {
		case *canvas.Text:
			check(fmt.Sprintf("text %q", t.Text), t.Color)
		case *canvas.Rectangle:
			check(fmt.Sprintf("a ground %.0fx%.0f", t.Size().Width, t.Size().Height), t.FillColor)
			check(fmt.Sprintf("a border %.0fx%.0f", t.Size().Width, t.Size().Height), t.StrokeColor)
		case *canvas.Line:
			check("a line", t.StrokeColor)
		case *canvas.Circle:
			check("a circle", t.FillColor)
		case *fyne.Container:
			// What stands on a fixed white ground (the appointment's
			// ticket, to be scanned) keeps its colours in every look.
			if len(t.Objects) > 1 && isWhite(t.Objects[0]) {
				return
			}
			for _, c := range t.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(t).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return stale
}

// TestContrastAtOnce: every screen of the tour, shown when the citizen
// switches from the normal look to high contrast and back, is drawn in the
// new look's colours only, also with the screen's focus and its dialog.
func TestContrastAtOnce(t *testing.T) {
	r := newRig(t)
	r.win.Resize(fyne.NewSize(360, 740))
	d := prepareTour(t, r.Device)
	normal, high := kit.NewLook(100, kit.ContrastNormal), kit.NewLook(100, kit.ContrastHigh)
	for _, sw := range []struct {
		name     string
		from, to *kit.Look
	}{{"to high", normal, high}, {"to normal", high, normal}} {
		t.Run(sw.name, func(t *testing.T) {
			old := onlyIn(sw.from, sw.to)
			for _, sc := range tour {
				settings.Apply(r.app, sw.from)
				openTour(r.ui, sc, d)
				r.win.Canvas().FocusNext() // a focus ring, a focused option's ground
				settings.Apply(r.app, sw.to)
				stale := staleColors(r.win.Content(), old)
				if top := r.win.Canvas().Overlays().Top(); top != nil {
					stale = append(stale, staleColors(top, old)...)
				}
				if len(stale) > 0 {
					t.Errorf("%s keeps colours of the look before:\n%s", sc.name, strings.Join(stale, "\n"))
				}
			}
		})
	}
}

func isWhite(o fyne.CanvasObject) bool {
	g, ok := o.(*canvas.Rectangle)
	return ok && g.FillColor == color.White
}
