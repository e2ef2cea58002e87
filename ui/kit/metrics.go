package kit

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
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
