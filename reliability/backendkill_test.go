package reliability

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server/loadtest"
	"rathaus/server/serverproc"
)

var (
	killCycles  = flag.Int("kill.cycles", 3, "how often TestBackendKill SIGKILLs the backend under load and restarts it")
	killClients = flag.Int("kill.clients", 8, "parallel submitting clients in TestBackendKill (half of them with a device)")
	killSeed    = flag.Uint64("kill.seed", 0, "seed of TestBackendKill's kill moments and client choices; 0: from the clock (logged)")
)

// TestBackendKill submits from parallel clients, some anonymous and some
// with a device, while the real rathaus-server process is SIGKILLed at
// random moments and started again on the same data folder. After every
// restart each submission that got a 2xx must be in the database under its
// key with the case it was answered with; at the end every key that was
// ever sent is retried until it is acknowledged, and then the database
// holds exactly one case per key, each replay answers the same case, and
// SQLite's integrity check passes.
func TestBackendKill(t *testing.T) {
	seed := *killSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -kill.seed=%d)", seed, seed)
	ctx := t.Context()
	bodies, err := loadtest.DemoSubmissions()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := serverproc.Build(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	logPath := filepath.Join(t.TempDir(), "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logFile.Close() })
	p, err := serverproc.Start(ctx, serverproc.Config{Bin: bin, DataDir: data, Log: logFile, Args: serverproc.NoQuotas})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Kill() })
	defer func() {
		if t.Failed() {
			t.Logf("server log (tail):\n%s", tail(logPath, 40))
		}
	}()

	led := &ledger{entries: map[loadtest.ScopedKey]*entry{}, outcomes: map[string]int{}}
	load, stopLoad := context.WithCancel(ctx)
	var wg sync.WaitGroup
	tr := &http.Transport{MaxIdleConnsPerHost: *killClients}
	t.Cleanup(tr.CloseIdleConnections)
	clients := make([]*submitter, *killClients)
	for i := range clients {
		clients[i] = &submitter{
			base: p.URL(), led: led, bodies: bodies, device: i%2 == 1,
			rng:  rand.New(rand.NewPCG(seed, uint64(i))),
			http: &http.Client{Transport: tr, Timeout: 10 * time.Second},
			name: fmt.Sprintf("c%d", i),
		}
		wg.Go(func() { clients[i].run(load) })
	}
	t.Cleanup(func() { stopLoad(); wg.Wait() }) // before the server's kill: cleanups run last first

	rng := rand.New(rand.NewPCG(seed, 1<<32))
	var restarts []time.Duration
	for cycle := 1; cycle <= *killCycles; cycle++ {
		before := led.acked()
		// Kill at a random moment, but only once some submissions have
		// gone through since the last restart: under load, not while idle.
		deadline := time.Now().Add(time.Duration(100+rng.IntN(700)) * time.Millisecond)
		for time.Now().Before(deadline) || led.acked() < before+*killClients {
			if ctx.Err() != nil {
				t.Fatal(ctx.Err())
			}
			time.Sleep(5 * time.Millisecond)
		}
		if err := p.Kill(); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := p.Restart(ctx); err != nil {
			t.Fatalf("cycle %d: %v", cycle, err)
		}
		restarts = append(restarts, time.Since(start))
		checkStored(t, data, led, false)
		if t.Failed() {
			t.Fatalf("cycle %d: acknowledged submissions are missing after the restart", cycle)
		}
	}
	stopLoad()
	wg.Wait()

	// Every key that was sent and not yet acknowledged goes again until it
	// is, as the app's outbox does.
	for _, c := range clients {
		c.drain(ctx, t)
	}
	// One last kill right after the last acknowledgement: nothing may
	// depend on a clean shutdown.
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := p.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	checkStored(t, data, led, true)
	checkReplays(t, p.URL(), led)
	for _, v := range led.violations {
		t.Error(v)
	}
	sort.Slice(restarts, func(i, j int) bool { return restarts[i] < restarts[j] })
	if len(restarts) > 0 {
		t.Logf("restart to healthy after a kill under load: median %v, max %v",
			restarts[len(restarts)/2].Round(time.Millisecond), restarts[len(restarts)-1].Round(time.Millisecond))
	}
	t.Logf("%d kills; %d keys, each acknowledged and stored once and replayed to its case after the last restart; "+
		"%d stored whose answer a kill cut off, found by their retry; %d repeats of acknowledged keys gave the same case; outcomes: %s",
		*killCycles+1, len(led.entries), led.lost, led.replays, led.outcomeSummary())
}

