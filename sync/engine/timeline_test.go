package engine_test

import (
	"context"
	"sync"
	"testing"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/server/reportwork"
)

// newsLog records what the engine tells OnNews, as the app's notifier
// would get it.
type newsLog struct {
	mu   sync.Mutex
	news []citizen.News
}

func (l *newsLog) add(n []citizen.News) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.news = append(l.news, n...)
}

func (l *newsLog) take() []citizen.News {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.news
	l.news = nil
	return out
}

// TestStatusNews: the town's steps on a report and a case reach the
// device through the changes feed; each is news once (not again on the
// next pass, nor after a restart), and marks its item new until opened.
func TestStatusNews(t *testing.T) {
	ctx := context.Background()
	dev := newRig(t)
	log := &newsLog{}
	dev.engine.OnNews(log.add)
	lat, long := 50.94, 6.96
	if _, err := dev.store.QueueReport(ctx, &citizen.ReportPayload{Request: api.ReportRequest{ServiceCode: "baum", Lat: &lat, Long: &long}}, nil); err != nil {
		t.Fatal(err)
	}
	dev.submitExample(t, "hundesteuer", nil)
	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := log.take(); len(got) != 0 {
		t.Errorf("news after sending = %+v, want none: the receipt is no news", got)
	}
	mine, err := dev.store.MyReports(ctx)
	if err != nil || len(mine) != 1 || mine[0].ReportID == "" {
		t.Fatalf("my reports = %+v, %v", mine, err)
	}
	cases, err := dev.store.Cases(ctx)
	if err != nil || len(cases) != 1 {
		t.Fatalf("cases = %+v, %v", cases, err)
	}
	repID, caseID := mine[0].ReportID, cases[0].ID

	if _, err := reportwork.New(dev.backend.DB, nil).Advance(ctx, repID, api.StatusInspection, "Wir sehen uns den Baum am Montag an."); err != nil {
		t.Fatal(err)
	}
	dev.backend.SetCaseStatus(caseID, api.StatusInReview, api.Text{"de": "Wir prüfen.", "en": "We are checking."})
	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	got := log.take()
	if len(got) != 2 || got[0].Kind != citizen.NewsReport || got[0].ID != repID || got[0].Event.Status != api.StatusInspection ||
		got[1].Kind != citizen.NewsCase || got[1].ID != caseID || got[1].Event.Status != api.StatusInReview || got[1].Label != cases[0].Number {
		t.Fatalf("news = %+v, want the report's inspection, then the case's review", got)
	}

	check := func(t *testing.T, wantNew bool) {
		t.Helper()
		mine, err := dev.store.MyReports(ctx)
		if err != nil || len(mine) != 1 {
			t.Fatalf("my reports = %+v, %v", mine, err)
		}
		tl := mine[0].Timeline()
		if mine[0].New != wantNew || mine[0].Status != api.StatusInspection || len(tl) != 2 || tl[0].Status != api.StatusReceived ||
			tl[1].Note.In("de") != "Wir sehen uns den Baum am Montag an." {
			t.Errorf("report = %+v, timeline %+v; want new %v, received then inspection", mine[0], tl, wantNew)
		}
		cases, err := dev.store.Cases(ctx)
		if err != nil || len(cases) != 1 || cases[0].New != wantNew || cases[0].Status != api.StatusInReview {
			t.Errorf("case = %+v, %v; want new %v, in review", cases, err, wantNew)
		}
	}
	check(t, true)

	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := log.take(); len(got) != 0 {
		t.Errorf("news on the next pass = %+v, want none", got)
	}

	dev.open(t) // the app restarts
	dev.engine.OnNews(log.add)
	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := log.take(); len(got) != 0 {
		t.Errorf("news after a restart = %+v, want none", got)
	}
	check(t, true)

	if err := dev.store.MarkSeen(ctx, citizen.NewsReport, repID); err != nil {
		t.Fatal(err)
	}
	if err := dev.store.MarkSeen(ctx, citizen.NewsCase, caseID); err != nil {
		t.Fatal(err)
	}
	check(t, false)
}
