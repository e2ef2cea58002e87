package kit

import (
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Calendar shows a month to pick a day from. Unlike fyne's calendar, whose
// header is Go's English month name ("December 2026" over German
// weekdays), every text on it is in the chosen language; weeks start on
// Monday, as in Germany.
type Calendar struct {
	widget.BaseWidget
	month  time.Time // the first of the month shown
	chosen time.Time
	onPick func(time.Time)
	header *widget.Label
	days   *fyne.Container
	box    *fyne.Container
}

// NewCalendar shows start's month with start marked; onPick gets the day
// tapped.
func NewCalendar(start time.Time, onPick func(time.Time)) *Calendar {
	c := &Calendar{chosen: start, onPick: onPick}
	c.month = time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, start.Location())
	c.header = widget.NewLabel("")
	c.header.Alignment = fyne.TextAlignCenter
	c.header.TextStyle.Bold = true
	prev := NewButton("", theme.NavigateBackIcon(), func() { c.show(c.month.AddDate(0, -1, 0)) })
	next := NewButton("", theme.NavigateNextIcon(), func() { c.show(c.month.AddDate(0, 1, 0)) })
	c.days = container.NewGridWithColumns(7)
	c.box = container.NewBorder(container.NewBorder(nil, nil, prev, next, c.header), nil, nil, nil, c.days)
	c.show(c.month)
	c.ExtendBaseWidget(c)
	return c
}

// MonthTitle is the header of t's month: "Dezember 2026", "Aralık 2026".
func MonthTitle(t time.Time) string {
	return lang.L("{{.Month}} {{.Year}}", map[string]any{"Month": lang.L(t.Month().String()), "Year": strconv.Itoa(t.Year())})
}

// Header is the text above the days.
func (c *Calendar) Header() string { return c.header.Text }

// weekdays from Monday.
var weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

func (c *Calendar) show(month time.Time) {
	c.month = month
	c.header.SetText(MonthTitle(month))
	var cells []fyne.CanvasObject
	for _, d := range weekdays {
		key := strings.ToLower(d.String())
		l := widget.NewLabel(lang.X(key+".short", d.String()[:3]))
		l.Alignment = fyne.TextAlignCenter
		cells = append(cells, l)
	}
	lead := (int(month.Weekday()) + 6) % 7 // days before the 1st in a week from Monday
	for range lead {
		cells = append(cells, widget.NewLabel(""))
	}
	for day := month; day.Month() == month.Month(); day = day.AddDate(0, 0, 1) {
		b := NewButton(strconv.Itoa(day.Day()), nil, func() {
			if c.onPick != nil {
				c.onPick(day)
			}
		})
		if day.Year() == c.chosen.Year() && day.YearDay() == c.chosen.YearDay() {
			b.Importance = widget.HighImportance
		}
		cells = append(cells, b)
	}
	c.days.Objects = cells
	c.days.Refresh()
}

func (c *Calendar) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(c.box) }
