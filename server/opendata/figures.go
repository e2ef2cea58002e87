package opendata

import (
	"cmp"
	"math"
	"slices"
	"time"

	"rathaus/api"
)

// countRows turns the store's counts into the published rows.
func countRows(counts []Count) []api.OpenDataRow {
	rows := make([]api.OpenDataRow, 0, len(counts))
	for _, c := range counts {
		rows = append(rows, api.OpenDataRow{Month: c.Month, Category: c.Category, Status: c.Status, Count: c.N})
	}
	return rows
}

// decisionRows gives the median days from receipt to decision per month
// of the decision and service, to a tenth of a day. The median, not the
// mean: one case that waited a year for papers would move a mean of a
// small town's month far from what a citizen can expect.
func decisionRows(ds []Decision) []api.OpenDataRow {
	type key struct{ month, service string }
	days := map[key][]float64{}
	for _, d := range ds {
		k := key{d.Decided.UTC().Format("2006-01"), d.Service}
		days[k] = append(days[k], d.Decided.Sub(d.Received).Hours()/24)
	}
	keys := make([]key, 0, len(days))
	for k := range days {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.month != b.month {
			return cmp.Compare(a.month, b.month)
		}
		return cmp.Compare(a.service, b.service)
	})
	rows := make([]api.OpenDataRow, 0, len(keys))
	for _, k := range keys {
		m := median(days[k])
		rows = append(rows, api.OpenDataRow{Month: k.month, Category: k.service, Count: len(days[k]), MedianDays: &m})
	}
	return rows
}

// median of xs (not empty), rounded to a tenth.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	m := xs[n/2]
	if n%2 == 0 {
		m = (xs[n/2-1] + xs[n/2]) / 2
	}
	return math.Round(m*10) / 10
}

// span is the first day of the first month and the last day of the last
// month the rows cover (ok=false for no rows): the dataset's dct:temporal.
func span(rows []api.OpenDataRow) (start, end time.Time, ok bool) {
	for _, r := range rows {
		m, err := time.Parse("2006-01", r.Month)
		if err != nil {
			continue
		}
		if !ok || m.Before(start) {
			start = m
		}
		if last := m.AddDate(0, 1, -1); !ok || last.After(end) {
			end = last
		}
		ok = true
	}
	return start, end, ok
}

// pollRows turns the closed polls' results into the published rows: one
// per choice question and option, in the form's order, with the German
// texts beside the keys so that a table needs no second file.
func pollRows(ps []api.Poll, rs []api.PollResults) []api.OpenDataRow {
	rows := []api.OpenDataRow{}
	for i, p := range ps {
		texts := map[string]string{}
		for _, st := range p.Form.Steps {
			for _, f := range st.Fields {
				texts[f.Key] = f.Label.In("de")
				for _, o := range f.Options {
					texts[f.Key+"\x00"+o.Value] = o.Label.In("de")
				}
			}
		}
		closes := p.Closes.UTC()
		for _, c := range rs[i].Counts {
			rows = append(rows, api.OpenDataRow{
				Month: closes.Format("2006-01"), Category: p.ID, Title: p.Title.In("de"), Closed: closes.Format(time.RFC3339),
				Question: c.Field, QuestionText: texts[c.Field], Option: c.Option, OptionText: texts[c.Field+"\x00"+c.Option],
				Count: c.N, Answers: rs[i].Answers,
			})
		}
	}
	return rows
}

// pollsClosed is when the poll results last changed: when the latest of
// the published polls closed (answers end then); zero before any closed.
func pollsClosed(rows []api.OpenDataRow) time.Time {
	var last time.Time
	for _, r := range rows {
		if t, err := time.Parse(time.RFC3339, r.Closed); err == nil && t.After(last) {
			last = t
		}
	}
	return last
}
