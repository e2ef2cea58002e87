package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/opendata"
)

func testOpenData(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()

	t.Run("an empty store has no figures", func(t *testing.T) {
		s := open(t)
		if got, err := s.CaseCounts(ctx); err != nil || len(got) != 0 {
			t.Errorf("CaseCounts = %v, %v; want none", got, err)
		}
		if got, err := s.ReportCounts(ctx); err != nil || len(got) != 0 {
			t.Errorf("ReportCounts = %v, %v; want none", got, err)
		}
		if got, err := s.Decisions(ctx); err != nil || len(got) != 0 {
			t.Errorf("Decisions = %v, %v; want none", got, err)
		}
		if got, err := s.LastChange(ctx); err != nil || !got.IsZero() {
			t.Errorf("LastChange = %v, %v; want the zero time", got, err)
		}
	})

	t.Run("figures count what the store holds", func(t *testing.T) {
		s := open(t)
		nov := time.Date(2026, 11, 30, 23, 59, 59, 500_000_000, time.UTC) // a fraction: stamps of another width
		dec := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		mk := func(i int, service string, at time.Time) string {
			c := newCase(caseID(i))
			c.Service, c.Created = service, at
			return mustCreate(t, s, caseID(i), c).ID
		}
		move := func(id, status string, at time.Time) {
			t.Helper()
			if _, err := s.SetCaseStatus(ctx, id, api.CaseEvent{Status: status, At: at}, func(string) error { return nil }); err != nil {
				t.Fatalf("SetCaseStatus(%s, %s): %v", id, status, err)
			}
		}
		a := mk(1, "hundesteuer", nov)
		b := mk(2, "hundesteuer", nov)
		c := mk(3, "hundesteuer", dec)
		mk(4, "anwohnerparken", dec)
		move(a, api.StatusDecided, nov.Add(36*time.Hour))  // 1.5 days, decided in December
		move(a, api.StatusClosed, nov.Add(48*time.Hour))   // not a decision
		move(a, api.StatusDecided, nov.Add(240*time.Hour)) // a second decision: the first counts
		move(b, api.StatusDecided, nov.Add(72*time.Hour))  // 3 days
		move(c, api.StatusInReview, dec.Add(time.Hour))
		r1 := mustReport(t, s, "", newReport("strassenbeleuchtung", "tok-1", nov))
		mustReport(t, s, "", newReport("strassenbeleuchtung", "tok-2", dec))
		mustReport(t, s, "", newReport("muell", "tok-3", dec))
		last := dec.Add(300 * time.Hour)
		if _, ok, err := s.SetReportStatus(ctx, r1.ID, api.ReportClosed, "erledigt", last); !ok || err != nil {
			t.Fatalf("SetReportStatus = %v, %v", ok, err)
		}

		cases, err := s.CaseCounts(ctx)
		if err != nil {
			t.Fatalf("CaseCounts: %v", err)
		}
		wantCases := []opendata.Count{
			{Month: "2026-11", Category: "hundesteuer", Status: api.StatusDecided, N: 2},
			{Month: "2026-12", Category: "anwohnerparken", Status: api.StatusReceived, N: 1},
			{Month: "2026-12", Category: "hundesteuer", Status: api.StatusInReview, N: 1},
		}
		if !reflect.DeepEqual(cases, wantCases) {
			t.Errorf("CaseCounts = %+v, want %+v", cases, wantCases)
		}
		reports, err := s.ReportCounts(ctx)
		if err != nil {
			t.Fatalf("ReportCounts: %v", err)
		}
		wantReports := []opendata.Count{
			{Month: "2026-11", Category: "strassenbeleuchtung", Status: api.ReportClosed, N: 1},
			{Month: "2026-12", Category: "muell", Status: api.ReportOpen, N: 1},
			{Month: "2026-12", Category: "strassenbeleuchtung", Status: api.ReportOpen, N: 1},
		}
		if !reflect.DeepEqual(reports, wantReports) {
			t.Errorf("ReportCounts = %+v, want %+v", reports, wantReports)
		}
		decisions, err := s.Decisions(ctx)
		if err != nil {
			t.Fatalf("Decisions: %v", err)
		}
		wantDecisions := []opendata.Decision{
			{Service: "hundesteuer", Received: nov, Decided: nov.Add(36 * time.Hour)},
			{Service: "hundesteuer", Received: nov, Decided: nov.Add(72 * time.Hour)},
		}
		if !sameDecisions(decisions, wantDecisions) {
			t.Errorf("Decisions = %+v, want %+v", decisions, wantDecisions)
		}
		if got, err := s.LastChange(ctx); err != nil || !got.Equal(last) {
			t.Errorf("LastChange = %v, %v; want %v", got, err, last)
		}
	})
}

// sameDecisions compares to the millisecond, which is what a store may
// keep of a time it computes with.
func sameDecisions(got, want []opendata.Decision) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Service != w.Service || g.Received.Sub(w.Received).Abs() >= time.Millisecond ||
			g.Decided.Sub(w.Decided).Abs() >= time.Millisecond {
			return false
		}
	}
	return true
}

var _ opendata.Store = server.Store(nil)
