package engine_test

import (
	"bytes"
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"rathaus/api"
	"rathaus/app/citizen"
)

// TestNotice_ArrivesOnceWithTheDecision: a case decided with a decision
// brings its notice (a PDF) onto the device, sealed, in the pass that
// brings the decision; it is asked for once, also when the backend has
// none.
func TestNotice_ArrivesOnceWithTheDecision(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	var asked atomic.Int64
	real := r.backend.Handler()
	r.backend.SetHandler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if bytes.HasSuffix([]byte(req.URL.Path), []byte(api.NoticeSuffix)) {
			asked.Add(1)
		}
		real.ServeHTTP(w, req)
	}))
	r.submitExample(t, "hundesteuer", nil)
	if err := r.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	r.submitExample(t, "sperrmuell", nil)
	if err := r.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	cases, _ := r.store.Cases(ctx)
	if len(cases) != 2 {
		t.Fatalf("cases = %d, want 2", len(cases))
	}
	r.backend.SetCaseStatus(cases[0].ID, api.StatusDecided, api.Text{"de": "Genehmigt.", "en": "Granted."})
	r.backend.SetCaseStatus(cases[1].ID, api.StatusDecided, nil) // decided without words: no notice
	for range 3 {
		if err := r.engine.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("the notice was asked for %d times, want once", n)
	}
	cases, _ = r.store.Cases(ctx)
	byID := map[string]citizen.Case{}
	for _, c := range cases {
		byID[c.ID] = c
	}
	pdf, err := r.store.Notice(ctx, cases[0].ID)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the notice on the device: %.20q, %v", pdf, err)
	}
	if !byID[cases[0].ID].Notice {
		t.Error("the decided case does not say it has its notice")
	}
	if byID[cases[1].ID].Notice {
		t.Error("the case decided without words says it has a notice")
	}
	if _, err := r.store.Notice(ctx, cases[1].ID); citizen.ErrorCode(err) != citizen.ENOTFOUND {
		t.Errorf("notice of the case without one: err %v, want ENOTFOUND", err)
	}
}

// TestAnswer_ContinuesTheCase: the town hall asks for more; the citizen
// reopens the sent draft, completes it and sends it again; the same case
// goes on with its history, and the backend holds one case.
func TestAnswer_ContinuesTheCase(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	d := r.submitExample(t, "hundesteuer", nil)
	if err := r.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	cases, _ := r.store.Cases(ctx)
	if err := r.store.ReopenToAnswer(ctx, d.ID); citizen.ErrorCode(err) != citizen.ECONFLICT {
		t.Errorf("reopening a draft nobody asked more of: err %v, want ECONFLICT", err)
	}
	r.backend.SetCaseStatus(cases[0].ID, api.StatusInfoNeeded, api.Text{"de": "Bitte die Rasse angeben.", "en": "Please give the breed."})
	if err := r.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.store.ReopenToAnswer(ctx, d.ID); err != nil {
		t.Fatalf("reopen: %v", err)
	}
	reopened := r.draft(t, d.ID)
	if reopened.State != citizen.DraftEditing || reopened.Answers != cases[0].ID {
		t.Fatalf("reopened draft: %s answering %q, want editing, answering %s", reopened.State, reopened.Answers, cases[0].ID)
	}
	if _, err := r.store.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := r.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if r.backend.Cases() != 1 {
		t.Errorf("the backend holds %d cases, want 1: the answer is no new case", r.backend.Cases())
	}
	got, _ := r.store.Cases(ctx)
	if len(got) != 1 || got[0].ID != cases[0].ID || got[0].Status != api.StatusInReview || len(got[0].History) != 3 {
		t.Errorf("the app's cases = %+v, want the one case in review with 3 events", got)
	}
	if sent := r.draft(t, d.ID); sent.State != citizen.DraftSent || sent.Answers != "" || sent.CaseNumber != cases[0].Number {
		t.Errorf("the draft after answering: %s, answering %q, case %s", sent.State, sent.Answers, sent.CaseNumber)
	}
}
