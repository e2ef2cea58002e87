package engine_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/store"
	"rathaus/server/servertest"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
)

// The kinds' fault table: every kind of outgoing item goes through the same
// faults of the link and the backend, with the same expectations. Adding a
// kind adds a row (kindRows) and a kindUnderTest, not a suite.

// kindUnderTest is one kind of outgoing item on one device.
type kindUnderTest interface {
	kind() citizen.OutboxKind
	// open makes the device (with the kind's sender, if the engine has
	// none of its own) and whatever the backend needs for the kind.
	open(t *testing.T, n *faultNet) *rig
	// queue queues one item of the kind, as the app does.
	queue(t *testing.T, dev *rig, i int)
	// sends matches the backend's requests that carry the kind's items.
	sends(r *http.Request) bool
	// held is how many of the items the backend holds.
	held(t *testing.T, dev *rig) int
	// check, once every item went out: the backend holds each item as
	// the device queued it, once.
	check(t *testing.T, n *faultNet, dev *rig)
}

var kindRows = []struct {
	name string
	new  func() kindUnderTest
}{
	{"submission", func() kindUnderTest { return &submissionsUnderTest{} }},
	{"draft", func() kindUnderTest { return &copiesUnderTest{} }},
	{"note", func() kindUnderTest { return &notesUnderTest{} }},
	{"report", func() kindUnderTest { return &reportsUnderTest{} }},
	{"booking", func() kindUnderTest { return &bookingsUnderTest{} }},
	{"poll_answer", func() kindUnderTest { return &pollAnswersUnderTest{} }},
}

// kindRun is one kind under one fault, right after the pass under it.
type kindRun struct {
	net   *faultNet
	dev   *rig
	k     kindUnderTest
	items int
	err   error // the pass's
	held  int   // items the backend holds
	done  int   // items the device knows to be done
}

// kindFaults are the faults every kind goes through. Each hits the
// requests that carry the kind's items; a fault that hits once may be
// absorbed in the same pass (a dropped connection is tried again at once
// while other requests go through), so their checks look at what the
// backend saw, not at the pass's result.
var kindFaults = []struct {
	name   string
	arm    func(n *faultNet, sends func(*http.Request) bool)
	during func(t *testing.T, r *kindRun)
	// resent: the backend acted on an item whose answer the device never
	// got, and got it again.
	resent bool
}{
	{
		name:   "lost-answer",
		arm:    func(n *faultNet, sends func(*http.Request) bool) { n.setHook(n.once(1, sends, loseAnswer)) },
		during: wantHit,
		resent: true,
	},
	{
		name: "5xx/before",
		arm: func(n *faultNet, sends func(*http.Request) bool) {
			n.setHook(n.once(1, sends, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				answer(w, http.StatusServiceUnavailable, "1")
			}))
		},
		during: func(t *testing.T, r *kindRun) {
			wantHit(t, r)
			if r.err == nil || r.dev.engine.Status().State != engine.Error {
				t.Errorf("pass = %v, state %s; want an error and the error state", r.err, r.dev.engine.Status().State)
			}
			retried := 0
			for _, it := range itemsOf(t, r.dev, r.k.kind(), true) {
				if it.State == citizen.OutboxPending && it.Attempts == 1 && it.LastCode == citizen.EUNAVAILABLE {
					retried++
				}
			}
			if retried != 1 {
				t.Errorf("items waiting to be tried again with one attempt = %d, want 1", retried)
			}
		},
	},
	{
		// A gateway answers 502 after the backend acted on the item.
		name: "5xx/after-commit",
		arm: func(n *faultNet, sends func(*http.Request) bool) {
			n.setHook(n.once(1, sends, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				next.ServeHTTP(&discard{header: http.Header{}}, r)
				answer(w, http.StatusBadGateway, "")
			}))
		},
		during: func(t *testing.T, r *kindRun) {
			wantHit(t, r)
			if r.err == nil || r.held <= r.done {
				t.Errorf("pass = %v; backend holds %d, device done %d; want an error and an item the device did not hear of", r.err, r.held, r.done)
			}
		},
		resent: true,
	},
	{
		name: "429/retry-after",
		arm: func(n *faultNet, sends func(*http.Request) bool) {
			n.setHook(func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
				if !sends(r) {
					return false
				}
				n.applied.Add(1)
				answer(w, http.StatusTooManyRequests, "120")
				return true
			})
		},
		during: func(t *testing.T, r *kindRun) {
			wantHit(t, r)
			now := r.dev.clock.Now()
			for _, it := range itemsOf(t, r.dev, r.k.kind(), true) {
				if it.State != citizen.OutboxPending || it.NextAttempt.Before(now.Add(120*time.Second)) {
					t.Errorf("item %d after 429 = %s, next attempt in %v; want pending for at least the Retry-After of 120s",
						it.ID, it.State, it.NextAttempt.Sub(now))
				}
			}
			if due := itemsDue(t, r.dev, r.k.kind()); due != 0 {
				t.Errorf("due before Retry-After = %d items, want 0", due)
			}
			r.dev.clock.Advance(121 * time.Second)
			if due := itemsDue(t, r.dev, r.k.kind()); due != r.items {
				t.Errorf("due after Retry-After = %d items, want %d", due, r.items)
			}
		},
	},
	{
		// The request's body is cut after 10 bytes: the backend must not
		// act on a request it did not get whole. (40 was once the cut: a
		// poll answer's whole body, about 30 bytes, then went through.)
		name: "cut/mid-request",
		arm: func(n *faultNet, sends func(*http.Request) bool) {
			n.setHook(n.once(1, sends, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				cutRequest(w, r, next, 10)
			}))
		},
		during: func(t *testing.T, r *kindRun) {
			wantHit(t, r)
			if r.held != r.done {
				t.Errorf("backend holds %d items, device done %d; a cut request must make nothing", r.held, r.done)
			}
		},
	},
	{
		// The answer is cut half way, after the backend acted.
		name:   "cut/mid-response",
		arm:    func(n *faultNet, sends func(*http.Request) bool) { n.setHook(n.once(1, sends, cutAnswer)) },
		during: wantHit,
		resent: true,
	},
}

