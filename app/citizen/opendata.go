package citizen

import (
	"time"

	"rathaus/api"
)

// OpenFigures are the town's open data as the app keeps them for viewing
// offline: the three datasets of /v1/opendata/ and when they were fetched.
// Each dataset's Modified says how current its figures are.
type OpenFigures struct {
	Cases        api.OpenData `json:"cases"`
	Reports      api.OpenData `json:"reports"`
	DecisionDays api.OpenData `json:"decision_days"`
	Fetched      time.Time    `json:"fetched"`
}

// MonthTotals sums a count dataset's rows per month, in the order the
// rows give the months (the backend's: by month): what a bar chart of the
// months shows.
func MonthTotals(d api.OpenData) (months []string, totals []int) {
	at := map[string]int{}
	for _, r := range d.Rows {
		i, ok := at[r.Month]
		if !ok {
			i = len(months)
			at[r.Month] = i
			months = append(months, r.Month)
			totals = append(totals, 0)
		}
		totals[i] += r.Count
	}
	return months, totals
}
