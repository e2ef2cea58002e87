package opendata

import (
	"strconv"
	"testing"
	"time"
)

func TestDecisionRows(t *testing.T) {
	at := time.Date(2026, 10, 31, 20, 0, 0, 0, time.UTC)
	days := func(service string, n float64) Decision {
		return Decision{Service: service, Received: at, Decided: at.Add(time.Duration(n * 24 * float64(time.Hour)))}
	}
	tests := []struct {
		name string
		in   []Decision
		want string // month category count median, per row
	}{
		{"none", nil, ""},
		{"odd: the middle one", []Decision{days("a", 1), days("a", 30), days("a", 2)}, "2026-11 a 3 2.0;"},
		{"even: the mean of the middle two", []Decision{days("a", 1), days("a", 2), days("a", 3.5), days("a", 20)}, "2026-11 a 4 2.8;"},
		{"the month of the decision, in UTC", []Decision{days("a", 0.1), days("a", 1)}, "2026-10 a 1 0.1;2026-11 a 1 1.0;"},
		{"per service, sorted", []Decision{days("b", 1), days("a", 1)}, "2026-11 a 1 1.0;2026-11 b 1 1.0;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			for _, r := range decisionRows(tt.in) {
				got += r.Month + " " + r.Category + " " + itoa(r.Count) + " " + ftoa(*r.MedianDays) + ";"
			}
			if got != tt.want {
				t.Errorf("decisionRows = %q, want %q", got, tt.want)
			}
		})
	}
}

func itoa(n int) string     { return strconv.Itoa(n) }
func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
