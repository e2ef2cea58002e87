package engine_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"rathaus/server/servertest"
)

var (
	soakN    = flag.Int("soak.n", 0, "submissions in TestSoak (0: soakDefault; -short: at most 300)")
	soakSeed = flag.Uint64("soak.seed", soakDefaultSeed, "seed of TestSoak's faults and submissions (0: a fresh one from the clock)")
)

// The soak's size and seed in CI (make test).
const (
	soakDefault     = 10_000
	soakDefaultSeed = 20261127
)

// soakFaults are the faults the soak draws from, one per step.
var soakFaults = []string{"none", "latency", "cut-request", "cut-response", "lost-answer", "5xx", "429", "duplicate"}

// TestSoak sends many submissions, with and without files, through a link
// that misbehaves at random: each step queues a few submissions, draws one
// fault (a TCP cut going up or coming down after a random number of bytes,
// lost answers after the backend committed, 5xx before or after the
// commit, 429 with Retry-After, duplicated requests, latency, or none),
// runs one pass under it and heals. The device's clock jumps ahead between
// passes, so that no real time is spent waiting for backoff. At the end the
// device syncs until nothing is pending and the invariants of the fault
// suite must hold. The seed is fixed unless -soak.seed says otherwise, and
// printed; rerun a failure with
//
//	go test ./sync/engine -run 'TestSoak$' -soak.seed=SEED -soak.n=N
//
// A seed fixes the submissions and the faults drawn, step by step; which
// request a fault meets within a step also depends on how the engine's
// goroutines were scheduled, so a rerun is the same storm, not the same
// interleaving.
func TestSoak(t *testing.T) {
	t.Parallel() // beside TestFaults, which mostly waits for timeouts
	n := *soakN
	if n == 0 {
		n = soakDefault
		if testing.Short() {
			n = 300
		}
	}
	seed := *soakSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	rerun := fmt.Sprintf("go test ./sync/engine -run 'TestSoak$' -soak.seed=%d -soak.n=%d", seed, n)
	t.Logf("soak: %d submissions, seed %d", n, seed)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the soak failed with seed %d; rerun: %s", seed, rerun)
		}
	})

	backend := servertest.New(t)
	net := newFaultNet(t, backend)
	dev := newFaultDevice(t, net)
	ctx := context.Background()
	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatalf("first clean pass: %v", err)
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	var subs []queued
	stats := map[string]int{}           // steps per fault
	spent := map[string]time.Duration{} // time in passes per fault
	clean := 0                          // passes that reported no error
	start := time.Now()
	steps := 0
	for ; len(subs) < n; steps++ {
		for k := 1 + rng.IntN(8); k > 0 && len(subs) < n; k-- {
			size := []int{3_000, 12_000, 40_000}[rng.IntN(3)]
			subs = append(subs, queueSubmission(t, dev, rng.IntN(len(submissionKinds)), size, rng.Uint64()))
		}
		fault := soakFaults[rng.IntN(len(soakFaults))]
		stats[fault]++
		armSoakFault(net, fault, rand.New(rand.NewPCG(rng.Uint64(), uint64(steps))))
		dev.clock.Advance(time.Minute)
		t0 := time.Now()
		if err := dev.engine.Sync(ctx); err == nil {
			clean++
		}
		spent[fault] += time.Since(t0)
		net.heal()
		if t.Failed() {
			t.FailNow()
		}
	}
	faulty := time.Since(start)
	net.heal()
	converge(t, dev, 20)
	checkInvariants(t, net, dev, subs)
	files := 0
	for _, q := range subs {
		files += len(q.files)
	}
	var keys []string
	for k := range stats {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, " %s %d (%v)", k, stats[k], spent[k].Round(time.Millisecond))
	}
	t.Logf("soak: %d submissions (%d files), %d cases; %d steps, %d passes without error, %v under faults, %v in all; steps (time in passes):%s",
		len(subs), files, backend.Cases(), steps, clean, faulty.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), b.String())
}

// armSoakFault installs one step's fault; rng draws its details and, for
// faults that hit some requests only, which ones.
func armSoakFault(n *faultNet, fault string, rng *rand.Rand) {
	var mu sync.Mutex
	chance := func(p float64) bool {
		mu.Lock()
		defer mu.Unlock()
		return rng.Float64() < p
	}
	draw := func(lo, hi int) int {
		mu.Lock()
		defer mu.Unlock()
		return lo + rng.IntN(hi-lo+1)
	}
	sends := either(isSubmission, isUpload)
	switch fault {
	case "latency":
		ms := draw(1, 4)
		for _, dir := range []string{"upstream", "downstream"} {
			n.toxic("latency_"+dir, "latency", dir, map[string]any{"latency": ms, "jitter": ms / 2})
		}
	case "cut-request":
		n.toxic("cut", "limit_data", "upstream", map[string]any{"bytes": draw(300, 60_000)})
	case "cut-response":
		n.toxic("cut", "limit_data", "downstream", map[string]any{"bytes": draw(100, 6_000)})
	case "lost-answer":
		n.setHook(func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
			if !sends(r) || !chance(0.3) {
				return false
			}
			loseAnswer(w, r, next)
			return true
		})
	case "5xx":
		n.setHook(func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
			if !chance(0.25) {
				return false
			}
			if chance(0.5) {
				answer(w, http.StatusServiceUnavailable, "1")
				return true
			}
			next.ServeHTTP(&discard{header: http.Header{}}, r) // done, then a gateway fails
			answer(w, http.StatusBadGateway, "")
			return true
		})
	case "429":
		n.setHook(func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
			if !sends(r) || !chance(0.3) {
				return false
			}
			answer(w, http.StatusTooManyRequests, fmt.Sprint(draw(1, 60)))
			return true
		})
	case "duplicate":
		n.setHook(func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
			if !isSubmission(r) || !chance(0.5) {
				return false
			}
			return n.duplicateHook(1)(w, r, next)
		})
	}
}
