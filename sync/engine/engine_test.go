package engine_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/assets/demotest"
	"rathaus/server/servertest"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// clock is a settable time source shared by the store and the engine.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// rig is a device (store + engine) talking to a real backend over loopback.
type rig struct {
	backend *servertest.Backend
	store   *store.Store
	engine  *engine.Engine
	clock   *clock
	wire    *wireCounter
	keys    *secrets.Keychain
	path    string
	opts    []engine.Option
	// clients, when set, makes the portal and upload clients instead of
	// the default ones over the wire counter (the fault suite routes them
	// through a fault proxy).
	clients func() (engine.Portal, engine.Uploader)
}

func newRig(t *testing.T, opts ...engine.Option) *rig {
	t.Helper()
	return newRigOn(t, servertest.New(t), opts...)
}

// newRigOn makes another device of the same backend.
func newRigOn(t *testing.T, backend *servertest.Backend, opts ...engine.Option) *rig {
	t.Helper()
	r := device(t, backend, opts...)
	r.open(t)
	return r
}

// device is a device of backend, not open yet: its secrets in memory, its
// database on a temp file, its store and its engine (made with opts) on
// the rig's clock.
func device(tb testing.TB, backend *servertest.Backend, opts ...engine.Option) *rig {
	r := &rig{backend: backend, clock: &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)},
		keys: secrets.OpenMemory("rathaus-test"), path: filepath.Join(tb.TempDir(), "app.db")}
	r.opts = append([]engine.Option{engine.WithClock(r.clock.Now)}, opts...)
	return r
}

