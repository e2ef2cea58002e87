package engine_test

import (
	"context"
	"testing"

	"rathaus/api"
	"rathaus/app/citizen"
)

// TestOpenData: the figures the app caches match the cases and reports
// this device sent, and stay readable when the backend cannot be reached.
func TestOpenData(t *testing.T) {
	ctx := context.Background()
	dev := newRig(t)
	dev.submitExample(t, "meldebescheinigung", nil)
	dev.submitExample(t, "meldebescheinigung", nil)
	lat, long := 50.94, 6.96
	if _, err := dev.store.QueueReport(ctx, &citizen.ReportPayload{Request: api.ReportRequest{ServiceCode: "baum", Lat: &lat, Long: &long}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	cases, err := dev.store.Cases(ctx)
	if err != nil || len(cases) != 2 {
		t.Fatalf("cases = %d, %v; want 2", len(cases), err)
	}
	dev.backend.SetCaseStatus(cases[0].ID, api.StatusDecided, api.Text{"de": "Erteilt", "en": "Issued"})

	if err := dev.engine.RefreshOpenData(ctx); err != nil {
		t.Fatal(err)
	}
	f, err := dev.store.OpenFigures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Fetched.Equal(dev.clock.Now()) {
		t.Errorf("fetched = %v, want %v", f.Fetched, dev.clock.Now())
	}
	byStatus := map[string]int{}
	for _, r := range f.Cases.Rows {
		if r.Category == "meldebescheinigung" {
			byStatus[r.Status] += r.Count
		}
	}
	if byStatus[api.StatusDecided] != 1 || byStatus[api.StatusReceived] != 1 || len(byStatus) != 2 {
		t.Errorf("cases = %+v, want one decided and one received", f.Cases.Rows)
	}
	if len(f.Reports.Rows) != 1 || f.Reports.Rows[0].Category != "baum" || f.Reports.Rows[0].Count != 1 || f.Reports.Rows[0].Status != api.ReportOpen {
		t.Errorf("reports = %+v, want the one open baum report", f.Reports.Rows)
	}
	if len(f.DecisionDays.Rows) != 1 || f.DecisionDays.Rows[0].Count != 1 || f.DecisionDays.Rows[0].MedianDays == nil {
		t.Errorf("decision days = %+v, want one decision", f.DecisionDays.Rows)
	}
	if f.Cases.Modified == "" {
		t.Error("the cases carry no date of the data")
	}

	dev.backend.Stop()
	if err := dev.engine.RefreshOpenData(ctx); err == nil {
		t.Fatal("RefreshOpenData with the backend down = nil, want the network's error")
	}
	offline, err := dev.store.OpenFigures(ctx)
	if err != nil || !offline.Fetched.Equal(f.Fetched) || len(offline.Cases.Rows) != len(f.Cases.Rows) {
		t.Errorf("offline = %+v, %v; want the cached figures", offline, err)
	}
}
