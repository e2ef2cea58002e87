package polls

import (
	"image"
	"math"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/ui/kit"
)

// minChartWidth fits the narrowest phone (360 units) with the screen's
// and the card's padding.
const minChartWidth = 300

// onResults shows a closed poll's results: from the device if they were
// fetched before (they do not change after closing), else fetched first.
func (s *Screen) onResults(p citizen.MyPoll) {
	if w := s.root.Size().Width - 6*theme.Padding(); w > minChartWidth {
		s.width = w
	}
	if p.Results != nil {
		s.showResults(p.Poll, *p.Results)
		return
	}
	s.setStatus(lang.L("Fetching the results…"))
	go func() {
		ctx, cancel := ctxShort()
		defer cancel()
		err := s.d.Sync.RefreshPollResults(ctx, p.Poll.ID)
		fyne.Do(func() {
			s.load()
			var got *api.PollResults
			for _, q := range s.list.Polls {
				if q.Poll.ID == p.Poll.ID {
					got = q.Results
				}
			}
			switch {
			case err != nil || got == nil:
				reason := lang.L("they are not on the device yet")
				if err != nil {
					reason = kit.ErrorText(err)
				}
				s.setStatus(lang.L("The results could not be fetched: {{.Reason}}", map[string]any{"Reason": reason}))
			default:
				s.setStatus("")
				s.showResults(p.Poll, *got)
			}
			if s.updated != nil {
				s.updated()
			}
		})
	}()
}

func (s *Screen) showResults(p api.Poll, r api.PollResults) {
	card := resultsCard(p, r, s.chartWidth())
	s.body.Objects = []fyne.CanvasObject{s.back(), card}
	s.body.Refresh()
	s.results = &shownResults{poll: p, results: r, card: card}
}

// shownResults are the results on the screen, to draw again.
type shownResults struct {
	poll    api.Poll
	results api.PollResults
	card    fyne.CanvasObject
}

// onLook draws the results' charts again, which were drawn at the text
// size and in the colours of the theme, when these changed (the
// settings) while the results are shown.
func (s *Screen) onLook() {
	if r := s.results; r != nil && len(s.body.Objects) == 2 && s.body.Objects[1] == r.card {
		s.showResults(r.poll, r.results)
	}
}

func (s *Screen) chartWidth() float32 { return max(s.width, minChartWidth) }

// resultsCard is, per choice question, a bar chart of how many answers
// chose each option and a table of the same numbers below it: a screen
// reader reads the table, whose labels say what the chart shows. Free
// text is never published, so it has none.
func resultsCard(p api.Poll, r api.PollResults, width float32) fyne.CanvasObject {
	lng := kit.Lang()
	head := lang.L("Answers: {{.N}}", map[string]any{"N": r.Answers})
	if !r.Closes.IsZero() {
		head = lang.L("Answers: {{.N}}. The poll closed on {{.Closes}}.", map[string]any{"N": r.Answers, "Closes": kit.DateTime(r.Closes.In(time.Local))})
	}
	objs := []fyne.CanvasObject{kit.Wrapped(head)}
	for _, st := range p.Form.Steps {
		for _, f := range st.Fields {
			if f.Widget != api.WidgetChoice && f.Widget != api.WidgetMulti {
				continue
			}
			var labels []string
			var counts []int
			for _, o := range f.Options {
				n := 0
				for _, c := range r.Counts {
					if c.Field == f.Key && c.Option == o.Value {
						n = c.N
					}
				}
				labels, counts = append(labels, o.Label.In(lng)), append(counts, n)
			}
			objs = append(objs, questionCard(f.Label.In(lng), labels, counts, r.Answers, width))
		}
	}
	title := kit.Heading(p.Title.In(lng))
	title.SizeName = theme.SizeNameSubHeadingText
	return container.NewVBox(append([]fyne.CanvasObject{title, kit.Wrapped(lang.L("Results"))}, objs...)...)
}

// questionCard is one question's chart and its table.
func questionCard(question string, labels []string, counts []int, answers int, width float32) fyne.CanvasObject {
	height := chartHeight(len(labels))
	var chart fyne.CanvasObject
	img, err := barChart(kit.CurrentChartStyle(width, height), lang.L("Votes"), labels, counts)
	if err != nil {
		chart = kit.Banner(lang.L("The chart cannot be drawn; the table below has the numbers."))
	} else {
		c := canvas.NewImageFromImage(img)
		c.FillMode = canvas.ImageFillContain
		c.SetMinSize(fyne.NewSize(width, height))
		chart = c
	}
	grid := container.NewGridWithColumns(3)
	for _, h := range []string{lang.L("Option"), lang.L("Votes"), lang.L("Share")} {
		l := kit.Wrapped(h)
		l.TextStyle.Bold = true
		grid.Add(l)
	}
	for i, l := range labels {
		share := "–"
		if answers > 0 {
			share = kit.Number(100*float64(counts[i])/float64(answers), 0) + " %"
		}
		grid.Add(kit.Wrapped(l))
		grid.Add(widget.NewLabel(strconv.Itoa(counts[i])))
		grid.Add(widget.NewLabel(share))
	}
	// The table is always shown, under a heading that wraps (an
	// accordion's header does not, and at 200 % it is wider than a phone).
	return widget.NewCard("", "", container.NewVBox(kit.Heading(question), chart, kit.Wrapped(lang.L("Table of the numbers")), grid))
}

// chartHeight gives each option a bar a line and a half of text high, and
// room for the axis below, so that the chart grows with the text size.
func chartHeight(options int) float32 {
	return float32(options)*2.6*theme.TextSize() + 4*theme.TextSize()
}

// barChart draws a horizontal bar per option, the first on top: long
// option texts read along the bars' axis, cut short (the table has them
// whole).
func barChart(s kit.ChartStyle, xLabel string, labels []string, counts []int) (image.Image, error) {
	p := s.NewPlot("")
	n := len(counts)
	vs := make(plotter.Values, n)
	names := make([]string, n)
	for i := range counts {
		// The plot's y axis goes up: the first option goes last.
		vs[n-1-i] = float64(counts[i])
		names[n-1-i] = short(labels[i], 22)
	}
	bars, err := plotter.NewBarChart(vs, s.Points(1.6*s.TextSize))
	if err != nil {
		return nil, err
	}
	bars.Horizontal = true
	bars.Color = plotutil.Color(0)
	bars.LineStyle.Width = 0
	p.Add(bars)
	p.NominalY(names...)
	p.Y.Min = -0.5
	p.Y.Max = float64(n) - 0.5
	// A tenth more than the longest bar, so that it does not touch the edge.
	p.X.Min, p.X.Max = 0, 1
	for _, c := range counts {
		p.X.Max = max(p.X.Max, math.Ceil(1.1*float64(c)))
	}
	p.X.Label.Text = xLabel
	p.X.Tick.Marker = wholeTicks{}
	return s.Render(p), nil
}

// wholeTicks marks whole numbers only (votes come whole), at most six.
type wholeTicks struct{}

func (wholeTicks) Ticks(lo, hi float64) []plot.Tick {
	step := math.Max(1, math.Ceil((hi-lo)/5))
	var ticks []plot.Tick
	for v := math.Ceil(lo); v <= hi; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.Itoa(int(v))})
	}
	return ticks
}

// short cuts a text to at most n runes, with an ellipsis.
func short(text string, n int) string {
	r := []rune(text)
	if len(r) <= n {
		return text
	}
	return string(r[:n-1]) + "…"
}
