// Package opendata is the open-data screen: the town's figures (issue 9)
// as charts drawn with gonum.org/v1/plot, each with a table of the same
// numbers for those who cannot see the chart, from the copy the store
// keeps, so that they show offline with the date of the data.
package opendata

import (
	"context"
	"image"
	"slices"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/ui/kit"
)

// Store keeps the figures for viewing offline.
type Store interface {
	OpenFigures(ctx context.Context) (citizen.OpenFigures, error)
}

// Syncer fetches the figures anew and stores them.
type Syncer interface {
	RefreshOpenData(ctx context.Context) error
}

// Catalog names the town's services.
type Catalog interface {
	Service(id string) (api.Service, bool)
}

// Deps are what the screen is built on.
type Deps struct {
	Store   Store
	Sync    Syncer
	Catalog Catalog
}

// Screen shows the figures.
type Screen struct {
	d      Deps
	root   fyne.CanvasObject
	status *widget.Label
	body   *fyne.Container
	// Charts are drawn for this width (Fyne units): the screen's, once it
	// has been laid out; Refresh draws them anew.
	width  float32
	charts []*canvas.Image
	// updated, when set, is called once an update has been shown (tests
	// wait for it).
	updated func()
}

// New builds the screen; it shows the cached figures until Shown fetches
// new ones.
func New(d Deps) *Screen {
	s := &Screen{d: d, status: kit.Wrapped(""), body: container.NewVBox(), width: minChartWidth}
	refresh := kit.NewWrapButton(lang.L("Update the figures"), theme.ViewRefreshIcon(), s.onUpdate)
	// The charts are images drawn at the text size and in the colours of
	// the theme: a change in the settings draws them again.
	s.root = kit.WatchLook(kit.NewVScroll(container.NewPadded(container.NewVBox(s.status, refresh, s.body))), s.Refresh)
	s.Refresh()
	return s
}

// minChartWidth fits the narrowest phone (360 units) with the screen's
// and the card's padding.
const minChartWidth = 300

// Title is the screen's name.
func (s *Screen) Title() string { return lang.L("Open data") }

// Content is the screen's root.
func (s *Screen) Content() fyne.CanvasObject { return s.root }

func ctxShort() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 10*time.Second)
}

// Shown shows the cached figures and fetches new ones in the background
// (offline, the cached ones stay).
func (s *Screen) Shown() {
	s.Refresh()
	s.onUpdate()
}

func (s *Screen) onUpdate() {
	go func() {
		ctx, cancel := ctxShort()
		defer cancel()
		err := s.d.Sync.RefreshOpenData(ctx)
		fyne.Do(func() {
			s.Refresh()
			if err != nil {
				s.status.SetText(s.status.Text + "\n" + lang.L("The figures could not be updated: {{.Reason}}", map[string]any{"Reason": kit.ErrorText(err)}))
			}
			if s.updated != nil {
				s.updated()
			}
		})
	}()
}

// Refresh shows the figures the store has.
func (s *Screen) Refresh() {
	ctx, cancel := ctxShort()
	defer cancel()
	f, err := s.d.Store.OpenFigures(ctx)
	if w := s.root.Size().Width - 6*theme.Padding(); w > minChartWidth {
		s.width = w
	}
	s.body.Objects, s.charts = nil, nil
	switch {
	case err != nil:
		s.status.SetText(kit.ErrorText(err))
	case f.Fetched.IsZero():
		s.status.SetText(lang.L("No figures yet: they are fetched when there is a connection."))
	default:
		s.status.SetText(lang.L("Data as of {{.Date}}, fetched {{.Fetched}}.", map[string]any{
			"Date": dataDate(f), "Fetched": kit.DateTime(f.Fetched.In(time.Local))}))
		s.addCounts(lang.L("Applications per month"), lang.L("Applications"), f.Cases)
		s.addCounts(lang.L("Issue reports per month"), lang.L("Reports"), f.Reports)
		s.addDecisionDays(f.DecisionDays)
	}
	s.body.Refresh()
}