func wantHit(t *testing.T, r *kindRun) {
	t.Helper()
	if r.net.applied.Load() < 1 {
		t.Errorf("the fault hit no request")
	}
}

// kindItems is how many items of the kind a run queues: two, on two
// drafts, so that one goes through while the other meets the fault.
const kindItems = 2

// TestKinds_Faults runs every kind of outgoing item through every fault
// of kindFaults: each item goes out once, whatever was cut, lost or
// refused for now, and the backend holds each once.
func TestKinds_Faults(t *testing.T) {
	t.Parallel() // beside TestFaults and TestSoak
	for _, row := range kindRows {
		for _, f := range kindFaults {
			t.Run(row.name+"/"+f.name, func(t *testing.T) {
				ctx := context.Background()
				k := row.new()
				n := newFaultNet(t, servertest.New(t))
				dev := k.open(t, n)
				if err := dev.engine.Sync(ctx); err != nil {
					t.Fatalf("first clean pass: %v", err)
				}
				for i := range kindItems {
					k.queue(t, dev, i)
				}
				seen := n.count(k.sends)
				f.arm(n, k.sends)
				r := &kindRun{net: n, dev: dev, k: k, items: kindItems, err: dev.engine.Sync(ctx)}
				r.held, r.done = k.held(t, dev), len(doneOf(t, dev, k.kind()))
				t.Logf("under the fault: pass error %v; backend holds %d, device done %d of %d", r.err, r.held, r.done, kindItems)
				f.during(t, r)

				n.heal()
				converge(t, dev, 5)
				if done := len(doneOf(t, dev, k.kind())); done != kindItems {
					t.Errorf("items done = %d, want all %d", done, kindItems)
				}
				if held := k.held(t, dev); held != kindItems {
					t.Errorf("backend holds %d items, want %d, each once", held, kindItems)
				}
				if f.resent && seen.Load() <= kindItems {
					t.Errorf("the backend got %d requests for %d items; want the one it acted on unheard sent again", seen.Load(), kindItems)
				}
				k.check(t, n, dev)
			})
		}
	}
}

// itemsOf returns the device's items of a kind (with all, also those not
// due yet).
func itemsOf(t *testing.T, dev *rig, k citizen.OutboxKind, all bool) []*citizen.OutboxItem {
	t.Helper()
	items, err := dev.store.DueOutbox(context.Background(), dev.clock.Now(), all)
	if err != nil {
		t.Fatal(err)
	}
	var out []*citizen.OutboxItem
	for _, it := range items {
		if it.Kind == k {
			out = append(out, it)
		}
	}
	return out
}

func itemsDue(t *testing.T, dev *rig, k citizen.OutboxKind) int {
	t.Helper()
	return len(itemsOf(t, dev, k, false))
}

// doneOf returns the idempotency keys and drafts of the device's items of
// a kind that are done.
func doneOf(t *testing.T, dev *rig, k citizen.OutboxKind) map[string]string {
	t.Helper()
	rows, err := dev.store.DB().Query(`SELECT idempotency_key, draft_id FROM outbox WHERE kind = ? AND state = 'done'`, k.String())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var key, draft string
		if err := rows.Scan(&key, &draft); err != nil {
			t.Fatal(err)
		}
		out[key] = draft
	}
	return out
}

// Submissions: plain ones (the fault suite sends them with files).
type submissionsUnderTest struct{ subs []queued }

func (*submissionsUnderTest) kind() citizen.OutboxKind { return citizen.OutboxSubmission }

func (*submissionsUnderTest) open(t *testing.T, n *faultNet) *rig { return newFaultDevice(t, n) }

func (k *submissionsUnderTest) queue(t *testing.T, dev *rig, i int) {
	k.subs = append(k.subs, queueSubmission(t, dev, []int{1, 3}[i%2], 0, uint64(i)))
}

func (*submissionsUnderTest) sends(r *http.Request) bool { return isSubmission(r) }

func (*submissionsUnderTest) held(t *testing.T, dev *rig) int { return dev.backend.Cases() }

