package engine_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/server/servertest"
	"rathaus/sync/portal"
)

// Poll answers in the kinds' fault table: item i answers demo poll i%2.
type pollAnswersUnderTest struct{ queued map[string]map[string]any }

var demoPolls = []string{"marktplatz", "radverkehr"}

func pollAnswer(poll string, i int) map[string]any {
	if poll == "radverkehr" {
		return map[string]any{"vorrang": []string{"ja", "nein"}[i%2]}
	}
	return map[string]any{"nutzung": []string{"markt", "gruen"}[i%2], "wuensche": []any{"baeume"}}
}

func (*pollAnswersUnderTest) kind() citizen.OutboxKind { return citizen.OutboxPollAnswer }

func (*pollAnswersUnderTest) open(t *testing.T, n *faultNet) *rig { return newFaultDevice(t, n) }

func (k *pollAnswersUnderTest) queue(t *testing.T, dev *rig, i int) {
	poll := demoPolls[i%2]
	data := pollAnswer(poll, i)
	queuePollAnswer(t, dev, poll, data)
	if k.queued == nil {
		k.queued = map[string]map[string]any{}
	}
	k.queued[poll] = data
}

func (*pollAnswersUnderTest) sends(r *http.Request) bool {
	return r.Method == http.MethodPut && len(r.URL.Path) > len(api.PathPolls) && r.URL.Path[:len(api.PathPolls)] == api.PathPolls
}

func (*pollAnswersUnderTest) held(t *testing.T, dev *rig) int {
	n := 0
	for _, p := range demoPolls {
		n += len(backendAnswers(t, dev.backend, p))
	}
	return n
}

// check: each poll holds the one answer the device gave it.
func (k *pollAnswersUnderTest) check(t *testing.T, n *faultNet, dev *rig) {
	t.Helper()
	for poll, want := range k.queued {
		got := backendAnswers(t, dev.backend, poll)
		if len(got) != 1 || !sameJSON(t, got[0], want) {
			t.Errorf("backend answers to %s = %v; want one, %v", poll, got, want)
		}
	}
}

// pollsOpen is a time the demo polls are open; at pollsClosed they are
// closed.
var (
	pollsOpen   = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	pollsClosed = time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
)

// newPollRig is a device of a backend whose clock (backend.Clock) the
// test moves, at pollsOpen to begin with.
func newPollRig(t *testing.T) *rig {
	t.Helper()
	return newRigOn(t, servertest.New(t, servertest.WithClock(servertest.NewClock(pollsOpen))))
}

func queuePollAnswer(t *testing.T, dev *rig, poll string, data map[string]any) {
	t.Helper()
	if _, err := dev.store.Enqueue(context.Background(), citizen.PollOutboxID(poll), &citizen.PollAnswerPayload{Poll: poll, Data: data}); err != nil {
		t.Fatal(err)
	}
}

func backendAnswers(t *testing.T, b *servertest.Backend, poll string) []map[string]any {
	t.Helper()
	raw, err := b.DB.PollAnswers(context.Background(), poll)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, r := range raw {
		var m map[string]any
		if err := json.Unmarshal(r, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// sameJSON compares got (decoded JSON) with want as JSON sees it.
func sameJSON(t *testing.T, got, want map[string]any) bool {
	t.Helper()
	b, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var w map[string]any
	if err := json.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(got, w)
}

// TestPollAnswerOffline: answered offline, then changed, still offline:
// after the sync the backend holds one answer of the device, the second.
func TestPollAnswerOffline(t *testing.T) {
	ctx := context.Background()
	dev := newRig(t)
	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatalf("first sync: %v", err)
	}
	dev.backend.Stop()
	first := map[string]any{"nutzung": "parken"}
	second := map[string]any{"nutzung": "gruen", "wuensche": []any{"brunnen"}}
	queuePollAnswer(t, dev, "marktplatz", first)
	if err := dev.engine.Sync(ctx); err == nil {
		t.Fatal("sync with the backend down succeeded")
	}
	queuePollAnswer(t, dev, "marktplatz", second)
	dev.backend.Start()
	converge(t, dev, 5)

	got := backendAnswers(t, dev.backend, "marktplatz")
	if len(got) != 1 || !sameJSON(t, got[0], second) {
		t.Errorf("backend answers = %v; want one, the second: %v", got, second)
	}
	if done := len(doneOf(t, dev, citizen.OutboxPollAnswer)); done != 2 {
		t.Errorf("answers done on the device = %d; want both", done)
	}
}

// TestPollAnswerAfterClosing: an answer that reaches the backend after the
// poll closed is refused for good (the citizen is told), and the results
// count the device's earlier answer once.
func TestPollAnswerAfterClosing(t *testing.T) {
	ctx := context.Background()
	dev := newPollRig(t)
	backend, clock := dev.backend, dev.backend.Clock
	queuePollAnswer(t, dev, "radverkehr", map[string]any{"vorrang": "ja"})
	converge(t, dev, 5)

	clock.Set(pollsClosed)
	queuePollAnswer(t, dev, "radverkehr", map[string]any{"vorrang": "nein"})
	converge(t, dev, 5)

	// The outbox keeps the answer sealed: the failed one is the later of
	// the two, and the citizen is told why.
	rows, err := dev.store.DB().Query(`SELECT state, last_error FROM outbox WHERE kind = ? ORDER BY id`, citizen.OutboxPollAnswer.String())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var state, msg string
		if err := rows.Scan(&state, &msg); err != nil {
			t.Fatal(err)
		}
		got = append(got, state+": "+msg)
	}
	if want := []string{"done: ", "failed: The poll closed before your answer reached the town hall."}; !reflect.DeepEqual(got, want) {
		t.Errorf("outbox = %q; want %q", got, want)
	}
	res, err := portal.New(backend.URL).PollResults(ctx, "radverkehr")
	if err != nil {
		t.Fatal(err)
	}
	if res.Answers != 1 {
		t.Errorf("results count %d answers; want 1", res.Answers)
	}
	for _, c := range res.Counts {
		if want := map[string]int{"ja": 1}[c.Option]; c.N != want {
			t.Errorf("count of %s = %d; want %d", c.Option, c.N, want)
		}
	}
}
