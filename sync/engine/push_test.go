package engine_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/assets/demotest"
	"rathaus/sync/engine"
)

// submitWithCopy fills the demo example of a service the way the form
// screen does (a saved draft, which queues its copy for the account's
// other devices) and queues it.
func submitWithCopy(t *testing.T, r *rig, service string) *citizen.Draft {
	t.Helper()
	ctx := context.Background()
	svc := demotest.Service(t, service)
	values := demotest.Example(t, svc.Form.ID)
	d := citizen.NewDraft(svc, r.clock.Now())
	if err := r.store.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := r.store.SaveDraft(ctx, d.ID, values, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}
	return d
}

// keysOf maps the idempotency keys of the device's submissions to their
// drafts.
func keysOf(t *testing.T, r *rig) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, it := range r.outbox(t) {
		out[it.IdempotencyKey] = it.DraftID
	}
	return out
}

// TestPush_OrderPerDraftAndTransientStopsTheDraft: a draft's items go out in
// the order they were queued (its copy for the account's other devices,
// then its submission); when the first fails for now, the draft's later
// items wait for the next pass while the other drafts go out.
func TestPush_OrderPerDraftAndTransientStopsTheDraft(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if err := r.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	var drafts []*citizen.Draft
	for _, svc := range []string{"hundesteuer", "meldebescheinigung", "sperrmuell", "halteverbot-umzug"} {
		drafts = append(drafts, submitWithCopy(t, r, svc))
	}
	keys := keysOf(t, r)
	failing := drafts[1].ID
	real := r.backend.Handler()
	var mu sync.Mutex
	var seen []string // "copy <draft>" and "submit <draft>", in arrival order
	var broken = true
	r.backend.SetHandler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var ev string
		switch {
		case req.Method == http.MethodPut && strings.HasPrefix(req.URL.Path, api.PathDrafts):
			ev = "copy " + strings.TrimPrefix(req.URL.Path, api.PathDrafts)
		case isSubmission(req):
			ev = "submit " + keys[req.Header.Get(api.HeaderIdempotencyKey)]
		}
		mu.Lock()
		if ev != "" {
			seen = append(seen, ev)
		}
		fail := broken && ev == "copy "+failing
		mu.Unlock()
		if fail {
			answer(w, http.StatusServiceUnavailable, "")
			return
		}
		real.ServeHTTP(w, req)
	}))
	if err := r.engine.Sync(ctx); err == nil {
		t.Error("a pass with a 503 reported no error")
	}
	for _, d := range drafts {
		got := r.draft(t, d.ID).State
		want := citizen.DraftSent
		if d.ID == failing {
			want = citizen.DraftQueued
		}
		if got != want {
			t.Errorf("draft %s after the pass = %s, want %s", d.Service, got, want)
		}
	}
	mu.Lock()
	broken = false
	mu.Unlock()
	if err := r.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.draft(t, failing).State; got != citizen.DraftSent {
		t.Errorf("the held-back draft after the next pass = %s, want sent", got)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, d := range drafts {
		copyAt, submitAt := -1, -1
		for i, ev := range seen {
			switch {
			case ev == "copy "+d.ID && copyAt < 0:
				copyAt = i
			case ev == "submit "+d.ID && submitAt < 0:
				submitAt = i
			}
		}
		if copyAt < 0 || submitAt < copyAt {
			t.Errorf("draft %s: copy at %d, submission at %d in %v; want the copy first", d.Service, copyAt, submitAt, seen)
		}
	}
	if n := strings.Count(strings.Join(seen, ","), "submit "+failing); n != 1 {
		t.Errorf("the held-back draft was submitted %d times, want once (after its copy went)", n)
	}
}

// TestPush_SlowItemDoesNotHoldUpOthers: while one submission hangs at the
// backend, the others go out and are acknowledged.
func TestPush_SlowItemDoesNotHoldUpOthers(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if err := r.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	slow := r.submitExample(t, "hundesteuer", nil)
	var others []*citizen.Draft
	for _, svc := range []string{"meldebescheinigung", "sperrmuell", "halteverbot-umzug", "fuehrungszeugnis"} {
		others = append(others, r.submitExample(t, svc, nil))
	}
	keys := keysOf(t, r)
	release := make(chan struct{})
	real := r.backend.Handler()
	r.backend.SetHandler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if isSubmission(req) && keys[req.Header.Get(api.HeaderIdempotencyKey)] == slow.ID {
			select {
			case <-release:
			case <-time.After(10 * time.Second): // never reached unless the engine is stuck
			}
		}
		real.ServeHTTP(w, req)
	}))
	done := make(chan error, 1)
	go func() { done <- r.engine.Sync(ctx) }()
	waitFor(t, func() bool {
		for _, d := range others {
			if r.draft(t, d.ID).State != citizen.DraftSent {
				return false
			}
		}
		return true
	})
	if got := r.draft(t, slow.ID).State; got != citizen.DraftQueued {
		t.Errorf("the hanging draft = %s while its request hangs, want queued", got)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := r.draft(t, slow.ID).State; got != citizen.DraftSent {
		t.Errorf("the slow draft after its answer = %s, want sent", got)
	}
}