// open opens the device's store and engine, as at an app start.
func (r *rig) open(t testing.TB, opts ...store.Option) {
	t.Helper()
	st, err := store.Open(context.Background(), r.path, r.keys, append([]store.Option{store.WithClock(r.clock.Now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r.store = st
	r.wire = &wireCounter{next: http.DefaultTransport}
	var p engine.Portal = portal.New(r.backend.URL, portal.WithTransport(r.wire), portal.WithTimeout(5*time.Second))
	var u engine.Uploader = upload.New(r.backend.URL, upload.WithHTTPClient(&http.Client{Transport: r.wire, Timeout: 30 * time.Second}))
	if r.clients != nil {
		p, u = r.clients()
	}
	r.engine = engine.New(st, p, u, r.keys, r.opts...)
}

// submitExample queues the demo example of a form as a submission.
func (r *rig) submitExample(t *testing.T, serviceID string, edit func(map[string]any)) *citizen.Draft {
	t.Helper()
	svc := demotest.Service(t, serviceID)
	values := demotest.Example(t, svc.Form.ID)
	if edit != nil {
		edit(values)
	}
	d := citizen.NewDraft(svc, r.clock.Now())
	d.Values = values
	ctx := context.Background()
	if err := r.store.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}
	return d
}

func (r *rig) draft(t *testing.T, id string) *citizen.Draft {
	t.Helper()
	d, err := r.store.Draft(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (r *rig) outbox(t *testing.T) []*citizen.OutboxItem {
	t.Helper()
	items, err := r.store.Outbox(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// wireCounter counts requests and response body bytes per path.
type wireCounter struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs map[string]int
	body map[string]int64
	last map[string]int // last status per path
}

func (w *wireCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := w.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	path := req.URL.Path
	w.mu.Lock()
	if w.reqs == nil {
		w.reqs, w.body, w.last = map[string]int{}, map[string]int64{}, map[string]int{}
	}
	w.reqs[path]++
	w.last[path] = resp.StatusCode
	w.mu.Unlock()
	resp.Body = &countingBody{ReadCloser: resp.Body, add: func(n int) {
		w.mu.Lock()
		w.body[path] += int64(n)
		w.mu.Unlock()
	}}
	return resp, nil
}

func (w *wireCounter) snapshot() (reqs map[string]int, body map[string]int64, last map[string]int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	reqs, body, last = map[string]int{}, map[string]int64{}, map[string]int{}
	for k, v := range w.reqs {
		reqs[k] = v
	}
	for k, v := range w.body {
		body[k] = v
	}
	for k, v := range w.last {
		last[k] = v
	}
	return
}

type countingBody struct {
	io.ReadCloser
	add func(int)
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.add(n)
	return n, err
}

func TestSync_SubmitWhileDownThenUp(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	d := r.submitExample(t, "hundesteuer", nil)
	r.backend.Stop()

	err := r.engine.Sync(ctx)
	if err == nil {
		t.Fatal("Sync with the backend down reported no error")
	}
	if got := r.engine.Status().State; got != engine.Offline {
		t.Errorf("state with the backend down = %s, want offline", got)
	}
	if got := r.draft(t, d.ID).State; got != citizen.DraftQueued {
		t.Errorf("draft with the backend down = %s, want queued", got)
	}
	items := r.outbox(t)
	if len(items) != 1 || items[0].State != citizen.OutboxPending || items[0].Attempts != 0 {
		t.Errorf("outbox while offline = %+v, want one pending item with no attempt counted", items)
	}

	r.backend.Start()
	if err := r.engine.Sync(ctx); err != nil {
		t.Fatalf("Sync with the backend up: %v", err)
	}
	if got := r.engine.Status().State; got != engine.Idle {
		t.Errorf("state = %s, want idle", got)
	}
	got := r.draft(t, d.ID)
	if got.State != citizen.DraftSent || !strings.HasPrefix(got.CaseNumber, "2026-") {
		t.Errorf("draft = %s %q, want sent with a case number", got.State, got.CaseNumber)
	}
	if n := r.backend.Cases(); n != 1 {
		t.Errorf("server cases = %d, want 1", n)
	}
	// More passes send nothing again.
	for i := 0; i < 3; i++ {
		if err := r.engine.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.backend.Cases(); n != 1 {
		t.Errorf("server cases after more passes = %d, want 1", n)
	}
	cases, _ := r.store.Cases(ctx)
	if len(cases) != 1 || cases[0].Number != got.CaseNumber {
		t.Errorf("local cases = %+v, want the one case %s", cases, got.CaseNumber)
	}
}

func TestSync_CatalogETagAndImmutableForms(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if err := r.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	reqs, body, last := r.wire.snapshot()
	if last[api.PathCatalog] != http.StatusOK || body[api.PathCatalog] == 0 {
		t.Fatalf("first catalog pull: status %d, %d body bytes; want 200 with a body", last[api.PathCatalog], body[api.PathCatalog])
	}
	cat, etag, source, err := r.store.Catalog(ctx)
	if err != nil || etag == "" || source != store.SourceBackend || len(cat.Services) == 0 {
		t.Fatalf("stored catalog: etag %q source %q services %d err %v", etag, source, len(cat.Services), err)
	}
	formReqs := 0
	for p, n := range reqs {
		if strings.HasPrefix(p, api.PathForms) {
			formReqs += n
		}
	}
	if formReqs != len(cat.Services) {
		t.Errorf("form requests on the first pass = %d, want one per service (%d)", formReqs, len(cat.Services))
	}
	for _, s := range cat.Services {
		if has, _ := r.store.HasForm(ctx, s.Form); !has {
			t.Errorf("form %s v%d not cached", s.Form.ID, s.Form.Version)
		}
	}

	if err := r.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	reqs2, body2, last2 := r.wire.snapshot()
	if last2[api.PathCatalog] != http.StatusNotModified {
		t.Errorf("second catalog pull: status %d, want 304", last2[api.PathCatalog])
	}
	if got := body2[api.PathCatalog] - body[api.PathCatalog]; got != 0 {
		t.Errorf("second catalog pull transferred %d body bytes, want 0", got)
	}
	for p, n := range reqs2 {
		if strings.HasPrefix(p, api.PathForms) && n != reqs[p] {
			t.Errorf("form %s fetched again (%d requests, want %d)", p, n, reqs[p])
		}
	}
}

// TestSync_ResponseLostAfterCommit: the backend makes the case but the
// answer never arrives. The retry, under the same idempotency key, must get
// the same case: exactly one case.
func TestSync_ResponseLostAfterCommit(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	real := r.backend.Handler()
	var cut atomic.Bool
	cut.Store(true)
	r.backend.SetHandler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != api.PathSubmissions || !cut.Load() {
			real.ServeHTTP(w, req)
			return
		}
		real.ServeHTTP(&discard{header: http.Header{}}, req) // the case is committed
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.(*net.TCPConn).SetLinger(0)
			conn.Close() // ...and the answer is lost
		}
	}))
	d := r.submitExample(t, "sperrmuell", nil)
	if err := r.engine.Sync(ctx); err == nil {
		t.Fatal("Sync with a lost answer reported no error")
	}
	if n := r.backend.Cases(); n != 1 {
		t.Fatalf("server cases after the lost answer = %d, want 1", n)
	}
	if got := r.draft(t, d.ID).State; got != citizen.DraftQueued {
		t.Errorf("draft after the lost answer = %s, want still queued", got)
	}
	cut.Store(false)
	if err := r.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if n := r.backend.Cases(); n != 1 {
		t.Errorf("server cases after the retry = %d, want 1", n)
	}
	if got := r.draft(t, d.ID); got.State != citizen.DraftSent || got.CaseNumber == "" {
		t.Errorf("draft = %s %q, want sent with the first case's number", got.State, got.CaseNumber)
	}
}

type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// TestSync_RejectionStopsOnlyItsItem: the backend refuses one submission
// for good; it is rejected with the field errors, and the others still go.
func TestSync_RejectionStopsOnlyItsItem(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	bad := r.submitExample(t, "hundesteuer", func(v map[string]any) { v["postcode"] = "123" })
	good := r.submitExample(t, "meldebescheinigung", nil)

	if err := r.engine.Sync(ctx); err != nil {
		t.Fatalf("a refusal made the pass fail: %v", err)
	}
	if st := r.engine.Status().State; st != engine.Idle {
		t.Errorf("state = %s, want idle (a refusal is the item's business)", st)
	}
	b := r.draft(t, bad.ID)
	if b.State != citizen.DraftRejected || b.Problem == nil {
		t.Fatalf("refused draft = %s %+v, want rejected with the problem", b.State, b.Problem)
	}
	found := false
	for _, e := range b.Problem.Errors {
		if e.Pointer == "/postcode" && e.Code == "pattern" && e.Message["de"] != "" && e.Message["en"] != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("problem errors = %+v, want /postcode pattern with de and en messages", b.Problem.Errors)
	}
	if g := r.draft(t, good.ID); g.State != citizen.DraftSent {
		t.Errorf("the other draft = %s, want sent", g.State)
	}
	if n := r.backend.Cases(); n != 1 {
		t.Errorf("server cases = %d, want 1", n)
	}
}

// TestSync_TransientServerErrorBacksOff: 503 with Retry-After keeps the
// item pending until then; the pass reports an error state.
func TestSync_TransientServerErrorBacksOff(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	real := r.backend.Handler()
	var failing atomic.Bool
	failing.Store(true)
	r.backend.SetHandler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == api.PathSubmissions && failing.Load() {
			w.Header().Set("Retry-After", "120")
			w.Header().Set("Content-Type", api.ContentTypeProblem)
			w.WriteHeader(http.StatusServiceUnavailable)
			json.NewEncoder(w).Encode(api.Problem{Title: "Busy", Status: 503})
			return
		}
		real.ServeHTTP(w, req)
	}))
	d := r.submitExample(t, "hundesteuer", nil)
	if err := r.engine.Sync(ctx); err == nil {
		t.Fatal("Sync against a failing backend reported no error")
	}
	if st := r.engine.Status().State; st != engine.Error {
		t.Errorf("state = %s, want error", st)
	}
	items := r.outbox(t)
	if len(items) != 1 || items[0].Attempts != 1 || items[0].State != citizen.OutboxPending {
		t.Fatalf("outbox = %+v, want one pending item with one attempt", items)
	}
	if wait := items[0].NextAttempt.Sub(r.clock.Now()); wait < 120*time.Second {
		t.Errorf("next attempt in %v, want at least the Retry-After of 120s", wait)
	}
	due, _ := r.store.DueOutbox(ctx, r.clock.Now(), false)
	if len(due) != 0 {
		t.Errorf("due before Retry-After = %d items, want 0", len(due))
	}

	failing.Store(false)
	r.clock.Advance(121 * time.Second)
	due, _ = r.store.DueOutbox(ctx, r.clock.Now(), false)
	if len(due) != 1 {
		t.Fatalf("due after Retry-After = %d items, want 1", len(due))
	}
	if err := r.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.draft(t, d.ID).State; got != citizen.DraftSent {
		t.Errorf("draft = %s, want sent", got)
	}
}

