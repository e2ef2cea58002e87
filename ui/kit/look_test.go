package kit

import (
	"fmt"
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// luminance is a colour's relative luminance (WCAG 2.x).
func luminance(c color.Color) float64 {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(n.R) + 0.7152*lin(n.G) + 0.0722*lin(n.B)
}

// contrast is the WCAG contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// over blends a translucent colour over an opaque one, as the screen shows
// a hover, focus or selection.
func over(top, bottom color.Color) color.Color {
	t := color.NRGBAModel.Convert(top).(color.NRGBA)
	b := color.NRGBAModel.Convert(bottom).(color.NRGBA)
	a := float64(t.A) / 255
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*a + float64(y)*(1-a))) }
	return color.NRGBA{R: mix(t.R, b.R), G: mix(t.G, b.G), B: mix(t.B, b.B), A: 0xff}
}

// pair is a text colour on what it is shown on.
type pair struct {
	name   string
	fg, bg color.Color
	min    float64 // the text threshold, or 3 for a boundary (WCAG 1.4.11)
}

// pairs lists, for one palette, every text colour on every background it
// is shown on, with the threshold for text (4.5 or 7) or for a boundary.
func pairs(l *Look, v fyne.ThemeVariant, text float64) []pair {
	c := func(n fyne.ThemeColorName) color.Color { return l.Color(n, v) }
	var ps []pair
	surfaces := []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameInputBackground,
		theme.ColorNameOverlayBackground, theme.ColorNameMenuBackground, theme.ColorNameHeaderBackground}
	texts := []fyne.ThemeColorName{theme.ColorNameForeground, theme.ColorNameDisabled, theme.ColorNamePlaceHolder,
		theme.ColorNameHyperlink, theme.ColorNameError, theme.ColorNameSuccess, theme.ColorNameWarning, theme.ColorNamePrimary}
	for _, s := range surfaces {
		for _, t := range texts {
			ps = append(ps, pair{fmt.Sprintf("%s on %s", t, s), c(t), c(s), text})
		}
		// A hover, focus, selection or tap over a surface keeps its text
		// readable.
		for _, marker := range []fyne.ThemeColorName{theme.ColorNameHover, theme.ColorNameFocus, theme.ColorNameSelection, theme.ColorNamePressed} {
			ps = append(ps, pair{fmt.Sprintf("foreground on %s over %s", marker, s), c(theme.ColorNameForeground), over(c(marker), c(s)), text})
		}
		ps = append(ps, pair{"inputBorder on " + string(s), c(theme.ColorNameInputBorder), c(s), 3})
	}
	// Buttons: their text on their colour, plain, hovered, focused, tapped.
	buttons := [][2]fyne.ThemeColorName{
		{theme.ColorNameForeground, theme.ColorNameButton},
		{theme.ColorNameDisabled, theme.ColorNameDisabledButton},
		{theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary},
		{theme.ColorNameForegroundOnError, theme.ColorNameError},
		{theme.ColorNameForegroundOnSuccess, theme.ColorNameSuccess},
		{theme.ColorNameForegroundOnWarning, theme.ColorNameWarning},
	}
	for _, b := range buttons {
		ps = append(ps, pair{fmt.Sprintf("%s on %s", b[0], b[1]), c(b[0]), c(b[1]), text})
		if b[1] == theme.ColorNameDisabledButton {
			continue // a disabled button takes no hover, focus or tap
		}
		for _, marker := range []fyne.ThemeColorName{theme.ColorNameHover, theme.ColorNameFocus, theme.ColorNamePressed} {
			ps = append(ps, pair{fmt.Sprintf("%s on %s over %s", b[0], marker, b[1]), c(b[0]), over(c(marker), c(b[1])), text})
		}
	}
	// The scroll bar against what it scrolls over.
	ps = append(ps, pair{"scrollBar over background", over(c(theme.ColorNameScrollBar), c(theme.ColorNameBackground)), c(theme.ColorNameBackground), 3})
	return ps
}

