package citizen_test

import (
	"slices"
	"testing"

	"rathaus/api"
	"rathaus/app/citizen"
)

func TestNearby(t *testing.T) {
	at := func(id, code, status string, lat, long float64) api.Report {
		return api.Report{ID: id, ServiceCode: code, Status: status, Lat: &lat, Long: &long}
	}
	// 0.0001 degrees of latitude are about 11 m.
	feed := []api.Report{
		at("far", "baum", api.ReportOpen, 50.9410, 6.9600),         // 111 m
		at("near40", "baum", api.ReportOpen, 50.94036, 6.9600),     // 40 m
		at("near10", "baum", api.ReportOpen, 50.94009, 6.9600),     // 10 m
		at("closed", "baum", api.ReportClosed, 50.9400, 6.9600),    // same place, closed
		at("other", "schlagloch", api.ReportOpen, 50.9400, 6.9600), // another category
		{ID: "noplace", ServiceCode: "baum", Status: api.ReportOpen, Address: "Domstraße 1"},
	}
	tests := []struct {
		name      string
		code      string
		lat, long float64
		want      []string
	}{
		{"nearest first, within 50 m", "baum", 50.9400, 6.9600, []string{"near10", "near40"}},
		{"another category", "schlagloch", 50.9400, 6.9600, []string{"other"}},
		{"nothing near", "baum", 50.9500, 6.9600, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range citizen.Nearby(feed, tt.code, tt.lat, tt.long) {
				got = append(got, r.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Nearby = %v, want %v", got, tt.want)
			}
		})
	}
}
