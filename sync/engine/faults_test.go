package engine_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rathaus/app/citizen"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// scenarioRun is one fault scenario under way: the fault net, the device,
// what it queued, and the errors of the passes made under the fault.
type scenarioRun struct {
	net  *faultNet
	dev  *rig
	subs []queued
	errs []error
	// serverCasesDuring is the backend's case count, and sentDuring the
	// device's sent submissions, right after the passes under the fault.
	serverCasesDuring, sentDuring int
}

type faultScenario struct {
	name string
	// plain: queue only submissions without files.
	plain bool
	// passes under the fault (default 1).
	passes int
	// twoEngines: each pass under the fault runs two engines on the one
	// store at once.
	twoEngines bool
	// arm installs the fault after the device's first clean pass.
	arm func(s *scenarioRun)
	// during checks what must hold while the fault lasts.
	during func(t *testing.T, s *scenarioRun)
	// after, if set, checks what must hold once all went out.
	after func(t *testing.T, s *scenarioRun)
}

// once returns a hook that applies f to the first k requests that match,
// and lets every other request through.
func (n *faultNet) once(k int32, match func(*http.Request) bool, f func(w http.ResponseWriter, r *http.Request, next http.Handler)) faultHook {
	var left atomic.Int32
	left.Store(k)
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
		if !match(r) || left.Add(-1) < 0 {
			return false
		}
		n.applied.Add(1)
		f(w, r, next)
		return true
	}
}

func either(a, b func(*http.Request) bool) func(*http.Request) bool {
	return func(r *http.Request) bool { return a(r) || b(r) }
}

// armToxic returns a hook that adds a toxic when the first matching
// request reaches the backend and then lets it through, so that the fault
// hits that request (its body still streaming, or its answer) and every
// later one until the scenario heals.
func (n *faultNet) armToxic(match func(*http.Request) bool, name, typ, stream string, attrs map[string]any) faultHook {
	var o sync.Once
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
		if match(r) {
			o.Do(func() {
				n.applied.Add(1)
				n.toxic(name, typ, stream, attrs)
			})
		}
		return false
	}
}

// The checks of the scenarios. A fault that hits once may be absorbed in
// the same pass (the engine tries a dropped connection again at once while
// other requests go through), so the checks of such faults look at what
// the backend saw, not at the pass's result; a fault that lasts until the
// link heals must make the pass fail.