// TestPush_Parallel: up to WithParallel drafts go out at once, no more.
func TestPush_Parallel(t *testing.T) {
	for _, tc := range []struct{ parallel, drafts, want int }{{1, 3, 1}, {3, 6, 3}, {4, 2, 2}} {
		t.Run(fmt.Sprintf("parallel-%d-drafts-%d", tc.parallel, tc.drafts), func(t *testing.T) {
			r := newRig(t, engine.WithParallel(tc.parallel))
			ctx := context.Background()
			if err := r.engine.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			services := []string{"hundesteuer", "meldebescheinigung", "sperrmuell", "halteverbot-umzug", "fuehrungszeugnis", "personenstandsurkunde"}
			for _, svc := range services[:tc.drafts] {
				r.submitExample(t, svc, nil)
			}
			var mu sync.Mutex
			inflight, most := 0, 0
			full := make(chan struct{})
			var fullOnce sync.Once
			real := r.backend.Handler()
			r.backend.SetHandler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				if !isSubmission(req) {
					real.ServeHTTP(w, req)
					return
				}
				mu.Lock()
				inflight++
				most = max(most, inflight)
				if inflight == tc.want {
					fullOnce.Do(func() { close(full) })
				}
				mu.Unlock()
				select { // hold every request until as many as expected are in flight
				case <-full:
				case <-time.After(2 * time.Second): // the engine sends fewer at once than expected
				}
				real.ServeHTTP(w, req)
				mu.Lock()
				inflight--
				mu.Unlock()
			}))
			if err := r.engine.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			if most != tc.want {
				t.Errorf("parallel %d, %d drafts: at most %d submissions at once, want %d", tc.parallel, tc.drafts, most, tc.want)
			}
			if n := r.backend.Cases(); n != tc.drafts {
				t.Errorf("cases = %d, want %d", n, tc.drafts)
			}
		})
	}
}

// TestPush_CutWhileOthersGoThroughIsTriedAgainAtOnce: a connection that
// drops while other items of the pass are acknowledged is a cut, not an
// outage: the item goes again in the same pass (and the backend, which made
// the case, answers with it). When nothing else goes through, the pass
// reports the network failure instead.
func TestPush_CutWhileOthersGoThroughIsTriedAgainAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name   string
		others int
	}{{"others-go-through", 3}, {"alone", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			ctx := context.Background()
			if err := r.engine.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			cut := r.submitExample(t, "hundesteuer", nil)
			services := []string{"meldebescheinigung", "sperrmuell", "halteverbot-umzug"}
			for _, svc := range services[:tc.others] {
				r.submitExample(t, svc, nil)
			}
			keys := keysOf(t, r)
			real := r.backend.Handler()
			var once sync.Once
			othersDone := make(chan struct{})
			var mu sync.Mutex
			acked := 0
			r.backend.SetHandler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				if !isSubmission(req) {
					real.ServeHTTP(w, req)
					return
				}
				if keys[req.Header.Get(api.HeaderIdempotencyKey)] != cut.ID {
					real.ServeHTTP(w, req)
					mu.Lock()
					if acked++; acked == tc.others {
						close(othersDone)
					}
					mu.Unlock()
					return
				}
				first := false
				once.Do(func() { first = true })
				if !first && tc.others > 0 {
					real.ServeHTTP(w, req)
					return
				}
				if tc.others > 0 {
					<-othersDone // the others' answers are on their way...
					waitFor(t, func() bool { return sentCount(t, r) == tc.others })
					time.Sleep(20 * time.Millisecond) // ...and were taken in
				}
				cutAnswer(w, req, real)
			}))
			err := r.engine.Sync(ctx)
			got := r.draft(t, cut.ID).State
			if tc.others > 0 && (err != nil || got != citizen.DraftSent) {
				t.Errorf("with others going through: pass error %v, cut draft %s; want it sent in the same pass", err, got)
			}
			if tc.others == 0 {
				if err == nil || got != citizen.DraftQueued || r.engine.Status().State != engine.Offline {
					t.Errorf("alone: pass error %v, draft %s, state %s; want a network failure, queued, offline", err, got, r.engine.Status().State)
				}
			}
			if n := r.backend.Cases(); n != tc.others+1 {
				t.Errorf("cases = %d, want %d (one per submission)", n, tc.others+1)
			}
		})
	}
}
