package opendata

import (
	"image"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// chartStyle is what a chart is drawn with: its size in Fyne's units
// (device-independent pixels), the screen's scale (pixels per unit), the
// text size of the theme, so that a larger text size makes the chart's
// labels larger too, and the colours of the theme.
type chartStyle struct {
	width, height float32
	scale         float32
	textSize      float32
	fg, bg        color.Color
}

// A Fyne unit is 1/96 inch at scale 1; gonum measures in points (1/72
// inch).
func (s chartStyle) points(units float32) vg.Length { return vg.Length(units) * vg.Inch / 96 }

func (s chartStyle) newPlot(yLabel string) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = s.bg
	text := s.points(s.textSize)
	// Sans, as the app's text is; gonum's default is a serif.
	sans := func(ts *draw.TextStyle, size vg.Length) {
		ts.Color, ts.Font.Variant, ts.Font.Size = s.fg, "Sans", size
	}
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Color = s.fg
		ax.Tick.Color = s.fg
		sans(&ax.Label.TextStyle, text)
		sans(&ax.Tick.Label, text*0.9)
	}
	p.Y.Label.Text = yLabel
	p.Y.Min = 0
	sans(&p.Legend.TextStyle, text*0.9)
	p.Legend.Top = true
	return p
}

// render draws p at the style's size, sharp at its scale.
func (s chartStyle) render(p *plot.Plot) image.Image {
	scale := s.scale
	if scale <= 0 {
		scale = 1
	}
	c := vgimg.NewWith(vgimg.UseWH(s.points(s.width), s.points(s.height)), vgimg.UseDPI(int(96*scale)))
	p.Draw(draw.New(c))
	return c.Image()
}

// barChart draws one bar per month.
func barChart(s chartStyle, yLabel string, months []string, values []int) (image.Image, error) {
	p := s.newPlot(yLabel)
	vs := make(plotter.Values, len(values))
	for i, v := range values {
		vs[i] = float64(v)
	}
	bars, err := plotter.NewBarChart(vs, s.points(s.width)/vg.Length(2*max(len(values), 3)))
	if err != nil {
		return nil, err
	}
	bars.Color = plotutil.Color(0)
	bars.LineStyle.Width = 0
	p.Add(bars)
	p.NominalX(months...)
	return s.render(p), nil
}

// series is one line of a line chart: a value per month, NaN-free; ok[i]
// false where the month has none.
type series struct {
	name   string
	values []float64
	ok     []bool
}

// lineChart draws one line per series over the months.
func lineChart(s chartStyle, yLabel string, months []string, lines []series) (image.Image, error) {
	p := s.newPlot(yLabel)
	for i, l := range lines {
		var xys plotter.XYs
		for m := range months {
			if l.ok[m] {
				xys = append(xys, plotter.XY{X: float64(m), Y: l.values[m]})
			}
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		line.Color, points.Color = plotutil.Color(i), plotutil.Color(i)
		line.Width = vg.Points(2)
		points.Shape = plotutil.Shape(i)
		points.Radius = s.points(s.textSize) / 4
		p.Add(line, points)
		p.Legend.Add(l.name, line, points)
	}
	p.NominalX(months...)
	p.X.Min, p.X.Max = -0.5, float64(len(months))-0.5
	// Room above the lines for the legend, a row per line: it is drawn
	// inside the plot and would hide them.
	top := 0.0
	for _, l := range lines {
		for m, v := range l.values {
			if l.ok[m] {
				top = max(top, v)
			}
		}
	}
	legend := float64(len(lines)) * 1.4 * float64(s.textSize) / float64(s.height)
	p.Y.Max = max(top, 1) / (1 - min(legend, 0.6))
	return s.render(p), nil
}
