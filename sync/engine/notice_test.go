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
