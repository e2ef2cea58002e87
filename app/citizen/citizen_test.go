package citizen_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
)

func TestErrors(t *testing.T) {
	cause := errors.New("connection refused")
	for _, tc := range []struct {
		name      string
		err       error
		code      string
		transient bool
		message   string
	}{
		{"nil", nil, "", false, ""},
		{"plain", errors.New("x"), citizen.EINTERNAL, false, "Something went wrong."},
		{"permanent", citizen.Errorf(citizen.EINVALID, "Bad %s.", "postcode"), citizen.EINVALID, false, "Bad postcode."},
		{"transient wrapped", fmt.Errorf("push: %w", citizen.Transient(citizen.EUNAVAILABLE, "Offline.", cause)), citizen.EUNAVAILABLE, true, "Offline."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := citizen.ErrorCode(tc.err); got != tc.code {
				t.Errorf("ErrorCode = %q, want %q", got, tc.code)
			}
			if got := citizen.IsTransient(tc.err); got != tc.transient {
				t.Errorf("IsTransient = %v, want %v", got, tc.transient)
			}
			if got := citizen.ErrorMessage(tc.err); got != tc.message {
				t.Errorf("ErrorMessage = %q, want %q", got, tc.message)
			}
		})
	}
	if !errors.Is(citizen.Transient(citizen.EUNAVAILABLE, "Offline.", cause), cause) {
		t.Error("a transient error does not unwrap to its cause")
	}
}

func TestStates(t *testing.T) {
	for _, s := range []citizen.DraftState{citizen.DraftEditing, citizen.DraftQueued, citizen.DraftSent, citizen.DraftRejected} {
		got, ok := citizen.ParseDraftState(s.String())
		if !ok || got != s {
			t.Errorf("ParseDraftState(%q) = %v, %v", s, got, ok)
		}
	}
	if citizen.DraftQueued.Editable() || citizen.DraftQueued.Deletable() {
		t.Error("a queued draft must be neither editable nor deletable")
	}
	if !citizen.DraftRejected.Editable() {
		t.Error("a rejected draft must be editable again")
	}
	if citizen.DraftState(42).String() != "unknown" {
		t.Error("an out-of-range state must print as unknown")
	}
}

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := citizen.NewID()
		if len(id) != 32 || seen[id] {
			t.Fatalf("NewID = %q (seen before: %v)", id, seen[id])
		}
		seen[id] = true
	}
}

func TestHLC(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	a := citizen.NewHLC("dev-a", func() time.Time { return now })
	t1 := a.Now()
	t2 := a.Now() // same millisecond: the counter orders them
	if !(t1 < t2) {
		t.Errorf("clocks %q then %q are not increasing", t1, t2)
	}
	// Device b's wall clock is behind; after seeing a's timestamp its next
	// one still sorts after it.
	b := citizen.NewHLC("dev-b", func() time.Time { return now.Add(-time.Minute) })
	b.Observe(t2)
	if t3 := b.Now(); !(t3 > t2) {
		t.Errorf("b after observing %q made %q, want a later timestamp", t2, t3)
	}
	now = now.Add(time.Second)
	if t4 := a.Now(); !(t4 > t2) || t4[:13] != fmt.Sprintf("%013d", now.UnixMilli()) {
		t.Errorf("a after a second = %q", t4)
	}
	a.Observe("garbage") // ignored, no panic
	if t5 := a.Now(); !(t5 > t1) {
		t.Errorf("clock went backwards after a garbage observation: %q", t5)
	}
}

func TestOutboxKinds(t *testing.T) {
	for _, k := range []citizen.OutboxKind{citizen.OutboxSubmission, citizen.OutboxDraft} {
		got, ok := citizen.ParseOutboxKind(k.String())
		if !ok || got != k {
			t.Errorf("ParseOutboxKind(%q) = %v, %v", k, got, ok)
		}
		if p := k.NewPayload(); p == nil || p.OutboxKind() != k {
			t.Errorf("%s: NewPayload = %#v, want an empty payload of the kind", k, p)
		}
	}
	if citizen.OutboxSubmission.String() != "submission" || citizen.OutboxDraft.String() != "draft" {
		t.Errorf("names = %q, %q; stored items are found by them", citizen.OutboxSubmission, citizen.OutboxDraft)
	}
	var none citizen.OutboxKind
	if none.String() != "unknown" || none.NewPayload() != nil {
		t.Error("the zero kind must be no kind")
	}
	if _, ok := citizen.ParseOutboxKind("no_such_kind"); ok { // "report" was the example until reports came
		t.Error("an unregistered name parsed")
	}
	for _, name := range []string{"submission", "Bad Name", ""} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("RegisterOutboxKind(%q) did not panic", name)
				}
			}()
			citizen.RegisterOutboxKind(name, func() citizen.OutboxPayload { return new(citizen.SubmissionPayload) })
		}()
	}
}

// TestOutboxPayloads_JSON: payloads keep the JSON that items queued by
// earlier versions of the app have in their databases.
func TestOutboxPayloads_JSON(t *testing.T) {
	req := api.SubmissionRequest{Service: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1}, Data: json.RawMessage(`{"a":1}`)}
	tomb := &api.DraftCopy{ID: "d", Service: "hundesteuer", Form: req.Form, Deleted: &api.DraftField{Clock: "c"}}
	for _, tc := range []struct {
		name    string
		payload citizen.OutboxPayload
		want    any // what earlier versions stored
	}{
		{"submission", &citizen.SubmissionPayload{Request: req}, req},
		{"draft copy", &citizen.DraftCopyPayload{}, map[string]any{}},
		{"tombstone", &citizen.DraftCopyPayload{Tombstone: tomb}, tomb},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(tc.payload)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(tc.want)
			if string(got) != string(want) {
				t.Errorf("JSON = %s, want %s", got, want)
			}
			back := tc.payload.OutboxKind().NewPayload()
			if err := json.Unmarshal(got, back); err != nil {
				t.Fatal(err)
			}
			if again, _ := json.Marshal(back); string(again) != string(got) {
				t.Errorf("round trip = %s, want %s", again, got)
			}
		})
	}
}