var faultScenarios = []faultScenario{
	{
		name: "latency",
		arm: func(s *scenarioRun) {
			for _, dir := range []string{"upstream", "downstream"} {
				s.net.toxic("latency_"+dir, "latency", dir, map[string]any{"latency": 60, "jitter": 30})
			}
		},
		during: wantAllSent,
	},
	{
		name: "bandwidth",
		arm: func(s *scenarioRun) {
			for _, dir := range []string{"upstream", "downstream"} {
				s.net.toxic("bandwidth_"+dir, "bandwidth", dir, map[string]any{"rate": 384}) // KB/s
			}
		},
		during: wantAllSent,
	},
	{
		name: "slicer",
		arm: func(s *scenarioRun) {
			for _, dir := range []string{"upstream", "downstream"} {
				s.net.toxic("slicer_"+dir, "slicer", dir, map[string]any{"average_size": 700, "size_variation": 600, "delay": 50})
			}
		},
		during: wantAllSent,
	},
	{
		// Every connection dies after 30 KB going up, from the first
		// upload on: no file fits into one connection, each resumes where
		// the backend stands.
		name:   "reset/mid-request/upload",
		passes: 3,
		arm: func(s *scenarioRun) {
			s.net.setHook(s.net.armToxic(isUpload, "cut", "limit_data", "upstream", map[string]any{"bytes": 30000}))
		},
		during: wantFailed,
	},
	{
		// The first two submissions are cut after 40 bytes of their body:
		// the backend must not make a case of a request it did not get.
		name: "reset/mid-request/submission",
		arm: func(s *scenarioRun) {
			s.net.setHook(s.net.once(2, isSubmission, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				cutRequest(w, r, next, 40)
			}))
		},
		during: func(t *testing.T, s *scenarioRun) {
			wantApplied(t, s, 1)
			if s.serverCasesDuring != s.sentDuring {
				t.Errorf("backend cases = %d, device sent = %d; a cut request must make no case", s.serverCasesDuring, s.sentDuring)
			}
		},
	},
	{
		// The answer to the first submission is cut 60 bytes in, after the
		// case was made; so is every answer after it until the link heals.
		name: "reset/mid-response/submission",
		arm: func(s *scenarioRun) {
			s.net.setHook(s.net.armToxic(isSubmission, "cut", "limit_data", "downstream", map[string]any{"bytes": 60}))
		},
		during: func(t *testing.T, s *scenarioRun) {
			wantFailed(t, s)
			wantUnheard(t, s)
		},
		after: wantReplays,
	},
	{
		// The answer to the first upload request, and every answer after
		// it, is reset after the backend did the request.
		name: "reset/mid-response/upload",
		arm: func(s *scenarioRun) {
			s.net.setHook(s.net.armToxic(isUpload, "reset", "reset_peer", "downstream", map[string]any{"timeout": 0}))
		},
		during: wantFailed,
	},
	{
		name: "lost-answer/submission",
		arm: func(s *scenarioRun) {
			s.net.setHook(s.net.once(2, isSubmission, loseAnswer))
		},
		during: func(t *testing.T, s *scenarioRun) { wantApplied(t, s, 1) },
		after:  wantReplays,
	},
	{
		name: "lost-answer/upload",
		arm: func(s *scenarioRun) {
			s.net.setHook(s.net.once(3, isUpload, loseAnswer))
		},
		during: func(t *testing.T, s *scenarioRun) { wantApplied(t, s, 1) },
	},
	{
		// From the first upload on, nothing more goes up: the requests
		// hang until the clients' timeout.
		name: "timeout/request",
		arm: func(s *scenarioRun) {
			s.net.setHook(s.net.armToxic(isUpload, "blackhole", "timeout", "upstream", map[string]any{"timeout": 0}))
		},
		during: wantOffline,
	},
	{
		// The first submission's answer, and all after it, never come:
		// the case is made, the device times out.
		name: "timeout/answer",
		arm: func(s *scenarioRun) {
			s.net.setHook(s.net.armToxic(isSubmission, "blackhole", "timeout", "downstream", map[string]any{"timeout": 0}))
		},
		during: func(t *testing.T, s *scenarioRun) {
			wantOffline(t, s)
			wantUnheard(t, s)
		},
		after: wantReplays,
	},
	{
		name: "5xx/before",
		arm: func(s *scenarioRun) {
			s.net.setHook(s.net.once(4, either(isSubmission, isUpload), func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				answer(w, http.StatusServiceUnavailable, "1")
			}))
		},
		during: func(t *testing.T, s *scenarioRun) {
			wantApplied(t, s, 4)
			if s.errs[0] == nil {
				t.Errorf("the pass with 503s reported no error")
			}
			if st := s.dev.engine.Status().State; st != engine.Error {
				t.Errorf("state after 503s = %s, want error", st)
			}
		},
	},
	{
		// A gateway answers 502 after the backend made the case; the item
		// waits for its backoff, so the case stays unheard until then.
		name: "5xx/after-commit",
		arm: func(s *scenarioRun) {
			s.net.setHook(s.net.once(2, isSubmission, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				next.ServeHTTP(&discard{header: http.Header{}}, r)
				answer(w, http.StatusBadGateway, "")
			}))
		},
		during: wantUnheard,
		after:  wantReplays,
	},
	{
		name: "429/retry-after",
		arm: func(s *scenarioRun) {
			s.net.setHook(func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
				if isSubmission(r) || isUpload(r) {
					answer(w, http.StatusTooManyRequests, "120")
					return true
				}
				return false
			})
		},
		during: func(t *testing.T, s *scenarioRun) {
			ctx := context.Background()
			items := s.dev.outbox(t)
			if len(items) != len(s.subs) {
				t.Fatalf("outbox = %d items, want %d", len(items), len(s.subs))
			}
			for _, it := range items {
				if it.State != citizen.OutboxPending || it.NextAttempt.Before(s.dev.clock.Now().Add(120*time.Second)) {
					t.Errorf("item %d after 429 = %s, next attempt in %v; want pending for at least the Retry-After of 120s",
						it.ID, it.State, it.NextAttempt.Sub(s.dev.clock.Now()))
				}
			}
			if due, _ := s.dev.store.DueOutbox(ctx, s.dev.clock.Now(), false); len(due) != 0 {
				t.Errorf("due before Retry-After = %d items, want 0", len(due))
			}
			s.dev.clock.Advance(121 * time.Second)
			if due, _ := s.dev.store.DueOutbox(ctx, s.dev.clock.Now(), false); len(due) != len(s.subs) {
				t.Errorf("due after Retry-After = %d items, want %d", len(due), len(s.subs))
			}
		},
	},
	{
		// The network delivers every submission three times at once.
		name:   "duplicate/request",
		arm:    func(s *scenarioRun) { s.net.setHook(s.net.duplicateHook(2)) },
		during: wantAllSent,
		after: func(t *testing.T, s *scenarioRun) {
			// Every submission reached the backend three times (the
			// invariants hold it to one case each).
			wantApplied(t, s, int64(2*len(s.subs)))
		},
	},
	{
		// Two engines on one store send the same outbox at once.
		name:       "duplicate/two-engines",
		plain:      true,
		twoEngines: true,
		arm:        func(s *scenarioRun) {},
		during:     wantAllSent,
	},
}

// duplicateHook serves every submission, and copies more of it at the
// same time, as a network that delivers a request more than once.
func (n *faultNet) duplicateHook(copies int) faultHook {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
		if !isSubmission(r) {
			return false
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			kill(w)
			return true
		}
		var wg sync.WaitGroup
		for i := 0; i < copies; i++ {
			n.applied.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				next.ServeHTTP(&discard{header: http.Header{}}, cloneRequest(r, body))
			}()
		}
		next.ServeHTTP(w, cloneRequest(r, body))
		wg.Wait()
		return true
	}
}