func (k *submissionsUnderTest) check(t *testing.T, n *faultNet, dev *rig) {
	checkInvariants(t, n, dev, k.subs)
}

// Draft copies: a draft filled in on the device, for the account's other
// devices.
type copiesUnderTest struct{ drafts []string }

func (*copiesUnderTest) kind() citizen.OutboxKind { return citizen.OutboxDraft }

func (*copiesUnderTest) open(t *testing.T, n *faultNet) *rig { return newFaultDevice(t, n) }

func (k *copiesUnderTest) queue(t *testing.T, dev *rig, i int) {
	ctx := context.Background()
	d := citizen.NewDraft(api.Service{ID: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1}}, dev.clock.Now())
	if err := dev.store.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	values := map[string]any{"dog_name": []string{"Bello", "Hasso"}[i%2], "city": "Musterstadt"}
	if err := dev.store.SaveDraft(ctx, d.ID, values, 0); err != nil {
		t.Fatal(err)
	}
	k.drafts = append(k.drafts, d.ID)
}

func (*copiesUnderTest) sends(r *http.Request) bool {
	return r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, api.PathDrafts)
}

// held counts the device's drafts the backend keeps.
func (*copiesUnderTest) held(t *testing.T, dev *rig) int {
	t.Helper()
	var n int
	db := openReadOnly(t, dev.backend.DBPath)
	if err := db.QueryRow(`SELECT count(*) FROM drafts WHERE owner = ?`, "device:"+deviceIDOf(t, dev)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// check: the backend's copy of each draft has the device's values at the
// device's clocks, and no field lost against itself.
func (k *copiesUnderTest) check(t *testing.T, n *faultNet, dev *rig) {
	t.Helper()
	ctx := context.Background()
	db := openReadOnly(t, dev.backend.DBPath)
	owner := "device:" + deviceIDOf(t, dev)
	for _, id := range k.drafts {
		d, err := dev.store.Draft(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var body string
		if err := db.QueryRow(`SELECT copy FROM drafts WHERE owner = ? AND id = ?`, owner, id).Scan(&body); err != nil {
			t.Errorf("draft %s at the backend: %v", id, err)
			continue
		}
		var c api.DraftCopy
		if err := json.Unmarshal([]byte(body), &c); err != nil {
			t.Fatal(err)
		}
		got, clocks := map[string]any{}, map[string]string{}
		for f, v := range c.Fields {
			clocks[f] = v.Clock
			var x any
			if err := json.Unmarshal(v.Value, &x); err != nil {
				t.Fatal(err)
			}
			got[f] = x
		}
		if !reflect.DeepEqual(got, d.Values) || !reflect.DeepEqual(clocks, d.Clocks) {
			t.Errorf("draft %s at the backend = %v at %v, want %v at %v", id, got, clocks, d.Values, d.Clocks)
		}
	}
	var conflicts int
	if err := db.QueryRow(`SELECT count(*) FROM draft_conflicts WHERE owner = ?`, owner).Scan(&conflicts); err != nil {
		t.Fatal(err)
	}
	if conflicts != 0 {
		t.Errorf("backend conflicts = %d, want none: a copy sent again must not lose against itself", conflicts)
	}
}

func deviceIDOf(t *testing.T, dev *rig) string {
	t.Helper()
	id, err := dev.store.SyncValue(context.Background(), store.KeyDeviceID)
	if err != nil || id == "" {
		t.Fatalf("device id = %q, %v", id, err)
	}
	return id
}

// Notes: the test-only kind of notekind_test.go, sent by its own sender to
// its own endpoint behind the fault net.
type notesUnderTest struct {
	server noteServer
	texts  map[string]string // draft -> text queued
}

func (*notesUnderTest) kind() citizen.OutboxKind { return noteKind }

func (k *notesUnderTest) open(t *testing.T, n *faultNet) *rig {
	n.mount(pathNotes, &k.server)
	s := &noteSender{portal: portal.New(n.URL, portal.WithTimeout(faultTimeout))}
	dev := newFaultDevice(t, n, engine.WithSender(noteKind, s))
	s.store = dev.store
	return dev
}

func (k *notesUnderTest) queue(t *testing.T, dev *rig, i int) {
	draft, text := citizen.NewID(), []string{"Bitte um Rückruf", "Der Hund heißt jetzt Hasso"}[i%2]
	if _, err := dev.store.Enqueue(context.Background(), draft, &notePayload{Text: text}); err != nil {
		t.Fatal(err)
	}
	if k.texts == nil {
		k.texts = map[string]string{}
	}
	k.texts[draft] = text
}

func (*notesUnderTest) sends(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == pathNotes
}

func (k *notesUnderTest) held(t *testing.T, dev *rig) int { return len(k.server.held()) }

// check: one note per idempotency key, the one the device queued under it.
func (k *notesUnderTest) check(t *testing.T, n *faultNet, dev *rig) {
	t.Helper()
	held := k.server.held()
	for key, draft := range doneOf(t, dev, noteKind) {
		if got := held[key]; got.Draft != draft || got.Text != k.texts[draft] {
			t.Errorf("note under key %s = %+v, want draft %s with %q", key, got, draft, k.texts[draft])
		}
	}
}
