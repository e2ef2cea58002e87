package reliability

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server/servertest"
)

var (
	appKills = flag.Int("appcrash.kills", 50, "how often TestAppCrash SIGKILLs the app's core and starts it again (make reliability: 1000)")
	appSeed  = flag.Uint64("appcrash.seed", 0, "seed of TestAppCrash's kill moments and the citizen's choices; 0: from the clock (logged)")
	appLife  = flag.Duration("appcrash.life", 400*time.Millisecond, "TestAppCrash kills each run of the app's core at a random moment up to this long after its start")
)

// TestAppCrash runs the app's core (appdriver_test.go: the store, app/fill
// and the sync engine against the real backend over loopback, no window)
// in a child process that creates drafts, types into them, attaches files
// and submits, and SIGKILLs it at a random moment, -appcrash.kills times.
// After every kill, before the next start, the database must open with the
// same data key and install id, keep the device's credential once it has
// one, pass integrity_check, and hold every draft whose creation the store
// acknowledged, with the values and step of the last save it acknowledged
// (or of the save in flight at the kill); a draft acknowledged as submitted
// must be queued or sent with its idempotency key. After the last kill the
// outbox is drained by the real engine, and the backend must hold exactly
// one case per submission (per idempotency key, and as many cases as
// submissions), each the case the app recorded for its draft.
func TestAppCrash(t *testing.T) {
	if dir := os.Getenv(appCrashDirEnv); dir != "" {
		appCrashChild(dir)
		return
	}
	seed := *appSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -appcrash.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 1<<40))
	b := servertest.New(t)
	seen := watchBackend(b)
	m := &appModel{dir: t.TempDir(), drafts: map[string]*draftModel{}, creating: map[string]bool{}}

	var cycles []time.Duration
	early := 0
	for cycle := 1; cycle <= *appKills; cycle++ {
		life := time.Duration(rng.Int64N(int64(*appLife)))
		start := time.Now()
		ready := m.run(t, b.URL, rng.Uint64(), life)
		if !ready {
			early++
		}
		m.check(t, cycle)
		cycles = append(cycles, time.Since(start))
		if t.Failed() {
			t.Fatalf("cycle %d (killed %v after its start): what the store acknowledged is not what it holds", cycle, life.Round(time.Millisecond))
		}
	}
	delivered := m.drain(t, b)
	checkBackend(t, m, b.DBPath, delivered)
	sort.Slice(cycles, func(i, j int) bool { return cycles[i] < cycles[j] })
	if len(cycles) > 0 {
		t.Logf("%d kills (%d before the core was up), lost nothing: %d drafts created, %d saves and %d submissions acknowledged by the store; "+
			"%d submissions reached the backend, one case each (%d sent by the engine between kills, the rest by the drain); "+
			"%d submissions answered from their key (a kill had cut off the first answer or its recording), %d uploads resumed; "+
			"a cycle (start, run, kill, check) took median %v, max %v",
			len(cycles), early, m.creates, m.saves, m.submits, delivered, m.sentRunning, seen.replays.Load(), seen.resumes.Load(),
			cycles[len(cycles)/2].Round(time.Millisecond), cycles[len(cycles)-1].Round(time.Millisecond))
	}
}

// appModel is what the driver reported, across its runs: the parent's
// record of what the store acknowledged.
type appModel struct {
	dir      string
	drafts   map[string]*draftModel
	creating map[string]bool // "create" reported, "created" not (yet)
	problems []string        // failures the driver reported

	installID, token, deviceID string

	creates, saves, submits int // acknowledged
	sentRunning             int // submissions done before the drain: sent by the engine between kills

	// After the drain: the outbox's submissions and the case recorded
	// for each draft.
	items  map[string][]submissionItem
	caseOf map[string]string
}

// draftModel is one draft as the store acknowledged it.
type draftModel struct {
	acked      string   // digest of the values and step of the last save acknowledged
	maybe      []string // digests of saves begun since (one was in flight at the kill)
	submitting bool     // Submit begun, not returned
	key        string   // its submission's idempotency key, once acknowledged
}

