package kit

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// ChartStyle is what a chart (gonum.org/v1/plot) is drawn with: its size
// in Fyne's units (device-independent pixels), the screen's scale (pixels
// per unit), the text size of the theme, so that a larger text size makes
// the chart's labels larger too, and the colours of the theme.
type ChartStyle struct {
	Width, Height float32
	Scale         float32
	TextSize      float32
	FG, BG        color.Color
}

// CurrentChartStyle is the style of the running app's theme and scale at
// the given size.
func CurrentChartStyle(width, height float32) ChartStyle {
	scale, v := float32(1), theme.VariantLight
	if a := fyne.CurrentApp(); a != nil {
		if a.Settings().Scale() > 0 {
			scale = a.Settings().Scale()
		}
		v = a.Settings().ThemeVariant()
	}
	th := theme.Current()
	return ChartStyle{Width: width, Height: height, Scale: scale, TextSize: theme.TextSize(),
		FG: th.Color(theme.ColorNameForeground, v), BG: th.Color(theme.ColorNameBackground, v)}
}

// Points converts Fyne units to gonum's: a Fyne unit is 1/96 inch at scale
// 1; gonum measures in points (1/72 inch).
func (s ChartStyle) Points(units float32) vg.Length { return vg.Length(units) * vg.Inch / 96 }

// NewPlot is an empty plot in the style: its colours, sans text at the
// theme's size, the y axis from 0 with the label given.
func (s ChartStyle) NewPlot(yLabel string) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = s.BG
	text := s.Points(s.TextSize)
	// Sans, as the app's text is; gonum's default is a serif.
	sans := func(ts *draw.TextStyle, size vg.Length) {
		ts.Color, ts.Font.Variant, ts.Font.Size = s.FG, "Sans", size
	}
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Color = s.FG
		ax.Tick.Color = s.FG
		sans(&ax.Label.TextStyle, text)
		sans(&ax.Tick.Label, text*0.9)
	}
	p.Y.Label.Text = yLabel
	p.Y.Min = 0
	sans(&p.Legend.TextStyle, text*0.9)
	p.Legend.Top = true
	return p
}

// Render draws p at the style's size, sharp at its scale.
func (s ChartStyle) Render(p *plot.Plot) image.Image {
	scale := s.Scale
	if scale <= 0 {
		scale = 1
	}
	c := vgimg.NewWith(vgimg.UseWH(s.Points(s.Width), s.Points(s.Height)), vgimg.UseDPI(int(96*scale)))
	p.Draw(draw.New(c))
	return c.Image()
}