// TestSync_ParkedAfterMaxAttempts: an item that keeps failing is parked
// with its error, never deleted.
func TestSync_ParkedAfterMaxAttempts(t *testing.T) {
	r := newRig(t, engine.WithMaxAttempts(3))
	ctx := context.Background()
	real := r.backend.Handler()
	r.backend.SetHandler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != api.PathSubmissions {
			real.ServeHTTP(w, req)
			return
		}
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	d := r.submitExample(t, "hundesteuer", nil)
	for i := 0; i < 3; i++ {
		_ = r.engine.Sync(ctx)
	}
	got := r.draft(t, d.ID)
	if got.State != citizen.DraftRejected || got.Locked || got.Values["dog_name"] != "Bello" {
		t.Errorf("draft after 3 failures = %s (values %v), want rejected with its values", got.State, got.Values)
	}
	items := r.outbox(t)
	if len(items) != 1 || items[0].State != citizen.OutboxFailed || items[0].LastError == "" {
		t.Errorf("outbox = %+v, want the item failed with its error", items)
	}
}

// TestSync_GarbledCatalogKeepsCachedOne: a captive portal answering HTML
// does not replace the cached catalog, and submissions still go out.
func TestSync_GarbledCatalogKeepsCachedOne(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if err := r.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	real := r.backend.Handler()
	r.backend.SetHandler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == api.PathCatalog {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html><body>Please log in to the hotspot</body></html>")
			return
		}
		real.ServeHTTP(w, req)
	}))
	d := r.submitExample(t, "hundesteuer", nil)
	err := r.engine.Sync(ctx)
	if err == nil || !citizen.IsTransient(err) {
		t.Errorf("Sync with a garbled catalog = %v, want a transient error", err)
	}
	if st := r.engine.Status().State; st != engine.Error {
		t.Errorf("state = %s, want error", st)
	}
	if cat, _, _, err := r.store.Catalog(ctx); err != nil || len(cat.Services) == 0 {
		t.Errorf("cached catalog after the garbled answer: %d services, %v", len(cat.Services), err)
	}
	if got := r.draft(t, d.ID).State; got != citizen.DraftSent {
		t.Errorf("draft = %s, want sent despite the garbled catalog", got)
	}
}

