package citizen_test

import (
	"reflect"
	"testing"

	"rathaus/api"
	"rathaus/app/citizen"
)

func TestMonthTotals(t *testing.T) {
	row := func(month, category, status string, n int) api.OpenDataRow {
		return api.OpenDataRow{Month: month, Category: category, Status: status, Count: n}
	}
	tests := []struct {
		name       string
		rows       []api.OpenDataRow
		wantMonths []string
		wantTotals []int
	}{
		{"none", nil, nil, nil},
		{"every service and status of a month summed", []api.OpenDataRow{
			row("2026-11", "a", "decided", 2), row("2026-11", "a", "received", 1), row("2026-11", "b", "received", 4),
			row("2026-12", "a", "received", 3),
		}, []string{"2026-11", "2026-12"}, []int{7, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			months, totals := citizen.MonthTotals(api.OpenData{Rows: tt.rows})
			if !reflect.DeepEqual(months, tt.wantMonths) || !reflect.DeepEqual(totals, tt.wantTotals) {
				t.Errorf("MonthTotals = %v, %v; want %v, %v", months, totals, tt.wantMonths, tt.wantTotals)
			}
		})
	}
}