// dataDate is when the newest of the figures last changed.
func dataDate(f citizen.OpenFigures) string {
	var last time.Time
	for _, d := range []api.OpenData{f.Cases, f.Reports, f.DecisionDays} {
		if t, err := time.Parse(time.RFC3339, d.Modified); err == nil && t.After(last) {
			last = t
		}
	}
	if last.IsZero() {
		return lang.L("no data yet")
	}
	return kit.DateTime(last.In(time.Local))
}

func (s *Screen) style() chartStyle { return kit.CurrentChartStyle(s.width, s.width*0.62) }

// addCounts adds a bar chart of the months' totals and its table.
func (s *Screen) addCounts(title, unit string, d api.OpenData) {
	months, totals := citizen.MonthTotals(d)
	if len(months) == 0 {
		s.body.Add(kit.NewCard(title, "", kit.Wrapped(lang.L("None yet."))))
		return
	}
	img, err := barChart(s.style(), unit, months, totals)
	cells := []string{lang.L("Month"), unit}
	for i, m := range months {
		cells = append(cells, m, strconv.Itoa(totals[i]))
	}
	s.body.Add(s.card(title, img, err, 2, cells))
}

// addDecisionDays adds a line per service of the median days and the
// table of every row.
func (s *Screen) addDecisionDays(d api.OpenData) {
	title := lang.L("Days to a decision (median)")
	if len(d.Rows) == 0 {
		s.body.Add(kit.NewCard(title, "", kit.Wrapped(lang.L("None yet."))))
		return
	}
	var months, services []string
	for _, r := range d.Rows {
		if !slices.Contains(months, r.Month) {
			months = append(months, r.Month)
		}
		if !slices.Contains(services, r.Category) {
			services = append(services, r.Category)
		}
	}
	slices.Sort(months)
	slices.Sort(services)
	lines := make([]series, len(services))
	for i, svc := range services {
		lines[i] = series{name: s.serviceTitle(svc), values: make([]float64, len(months)), ok: make([]bool, len(months))}
	}
	cells := []string{lang.L("Month"), lang.L("Service"), lang.L("Decisions"), lang.L("Median days")}
	for _, r := range d.Rows {
		if r.MedianDays == nil {
			continue
		}
		i, m := slices.Index(services, r.Category), slices.Index(months, r.Month)
		lines[i].values[m], lines[i].ok[m] = *r.MedianDays, true
		cells = append(cells, r.Month, s.serviceTitle(r.Category), strconv.Itoa(r.Count), kit.Number(*r.MedianDays, 1))
	}
	img, err := lineChart(s.style(), lang.L("Days"), months, lines)
	s.body.Add(s.card(title, img, err, 4, cells))
}

func (s *Screen) serviceTitle(id string) string {
	if s.d.Catalog != nil {
		if svc, ok := s.d.Catalog.Service(id); ok {
			return svc.Title.In(kit.Lang())
		}
	}
	return id
}

// card is a chart with its numbers as a table below, folded away: a screen
// reader reads the table's labels, which say what the chart shows.
func (s *Screen) card(title string, img image.Image, err error, columns int, cells []string) fyne.CanvasObject {
	var chart fyne.CanvasObject
	if err != nil {
		chart = kit.Banner(lang.L("The chart cannot be drawn; the table below has the numbers."))
	} else {
		c := canvas.NewImageFromImage(img)
		c.FillMode = canvas.ImageFillContain
		c.SetMinSize(fyne.NewSize(s.width, s.width*0.62))
		s.charts = append(s.charts, c)
		chart = c
	}
	grid := container.NewGridWithColumns(columns)
	for i, text := range cells {
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		if i < columns {
			l.TextStyle.Bold = true
		}
		grid.Add(l)
	}
	table := kit.NewFold(lang.L("Table of the numbers"), grid)
	return kit.NewCard(title, "", container.NewVBox(chart, table))
}
