package engine_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/sync/engine"
)

// TestStatus_SaysWhatEachPassDidAndChanged: the status after each pass
// says when it ended, what it sent and received, and what it changed in
// the store, so that a screen reloads only when its data changed.
func TestStatus_SaysWhatEachPassDidAndChanged(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	var ended []engine.Status // the statuses that end a pass
	r.engine.OnChange(func(s engine.Status) {
		if s.State != engine.Syncing {
			ended = append(ended, s)
		}
	})
	pass := func(name string) engine.Status {
		t.Helper()
		r.clock.Advance(time.Minute)
		err := r.engine.Sync(ctx)
		st := r.engine.Status()
		if len(ended) == 0 || ended[len(ended)-1].LastAttempt != st.LastAttempt {
			t.Fatalf("%s: the listeners did not get the status that ended the pass", name)
		}
		if !st.LastAttempt.Equal(r.clock.Now()) {
			t.Errorf("%s: LastAttempt = %v, want the pass's end %v", name, st.LastAttempt, r.clock.Now())
		}
		if (err == nil) != st.LastSuccess.Equal(st.LastAttempt) {
			t.Errorf("%s: pass error %v, LastSuccess %v, LastAttempt %v; want them equal exactly after a clean pass", name, err, st.LastSuccess, st.LastAttempt)
		}
		return st
	}
	sent := func(st engine.Status) int { return st.Last.Sent[citizen.OutboxSubmission] }

	first := pass("first pass")
	if !first.Changed.Any(engine.ChangedCatalog) || first.State != engine.Idle {
		t.Errorf("first pass: %s, changed %s; want idle with the catalog and forms stored", first.State, first.Changed)
	}

	d := r.submitExample(t, "hundesteuer", nil)
	st := pass("a submission")
	want := engine.ChangedOutbox | engine.ChangedDrafts | engine.ChangedCases
	if st.Changed != want || sent(st) != 1 || st.Last.Failed != 0 {
		t.Errorf("pass with a submission: changed %s, sent %d, failed %d; want %s, 1 sent, none failed", st.Changed, sent(st), st.Last.Failed, want)
	}

	// The feed brings the case the device made, which it knows as it is:
	// in this pass, or already in the last one (a pass pulls while it
	// pushes, so the case's own change may come back in the same pass).
	early := st.Last.Received
	if st := pass("nothing new"); st.Changed != 0 || sent(st) != 0 || early+st.Last.Received != 1 {
		t.Errorf("pass with nothing new: changed %s, sent %d, received %d (%d in the pass before); want nothing changed, nothing sent, the case's own change received once", st.Changed, sent(st), st.Last.Received, early)
	}
	if st := pass("nothing at all"); st.Changed != 0 || st.Last.Received != 0 {
		t.Errorf("pass with nothing at all: changed %s, received %d; want nothing", st.Changed, st.Last.Received)
	}

	cases, _ := r.store.Cases(ctx)
	r.backend.SetCaseStatus(cases[0].ID, api.StatusInReview, api.Text{"de": "In Prüfung.", "en": "In review."})
	if st := pass("a case's status"); st.Changed != engine.ChangedCases || st.Last.Received != 1 {
		t.Errorf("pass after a status change: changed %s, received %d; want cases, 1", st.Changed, st.Last.Received)
	}

	success := r.engine.Status().LastSuccess
	r.backend.Stop()
	r.submitExample(t, "sperrmuell", nil)
	st = pass("offline")
	if st.State != engine.Offline || st.Changed != 0 || st.Last.Failed != 1 || !st.LastSuccess.Equal(success) {
		t.Errorf("offline pass: %s, changed %s, failed %d, last success %v; want offline, nothing changed, 1 failed, last success still %v",
			st.State, st.Changed, st.Last.Failed, st.LastSuccess, success)
	}
	r.backend.Start()
	if got := r.draft(t, d.ID).State; got != citizen.DraftSent {
		t.Errorf("draft = %s, want sent", got)
	}
}

