package store_test

import (
	"context"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
)

// sentReport queues a report of a fallen tree and has the backend take it
// as id now; it returns when.
func sentReport(t *testing.T, f *fixture, id string) (sent time.Time) {
	t.Helper()
	ctx := context.Background()
	lat, long := 50.94, 6.96
	it, err := f.QueueReport(ctx, &citizen.ReportPayload{Request: api.ReportRequest{ServiceCode: "baum", Lat: &lat, Long: &long}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sent = f.clock.Now()
	if err := f.ReportSent(ctx, it, api.Report{ID: id, ServiceCode: "baum", Status: api.ReportOpen, Requested: sent, Updated: sent}); err != nil {
		t.Fatal(err)
	}
	return sent
}

// TestApplyChanges_ReportSteps: the town's steps on this device's report
// are its timeline and news once each; a step on a report sent from
// another device of the account makes it known here; a page applied twice
// tells nothing twice.
func TestApplyChanges_ReportSteps(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	sent := sentReport(t, f, "7")
	step := func(id, status, note string, at time.Time) api.Change {
		ev := api.CaseEvent{Status: status, At: at}
		if note != "" {
			ev.Note = api.Text{"de": note, "en": note}
		}
		return api.Change{Kind: api.ChangeReport, Report: &api.ReportUpdate{
			Report: api.Report{ID: id, ServiceCode: "baum", Status: api.ReportStatusOf(status), StatusNotes: note, Requested: sent, Updated: at}, Event: ev}}
	}
	page := []api.Change{
		step("7", api.StatusInspection, "Ortstermin Montag", sent.Add(time.Hour)),
		step("12", api.StatusClosed, "Erledigt", sent.Add(2*time.Hour)),
	}
	applied, err := f.ApplyChanges(ctx, page, "2")
	if err != nil || !applied.Reports || len(applied.News) != 2 {
		t.Fatalf("ApplyChanges = %+v, %v; want two reports' news", applied, err)
	}
	for i, want := range []struct{ id, status string }{{"7", api.StatusInspection}, {"12", api.StatusClosed}} {
		if n := applied.News[i]; n.Kind != citizen.NewsReport || n.ID != want.id || n.Event.Status != want.status {
			t.Errorf("news %d = %+v, want report %s %s", i, n, want.id, want.status)
		}
	}
	if again, err := f.ApplyChanges(ctx, page, "2"); err != nil || again.Reports || len(again.News) != 0 {
		t.Errorf("the same page again = %+v, %v; want nothing", again, err)
	}

	mine, err := f.MyReports(ctx)
	if err != nil || len(mine) != 2 {
		t.Fatalf("my reports = %+v, %v", mine, err)
	}
	byID := map[string]citizen.MyReport{}
	for _, m := range mine {
		byID[m.ReportID] = m
	}
	for _, tc := range []struct {
		id, status, note string
		steps            int
	}{
		{"7", api.StatusInspection, "Ortstermin Montag", 2},
		{"12", api.StatusClosed, "Erledigt", 2},
	} {
		t.Run(tc.id, func(t *testing.T) {
			m := byID[tc.id]
			tl := m.Timeline()
			if !m.New || m.Status != tc.status || len(tl) != tc.steps || tl[0].Status != api.StatusReceived || tl[len(tl)-1].Note.In("de") != tc.note {
				t.Errorf("report = %+v, timeline %+v; want new, %s with %q", m, tl, tc.status, tc.note)
			}
		})
	}

	if err := f.MarkSeen(ctx, citizen.NewsReport, "7"); err != nil {
		t.Fatal(err)
	}
	mine, _ = f.MyReports(ctx)
	for _, m := range mine {
		if m.New != (m.ReportID == "12") {
			t.Errorf("report %s new = %v after opening 7", m.ReportID, m.New)
		}
	}
}

// TestSetReportHistory: the backend's timeline replaces the steps the feed
// brought when it holds more, without marking the report new; the same or
// a shorter one changes nothing; a report not on the device is an error.
func TestSetReportHistory(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	sent := sentReport(t, f, "9")
	history := []api.CaseEvent{
		{Status: api.StatusReceived, At: sent},
		{Status: api.StatusInReview, At: sent.Add(time.Hour)},
		{Status: api.StatusInspection, At: sent.Add(2 * time.Hour), Note: api.Text{"de": "Ortstermin", "en": "Ortstermin"}},
	}
	for _, tc := range []struct {
		name        string
		events      []api.CaseEvent
		wantChanged bool
		wantSteps   int
	}{
		{"the backend's, longer", history, true, 2},
		{"the same again", history, false, 2},
		{"a shorter one", history[:2], false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changed, err := f.SetReportHistory(ctx, "9", tc.events)
			if err != nil || changed != tc.wantChanged {
				t.Fatalf("SetReportHistory = %v, %v; want changed %v", changed, err, tc.wantChanged)
			}
			mine, err := f.MyReports(ctx)
			if err != nil || len(mine) != 1 {
				t.Fatalf("my reports = %+v, %v", mine, err)
			}
			m := mine[0]
			if len(m.History) != tc.wantSteps || m.Status != api.StatusInspection || m.New {
				t.Errorf("report = %+v; want %d steps, inspection, not new", m, tc.wantSteps)
			}
			if tl := m.Timeline(); len(tl) != 3 || tl[2].Note.In("de") != "Ortstermin" {
				t.Errorf("timeline = %+v; want receipt, review, inspection with the message", tl)
			}
		})
	}
	if _, err := f.SetReportHistory(ctx, "404", history); citizen.ErrorCode(err) != citizen.ENOTFOUND {
		t.Errorf("SetReportHistory(unknown) = %v; want ENOTFOUND", err)
	}
}
