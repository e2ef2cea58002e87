package ui

import (
	"fmt"
	"image/color"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/ui/internal/uitest"
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

// drawnColors are the colours of the visible texts, grounds and lines
// below o, in the order drawn (not their sizes: fyne's test driver lays a
// wrapping text out a pass late, which its real one does again in the
// next frame).
func drawnColors(o fyne.CanvasObject) []string {
	var out []string
	uitest.Walk(o, func(x fyne.CanvasObject) {
		switch t := x.(type) {
		case *canvas.Text:
			out = append(out, fmt.Sprintf("text %q %v", t.Text, t.Color))
		case *canvas.Rectangle:
			out = append(out, fmt.Sprintf("a ground %v %v", t.FillColor, t.StrokeColor))
		case *canvas.Line:
			out = append(out, fmt.Sprintf("a line %v", t.StrokeColor))
		}
	})
	return out
}

// TestContrastAtOnce: every screen of the tour, shown when the citizen
// switches from the normal look to high contrast and back, is drawn in the
// new look's colours only, also with the screen's focus and its dialog.
// Before, the same look applied again changes nothing drawn: what a screen
// shows is what its widgets hold, not what a refresh would show.
func TestContrastAtOnce(t *testing.T) {
	r := newRig(t)
	r.win.Resize(fyne.NewSize(360, 740))
	d := prepareTour(t, r.Device)
	normal, high := kit.NewLook(100, kit.ContrastNormal), kit.NewLook(100, kit.ContrastHigh)
	for _, sc := range tour {
		settings.Apply(r.app, normal)
		openTour(r.ui, sc, d)
		r.win.Canvas().FocusNext() // a focus ring, a focused option's ground
		before := drawnColors(r.win.Content())
		settings.Apply(r.app, kit.NewLook(100, kit.ContrastNormal))
		if after := drawnColors(r.win.Content()); strings.Join(after, "\n") != strings.Join(before, "\n") {
			for i := range min(len(before), len(after)) {
				if before[i] != after[i] {
					t.Errorf("%s: drawn %s until the same look came again, then %s", sc.name, before[i], after[i])
					break
				}
			}
		}
		for _, sw := range []struct {
			name     string
			from, to *kit.Look
		}{{"high contrast", normal, high}, {"normal again", high, normal}} {
			settings.Apply(r.app, sw.to)
			old := onlyIn(sw.from, sw.to)
			stale := staleColors(r.win.Content(), old)
			if top := r.win.Canvas().Overlays().Top(); top != nil {
				stale = append(stale, staleColors(top, old)...)
			}
			if len(stale) > 0 {
				t.Errorf("%s in %s keeps colours of the look before:\n%s", sc.name, sw.name, strings.Join(stale, "\n"))
			}
		}
	}
}

func isWhite(o fyne.CanvasObject) bool {
	g, ok := o.(*canvas.Rectangle)
	return ok && g.FillColor == color.White
}

// notIn are patterns of the texts of the other languages whose text in
// code differs (templates' data may be anything).
func notIn(t *testing.T, code string) []*regexp.Regexp {
	t.Helper()
	own := translations(t, code)
	var pats []*regexp.Regexp
	for _, other := range kit.Languages {
		if other == code {
			continue
		}
		for k, v := range translations(t, other) {
			if strings.HasPrefix(k, "meta.") || own[k] == v || len(v) < 3 {
				continue
			}
			parts := regexp.MustCompile(`\{\{[^}]*\}\}`).Split(v, -1)
			if len(parts) > 1 && len(strings.Join(parts, "")) < 10 {
				continue
			}
			for i := range parts {
				parts[i] = regexp.QuoteMeta(parts[i])
			}
			pats = append(pats, regexp.MustCompile(`^`+strings.Join(parts, `.*`)+`$`))
		}
	}
	return pats
}

// drawnTexts are the texts drawn below o: every canvas text (labels,
// buttons, the navigation's items, cards' titles) and the entries' and
// choices' placeholders.
func drawnTexts(o fyne.CanvasObject) []string {
	var texts []string
	uitest.Walk(o, func(x fyne.CanvasObject) {
		switch w := x.(type) {
		case *canvas.Text:
			texts = append(texts, w.Text)
		case *widget.Entry:
			texts = append(texts, w.PlaceHolder)
		case *widget.Select:
			texts = append(texts, w.PlaceHolder)
		}
	})
	return texts
}

// TestLanguageAtOnce: the citizen switches from English to Turkish in the
// settings: the settings stay on the screen (with one title over the
// languages), and then no screen of the
// tour, its navigation, dialog or the window's title shows a text of
// another language where Turkish has its own.
func TestLanguageAtOnce(t *testing.T) {
	useLanguage(t, "en")
	r := newRig(t)
	r.win.Resize(fyne.NewSize(360, 740))
	d := prepareTour(t, r.Device)
	openTour(r.ui, tour[len(tour)-3], d) // the settings
	if tour[len(tour)-3].name != "settings" {
		t.Fatalf("the tour's screen %q is not the settings", tour[len(tour)-3].name)
	}
	tapOption(t, r.ui.settings.Content(), "Türkçe")
	if got := kit.Lang(); got != "tr" {
		t.Fatalf("language after the tap = %q, want tr", got)
	}
	if r.ui.settings == nil || !strings.Contains(uitest.Text(r.win.Content()), translations(t, "tr")["Text size"]) {
		t.Errorf("the settings are not on the screen after the switch:\n%s", uitest.Text(r.win.Content()))
	}
	n := 0
	for _, l := range uitest.All[*widget.Label](r.win.Content()) {
		if l.Text == translations(t, "tr")["Language"] {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the settings title their language section %d times, want once", n)
	}
	foreign := notIn(t, "tr")
	check := func(where string, texts []string) {
		t.Helper()
		for _, s := range texts {
			for _, re := range foreign {
				if s != "" && re.MatchString(s) {
					t.Errorf("%s: %q is not Turkish (%s)", where, s, re)
					break
				}
			}
		}
	}
	check("the window's title", []string{r.win.Title()})
	check("settings", drawnTexts(r.win.Content()))
	for _, sc := range tour {
		openTour(r.ui, sc, d)
		texts := drawnTexts(r.win.Content())
		if top := r.win.Canvas().Overlays().Top(); top != nil {
			texts = append(texts, drawnTexts(top)...)
		}
		check(sc.name, texts)
	}
}

// textSizes are the text sizes of a look.
func textSizes(l fyne.Theme) map[float32]fyne.ThemeSizeName {
	sizes := map[float32]fyne.ThemeSizeName{}
	for _, n := range []fyne.ThemeSizeName{theme.SizeNameText, theme.SizeNameHeadingText, theme.SizeNameSubHeadingText, theme.SizeNameCaptionText} {
		sizes[l.Size(n)] = n
	}
	return sizes
}

// staleLayout lists what below o is drawn at a text size of the old look
// that the new one does not have, and what is laid out smaller than it
// needs (a text cut, a row over the next). A text entry's insides are
// fyne's (its calendar button stands 3 px over it at every size).
func staleLayout(o fyne.CanvasObject, old, cur map[float32]fyne.ThemeSizeName) []string {
	var stale []string
	uitest.Inspect(o, func(x fyne.CanvasObject) bool {
		if t, ok := x.(*canvas.Text); ok && t.Text != "" {
			if n, ok := old[t.TextSize]; ok && cur[t.TextSize] == "" {
				stale = append(stale, fmt.Sprintf("text %q at the old %s", t.Text, n))
			}
		}
		s, m := x.Size(), x.MinSize()
		if !s.IsZero() && (s.Height+0.5 < m.Height) {
			stale = append(stale, fmt.Sprintf("%T is %.0fx%.0f, needs %.0fx%.0f", x, s.Width, s.Height, m.Width, m.Height))
		}
		switch x.(type) {
		case *widget.Entry, *kit.DateEntry:
			return false
		}
		return true
	})
	return stale
}

// TestTextSizeAtOnce: every screen of the tour, shown when the citizen
// changes the text size from 100 % to 200 % and back, draws its texts at
// the new size and gives each the room it needs.
func TestTextSizeAtOnce(t *testing.T) {
	r := newRig(t)
	r.win.Resize(fyne.NewSize(360, 740))
	d := prepareTour(t, r.Device)
	small, large := kit.NewLook(100, kit.ContrastNormal), kit.NewLook(200, kit.ContrastNormal)
	for _, sc := range tour {
		settings.Apply(r.app, small)
		openTour(r.ui, sc, d)
		for _, sw := range []struct {
			name     string
			from, to *kit.Look
		}{{"200 %", small, large}, {"100 % again", large, small}} {
			settings.Apply(r.app, sw.to)
			stale := staleLayout(r.win.Content(), textSizes(sw.from), textSizes(sw.to))
			if top := r.win.Canvas().Overlays().Top(); top != nil {
				stale = append(stale, staleLayout(top, textSizes(sw.from), textSizes(sw.to))...)
			}
			if len(stale) > 0 {
				t.Errorf("%s at %s keeps the layout of the size before:\n%s", sc.name, sw.name, strings.Join(stale, "\n"))
			}
		}
	}
}