// run starts the driver, kills it life after its start and reads what it
// reported. It reports whether the driver was up (its store open, its
// engine running) before the kill.
func (m *appModel) run(t *testing.T, backend string, seed uint64, life time.Duration) (ready bool) {
	t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestAppCrash$", "-test.count=1")
	cmd.Env = append(os.Environ(), appCrashDirEnv+"="+m.dir, appCrashBackendEnv+"="+backend,
		appCrashSeedEnv+"="+strconv.FormatUint(seed, 10))
	var out tailBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.ExtraFiles = []*os.File{pw}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	read := make(chan bool)
	go func() { read <- m.read(pr) }()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		ready = <-read
		t.Fatalf("the app's core ended by itself (%v) %v after its start; driver: %s; output:\n%s",
			err, time.Since(start).Round(time.Millisecond), strings.Join(m.problems, "; "), out.String())
	case <-time.After(time.Until(start.Add(life))):
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	// The lines still in the pipe were written before the kill.
	ready = <-read
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("the app's core was not killed but ended: %v; output:\n%s", cmd.ProcessState, out.String())
	}
	if len(m.problems) > 0 {
		t.Fatalf("the driver failed: %s; output:\n%s", strings.Join(m.problems, "; "), out.String())
	}
	return ready
}

// read applies the driver's lines until the pipe closes; a last line
// without its newline was cut by the kill and did not happen. It reports
// whether the driver said it was ready.
func (m *appModel) read(r io.Reader) (ready bool) {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return ready
		}
		w := strings.Fields(line)
		if len(w) == 0 {
			continue
		}
		if w[0] == "ready" {
			ready = true
		}
		m.apply(w)
	}
}

func (m *appModel) apply(w []string) {
	arg := func(i int) string {
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	dm := m.drafts[arg(1)]
	switch w[0] {
	case "ready":
		if m.installID != "" && arg(1) != m.installID {
			m.problems = append(m.problems, fmt.Sprintf("the store started with install id %s, before %s", arg(1), m.installID))
		}
	case "create":
		m.creating[arg(1)] = true
	case "created":
		delete(m.creating, arg(1))
		m.drafts[arg(1)] = &draftModel{acked: valuesDigest(map[string]any{}, 0)}
		m.creates++
	case "try", "ack":
		if dm == nil {
			m.problems = append(m.problems, "a save of a draft the store never acknowledged: "+arg(1))
			return
		}
		if w[0] == "try" {
			dm.maybe = append(dm.maybe, arg(2))
			return
		}
		dm.acked, dm.maybe = arg(2), nil
		m.saves++
	case "nack":
		m.problems = append(m.problems, "a save failed on a healthy disk: "+strings.Join(w[1:], " "))
	case "submit":
		if dm != nil {
			dm.submitting = true
		}
	case "submitted":
		if dm != nil {
			dm.submitting, dm.key = false, arg(2)
			m.submits++
		}
	case "fail":
		m.problems = append(m.problems, strings.Join(w[1:], " "))
	}
}

// backendWatch counts what the backend saw of the kills: submissions it
// answered from their key, uploads asked where they stand (a resume).
type backendWatch struct{ replays, resumes atomic.Int64 }

func watchBackend(b *servertest.Backend) *backendWatch {
	w := &backendWatch{}
	next := b.Handler()
	b.SetHandler(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(rw, r)
		switch {
		case r.Method == http.MethodPost && r.URL.Path == api.PathSubmissions && rw.Header().Get(api.HeaderReplayed) == "true":
			w.replays.Add(1)
		case r.Method == http.MethodHead && strings.HasPrefix(r.URL.Path, api.PathUploads):
			w.resumes.Add(1)
		}
	}))
	return w
}

// tailBuffer keeps the last 16 KB written to it: a child's output, for
// its failure.
type tailBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *tailBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	if over := w.b.Len() - 16<<10; over > 0 {
		w.b.Next(over)
	}
	return len(p), nil
}

func (w *tailBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