// TestRun_KickAndConnectivity drives the engine's own loop: a kick sends a
// new item promptly; while the backend is down the loop probes health and
// sends the item once the backend is back.
func TestRun_KickAndConnectivity(t *testing.T) {
	r := newRig(t, engine.WithInterval(time.Hour), engine.WithBackoff(engine.Backoff{Base: 20 * time.Millisecond, Cap: 100 * time.Millisecond}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	states := make(chan engine.State, 100)
	r.engine.OnChange(func(s engine.Status) {
		select {
		case states <- s.State:
		default:
		}
	})
	done := make(chan struct{})
	go func() { r.engine.Run(ctx); close(done) }()

	d := r.submitExample(t, "hundesteuer", nil)
	r.engine.Kick()
	waitFor(t, func() bool { return r.draft(t, d.ID).State == citizen.DraftSent })
	// The pass also pulls the catalog and forms, beside the push: let it
	// end before the backend goes.
	waitFor(t, func() bool { return r.engine.Status().State == engine.Idle })

	r.backend.Stop()
	d2 := r.submitExample(t, "sperrmuell", nil)
	r.engine.Kick()
	waitFor(t, func() bool { return r.engine.Status().State == engine.Offline })
	r.backend.Start()
	waitFor(t, func() bool { return r.draft(t, d2.ID).State == citizen.DraftSent })
	if n := r.backend.Cases(); n != 2 {
		t.Errorf("server cases = %d, want 2", n)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	seen := map[engine.State]bool{}
	for len(states) > 0 {
		seen[<-states] = true
	}
	for _, s := range []engine.State{engine.Syncing, engine.Idle, engine.Offline} {
		if !seen[s] {
			t.Errorf("the engine never reported %s", s)
		}
	}
}

// waitFor polls cond until it holds or 10 s pass; it waits for the engine's
// goroutine, it does not measure it.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestBackoff(t *testing.T) {
	b := engine.Backoff{Base: time.Second, Cap: 5 * time.Minute, Rand: func() float64 { return 0.999999 }}
	for _, tc := range []struct {
		attempt int
		max     time.Duration
	}{
		{0, time.Second}, {1, 2 * time.Second}, {3, 8 * time.Second}, {8, 256 * time.Second},
		{9, 5 * time.Minute}, {40, 5 * time.Minute}, {100, 5 * time.Minute},
	} {
		got := b.Delay(tc.attempt)
		if got > tc.max || got < tc.max*99/100 {
			t.Errorf("Delay(%d) with the top draw = %v, want just under %v", tc.attempt, got, tc.max)
		}
	}
	zero := engine.Backoff{Base: time.Second, Cap: time.Minute, Rand: func() float64 { return 0 }}
	if got := zero.Delay(5); got != 0 {
		t.Errorf("Delay with the bottom draw = %v, want 0 (full jitter)", got)
	}
	real := engine.Backoff{Base: time.Second, Cap: time.Minute}
	for i := 0; i < 1000; i++ {
		if got := real.Delay(3); got < 0 || got >= 8*time.Second {
			t.Fatalf("Delay(3) = %v, want in [0, 8s)", got)
		}
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[engine.State]string{engine.Idle: "idle", engine.Syncing: "syncing", engine.Offline: "offline", engine.Error: "error", engine.State(9): "unknown"} {
		if got := s.String(); got != want {
			t.Errorf("State(%d).String() = %q, want %q", s, got, want)
		}
	}
}