// TestSyncNow_AsksTheLoopForAForcedPass: "Sync now" goes through the
// engine's own loop: it never blocks, the status says it was asked for,
// and the pass it gets sends an item whatever its backoff, also while the
// loop waits long between health probes.
func TestSyncNow_AsksTheLoopForAForcedPass(t *testing.T) {
	r := newRig(t, engine.WithInterval(time.Hour), engine.WithBackoff(engine.Backoff{Base: time.Hour, Cap: time.Hour}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var probes atomic.Int64
	real := r.backend.Handler()
	r.backend.SetHandler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == api.PathHealth {
			probes.Add(1)
		}
		real.ServeHTTP(w, req)
	}))
	done := make(chan struct{})
	go func() { r.engine.Run(ctx); close(done) }()
	waitFor(t, func() bool { return !r.engine.Status().LastSuccess.IsZero() })

	// Offline: the loop waits up to its probe cap before it looks again.
	r.backend.Stop()
	d := r.submitExample(t, "hundesteuer", nil)
	r.engine.SyncNow()
	waitFor(t, func() bool { st := r.engine.Status(); return st.State == engine.Offline && !st.Requested })
	r.backend.Start()
	before := probes.Load()

	r.engine.SyncNow()
	waitFor(t, func() bool { return r.draft(t, d.ID).State == citizen.DraftSent })
	waitFor(t, func() bool { return r.engine.Status().State == engine.Idle })
	if st := r.engine.Status(); st.Requested || st.Last.Sent[citizen.OutboxSubmission] != 1 {
		t.Errorf("after the pass asked for: requested %v, sent %v; want not requested any more, the submission sent", st.Requested, st.Last.Sent)
	}
	if n := probes.Load() - before; n != 0 {
		t.Errorf("the pass waited for %d health probes; want it at once", n)
	}
	cancel()
	<-done
}

// TestSyncNow_SaysRequestedAtOnce: before the loop takes it, the status
// says a pass was asked for, and the listeners hear of it.
func TestSyncNow_SaysRequestedAtOnce(t *testing.T) {
	r := newRig(t)
	var heard engine.Status
	r.engine.OnChange(func(s engine.Status) { heard = s })
	r.engine.SyncNow() // no loop runs: it must not block
	if !r.engine.Status().Requested || !heard.Requested {
		t.Fatalf("after SyncNow: status requested %v, heard %v; want both", r.engine.Status().Requested, heard.Requested)
	}
	if err := r.engine.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r.engine.Status().Requested {
		t.Error("a forced pass ran and the status still says requested")
	}
}

// TestPush_LockedSubmissionIsRefused: a submission queued in a run whose
// key is gone cannot be sent; it fails with a message for the citizen
// (never sent, never deleted), and the other items still go.
func TestPush_LockedSubmissionIsRefused(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	locked := r.submitExample(t, "hundesteuer", nil)
	r.keys = secrets.OpenMemory("another-run")
	r.open(t, store.WithNewKeyIfLost()) // the key is gone; the citizen started afresh
	other := r.submitExample(t, "sperrmuell", nil)
	if err := r.engine.Sync(ctx); err != nil {
		t.Fatalf("a locked item made the pass fail: %v", err)
	}
	items := r.outbox(t)
	if len(items) != 1 || items[0].DraftID != locked.ID || items[0].State != citizen.OutboxFailed || items[0].LastCode != citizen.ELOCKED || items[0].LastError == "" {
		t.Fatalf("outbox = %+v, want the locked submission failed with its message", items)
	}
	if got := r.draft(t, locked.ID); got.State != citizen.DraftRejected {
		t.Errorf("locked draft = %s, want rejected", got.State)
	}
	if got := r.draft(t, other.ID).State; got != citizen.DraftSent {
		t.Errorf("the other draft = %s, want sent", got)
	}
	if n := r.backend.Cases(); n != 1 {
		t.Errorf("backend cases = %d, want 1", n)
	}
}