// checkStored reads the database beside the running server: every
// acknowledged key is stored with the case it was answered with, no case
// lacks a key, and the file is intact. With all set, every key of the
// ledger must be acknowledged and the database must hold exactly them.
func checkStored(t *testing.T, data string, led *ledger, all bool) {
	t.Helper()
	ctx := t.Context()
	// The ledger first: what was acknowledged before the database is read
	// must be in it; what the clients hear about later may not be yet.
	led.mu.Lock()
	entries := make(map[loadtest.ScopedKey]entry, len(led.entries))
	for k, e := range led.entries {
		entries[k] = *e
	}
	led.mu.Unlock()
	idx, err := loadtest.OpenIndex(filepath.Join(data, "rathaus.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if err := idx.Integrity(ctx); err != nil {
		t.Error(err)
	}
	snap, err := idx.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Orphans != 0 {
		t.Errorf("%d cases have no idempotency key (duplicates)", snap.Orphans)
	}
	if snap.Cases != len(snap.Keys) {
		t.Errorf("%d cases for %d idempotency keys", snap.Cases, len(snap.Keys))
	}
	for k, e := range entries {
		got, ok := snap.Keys[k]
		switch {
		case e.caseID == "" && all:
			t.Errorf("key %v was never acknowledged", k)
		case e.caseID == "":
			// In flight or lost with a kill: either is fine until drained.
		case !ok:
			t.Errorf("key %v: acknowledged as case %s, not in the database", k, e.caseID)
		case got != e.caseID:
			t.Errorf("key %v: acknowledged as case %s, the database has %s", k, e.caseID, got)
		}
	}
	if all && len(snap.Keys) != len(entries) {
		t.Errorf("the database has %d keys, the clients sent %d", len(snap.Keys), len(entries))
	}
}

// checkReplays sends every key once more and expects its case, marked as
// replayed.
func checkReplays(t *testing.T, base string, led *ledger) {
	t.Helper()
	led.mu.Lock()
	keys := make([]loadtest.ScopedKey, 0, len(led.entries))
	for k := range led.entries {
		keys = append(keys, k)
	}
	led.mu.Unlock()
	s := &submitter{base: base, led: led, http: &http.Client{Timeout: 10 * time.Second}}
	for _, k := range keys {
		led.mu.Lock()
		e := *led.entries[k]
		led.mu.Unlock()
		res, err := s.do(t.Context(), http.MethodPost, api.PathSubmissions, k.Key, e.body, e.token)
		if err != nil {
			t.Fatalf("replay %v: %v", k, err)
		}
		var c api.Case
		if res.StatusCode != http.StatusCreated || json.Unmarshal(res.body, &c) != nil {
			t.Errorf("replay %v: %d %s", k, res.StatusCode, res.body)
			continue
		}
		if c.ID != e.caseID || c.Number != e.number || res.Header.Get(api.HeaderReplayed) != "true" {
			t.Errorf("replay %v: case %s (%s), %s %q; want %s (%s), replayed", k, c.ID, c.Number,
				api.HeaderReplayed, res.Header.Get(api.HeaderReplayed), e.caseID, e.number)
		}
	}
}

// tail returns the last n lines of a file, for a failure's context.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