// roles says how look_test checks each colour name the theme sets: as
// text, as what text is shown on, as a marker blended under text, as a
// boundary, or not at all (decoration no one reads).
var roles = map[fyne.ThemeColorName]string{
	theme.ColorNameBackground: "surface", theme.ColorNameButton: "surface", theme.ColorNameDisabledButton: "surface",
	theme.ColorNameDisabled: "text", theme.ColorNameError: "text and surface", theme.ColorNameFocus: "marker",
	theme.ColorNameForeground: "text", theme.ColorNameForegroundOnError: "text", theme.ColorNameForegroundOnPrimary: "text",
	theme.ColorNameForegroundOnSuccess: "text", theme.ColorNameForegroundOnWarning: "text",
	theme.ColorNameHeaderBackground: "surface", theme.ColorNameHover: "marker", theme.ColorNameHyperlink: "text",
	theme.ColorNameInputBackground: "surface", theme.ColorNameInputBorder: "boundary", theme.ColorNameMenuBackground: "surface",
	theme.ColorNameOverlayBackground: "surface", theme.ColorNamePlaceHolder: "text", theme.ColorNamePressed: "marker",
	theme.ColorNamePrimary: "text and surface", theme.ColorNameScrollBar: "boundary",
	theme.ColorNameScrollBarBackground: "decoration: the track under the bar, no text",
	theme.ColorNameSelection:           "marker", theme.ColorNameSeparator: "decoration: a line between rows, no text",
	theme.ColorNameShadow:  "decoration: a shadow, no text",
	theme.ColorNameSuccess: "text and surface", theme.ColorNameWarning: "text and surface",
}

// TestLookContrast computes the WCAG contrast ratio of every text colour
// of the theme on every background it is shown on: at least 7:1 in high
// contrast, 4.5:1 in the normal theme, light and dark; boundaries 3:1.
func TestLookContrast(t *testing.T) {
	for _, tc := range []struct {
		contrast Contrast
		text     float64
	}{{ContrastNormal, 4.5}, {ContrastHigh, 7}} {
		for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
			l := NewLook(100, tc.contrast)
			t.Run(fmt.Sprintf("%s/variant%d", tc.contrast, v), func(t *testing.T) {
				for n := range l.palette(v) {
					if roles[n] == "" {
						t.Errorf("colour %q has no role in the contrast check", n)
					}
				}
				for _, p := range pairs(l, v, tc.text) {
					if got := contrast(p.fg, p.bg); got < p.min {
						t.Errorf("%s: %.2f:1, want at least %.1f:1", p.name, got, p.min)
					}
				}
			})
		}
	}
}

// TestLookStatesTellApart: a focused button differs from an unfocused one
// (fyne's blue focus on a blue button did not), and placeholders are
// plainly dimmer than typed values.
func TestLookStatesTellApart(t *testing.T) {
	for _, c := range []Contrast{ContrastNormal, ContrastHigh} {
		for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
			l := NewLook(100, c)
			col := func(n fyne.ThemeColorName) color.Color { return l.Color(n, v) }
			t.Run(fmt.Sprintf("%s/variant%d", c, v), func(t *testing.T) {
				for _, b := range []fyne.ThemeColorName{theme.ColorNameButton, theme.ColorNamePrimary} {
					if got := contrast(over(col(theme.ColorNameFocus), col(b)), col(b)); got < 1.4 {
						t.Errorf("focused %s against unfocused: %.2f:1, want at least 1.4:1", b, got)
					}
				}
				if got := contrast(col(theme.ColorNamePlaceHolder), col(theme.ColorNameForeground)); got < 2 {
					t.Errorf("placeholder against a value: %.2f:1, want at least 2:1", got)
				}
			})
		}
	}
}

func TestLookSizes(t *testing.T) {
	for _, tc := range []struct{ percent, want int }{{100, 100}, {150, 150}, {200, 200}, {50, 100}, {400, 200}} {
		t.Run(fmt.Sprint(tc.percent), func(t *testing.T) {
			l := NewLook(tc.percent, ContrastNormal)
			if got := l.TextPercent(); got != tc.want {
				t.Errorf("text size = %d %%, want %d %%", got, tc.want)
			}
			base := theme.DefaultTheme()
			if got, want := l.Size(theme.SizeNameText), base.Size(theme.SizeNameText)*float32(tc.want)/100; got != want {
				t.Errorf("text = %v, want %v", got, want)
			}
			if got, want := l.Size(theme.SizeNamePadding), base.Size(theme.SizeNamePadding); got != want {
				t.Errorf("padding = %v, want %v (unscaled)", got, want)
			}
		})
	}
}