func cloneRequest(r *http.Request, body []byte) *http.Request {
	c := r.Clone(r.Context())
	c.Body = io.NopCloser(bytes.NewReader(body))
	c.ContentLength = int64(len(body))
	return c
}

// TestFaults is the fault-injection suite: each scenario runs a device with
// a real store against the real backend through a fault proxy, queues
// submissions with and without files, syncs under the fault, checks what
// the fault must (and must not) have done, heals the link, syncs until
// nothing is pending and checks the invariants.
func TestFaults(t *testing.T) {
	t.Parallel() // beside TestSoak
	for _, sc := range faultScenarios {
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc) })
	}
}

func runScenario(t *testing.T, sc faultScenario) {
	backend, _ := attachmentBackend(t)
	n := newFaultNet(t, backend)
	dev := newFaultDevice(t, n)
	ctx := context.Background()
	// A clean first pass: registered, catalog and forms cached.
	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatalf("first clean pass: %v", err)
	}
	s := &scenarioRun{net: n, dev: dev}
	for k := range submissionKinds {
		if sc.plain && submissionKinds[k].files != nil {
			continue
		}
		s.subs = append(s.subs, queueSubmission(t, dev, k, 100_000, uint64(k+1)*10))
	}
	sc.arm(s)
	var second *engine.Engine
	if sc.twoEngines {
		p := portal.New(n.URL, portal.WithTimeout(faultTimeout))
		u := upload.New(n.URL, upload.WithTimeout(faultTimeout))
		second = engine.New(dev.store, p, u, dev.keys, dev.opts...)
	}
	for i := 0; i < max(sc.passes, 1); i++ {
		if second == nil {
			s.errs = append(s.errs, dev.engine.Sync(ctx))
			continue
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for j, e := range []*engine.Engine{dev.engine, second} {
			wg.Add(1)
			go func() { defer wg.Done(); errs[j] = e.Sync(ctx) }()
		}
		wg.Wait()
		s.errs = append(s.errs, errs...)
	}
	s.serverCasesDuring = backend.Cases()
	s.sentDuring = sentCount(t, dev)
	t.Logf("under the fault: pass errors %v; backend cases %d, device sent %d of %d", s.errs, s.serverCasesDuring, s.sentDuring, len(s.subs))
	sc.during(t, s)

	n.heal()
	converge(t, dev, 5)
	checkInvariants(t, n, dev, s.subs)
	if sc.after != nil {
		sc.after(t, s)
	}
	for _, q := range s.subs {
		for _, f := range q.files {
			t.Logf("file %s: %d bytes, backend read %d", f.sha[:8], f.size, n.receivedFor(f.sha))
		}
	}
}

func sentCount(t testing.TB, r *rig) int {
	t.Helper()
	var n int
	if err := r.store.DB().QueryRow(`SELECT count(*) FROM outbox WHERE kind = 'submission' AND state = 'done'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wantAllSent: the fault slows the link but breaks nothing.
func wantAllSent(t *testing.T, s *scenarioRun) {
	t.Helper()
	for i, err := range s.errs {
		if err != nil {
			t.Errorf("pass %d under the fault: %v; want no error", i+1, err)
		}
	}
	if s.sentDuring != len(s.subs) {
		t.Errorf("sent under the fault = %d, want all %d", s.sentDuring, len(s.subs))
	}
}

// wantFailed: a fault that lasts made the first pass fail.
func wantFailed(t *testing.T, s *scenarioRun) {
	t.Helper()
	wantApplied(t, s, 1)
	if s.errs[0] == nil {
		t.Errorf("the first pass under the fault reported no error")
	}
}

// wantApplied: the fault hit at least k requests (a fault armed for k
// requests may not meet all of them while it lasts, as the pass stops at
// the first connection that drops while nothing else goes through).
func wantApplied(t *testing.T, s *scenarioRun, k int64) {
	t.Helper()
	if got := s.net.applied.Load(); got < k {
		t.Errorf("the fault hit %d requests, want at least %d", got, k)
	}
}

// wantUnheard: the backend made cases the device did not hear of (yet).
func wantUnheard(t *testing.T, s *scenarioRun) {
	t.Helper()
	if s.serverCasesDuring <= s.sentDuring {
		t.Errorf("backend cases = %d, device sent = %d; want a case made whose answer was lost",
			s.serverCasesDuring, s.sentDuring)
	}
}

// wantReplays: an answer lost after the backend made the case was asked
// for again under the same key, and the backend answered with the case it
// had made.
func wantReplays(t *testing.T, s *scenarioRun) {
	t.Helper()
	if s.net.replays.Load() == 0 {
		t.Errorf("no answer was replayed; want the lost answers' cases given again under their keys")
	}
}

func wantOffline(t *testing.T, s *scenarioRun) {
	t.Helper()
	wantFailed(t, s)
	if st := s.dev.engine.Status().State; st != engine.Offline {
		t.Errorf("state = %s, want offline", st)
	}
}
