package opendata

import (
	"image"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"rathaus/ui/kit"
)

// chartStyle is the shared style of charts (ui/kit).
type chartStyle = kit.ChartStyle

// barChart draws one bar per month.
func barChart(s chartStyle, yLabel string, months []string, values []int) (image.Image, error) {
	p := s.NewPlot(yLabel)
	vs := make(plotter.Values, len(values))
	for i, v := range values {
		vs[i] = float64(v)
	}
	bars, err := plotter.NewBarChart(vs, s.Points(s.Width)/vg.Length(2*max(len(values), 3)))
	if err != nil {
		return nil, err
	}
	bars.Color = plotutil.Color(0)
	bars.LineStyle.Width = 0
	p.Add(bars)
	p.NominalX(months...)
	return s.Render(p), nil
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
	p := s.NewPlot(yLabel)
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
		points.Radius = s.Points(s.TextSize) / 4
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
	legend := float64(len(lines)) * 1.4 * float64(s.TextSize) / float64(s.Height)
	p.Y.Max = max(top, 1) / (1 - min(legend, 0.6))
	return s.Render(p), nil
}
