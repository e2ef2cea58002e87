package kit

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Metrics are the theme's sizes a layout measured by hand depends on (a
// list's row heights, a chart's height). A screen keeps those it measured
// at and measures again when the theme's differ: fyne lays every widget
// out anew when the citizen changes the text size in the settings, but a
// height measured once and given to fyne (List.SetItemHeight, SetMinSize)
// stays as it was.
type Metrics struct {
	text, heading, subHeading, caption, inlineIcon float32
	padding, innerPadding, lineSpacing             float32
}

// MetricsOf is th's metrics.
func MetricsOf(th fyne.Theme) Metrics {
	return Metrics{
		text:         th.Size(theme.SizeNameText),
		heading:      th.Size(theme.SizeNameHeadingText),
		subHeading:   th.Size(theme.SizeNameSubHeadingText),
		caption:      th.Size(theme.SizeNameCaptionText),
		inlineIcon:   th.Size(theme.SizeNameInlineIcon),
		padding:      th.Size(theme.SizeNamePadding),
		innerPadding: th.Size(theme.SizeNameInnerPadding),
		lineSpacing:  th.Size(theme.SizeNameLineSpacing),
	}
}

// Appearance is what a screen drew itself depends on (a chart's image, a
// colour given to a rectangle): the theme's metrics and its colours in the
// variant shown (light or dark, normal or high contrast).
type Appearance struct {
	Metrics
	colors [len(appearanceColors)]color.NRGBA
}

// appearanceColors are the colours an Appearance compares: those the
// screens draw with themselves.
var appearanceColors = [...]fyne.ThemeColorName{
	theme.ColorNameForeground, theme.ColorNameBackground, theme.ColorNamePrimary,
	theme.ColorNameInputBackground, theme.ColorNameInputBorder, theme.ColorNameSelection,
	theme.ColorNameFocus, theme.ColorNameDisabled, theme.ColorNameSeparator,
}

// AppearanceOf is th's appearance in the variant the app shows.
func AppearanceOf(th fyne.Theme) Appearance {
	a := Appearance{Metrics: MetricsOf(th)}
	v := theme.VariantLight
	if app := fyne.CurrentApp(); app != nil {
		v = app.Settings().ThemeVariant()
	}
	for i, n := range appearanceColors {
		a.colors[i] = color.NRGBAModel.Convert(th.Color(n, v)).(color.NRGBA)
	}
	return a
}

// WatchLook is content in a widget that calls changed, on fyne's
// goroutine, when the theme's appearance differs from the one it saw last:
// fyne refreshes every widget of a window when the theme changes (the text
// size or the contrast in the settings) and a screen that comes back into
// a window, and what a screen drew itself at a text size or in colours (a
// chart's image, a colour given to a rectangle) is drawn again then.
func WatchLook(content fyne.CanvasObject, changed func()) fyne.CanvasObject {
	w := &lookWatch{content: content, changed: changed}
	w.ExtendBaseWidget(w)
	w.seen = AppearanceOf(w.Theme())
	return w
}

type lookWatch struct {
	widget.BaseWidget
	content fyne.CanvasObject
	changed func()
	seen    Appearance
}

func (w *lookWatch) Refresh() {
	if a := AppearanceOf(w.Theme()); a != w.seen {
		w.seen = a
		w.changed()
	}
	w.BaseWidget.Refresh()
}

func (w *lookWatch) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(w.content) }
