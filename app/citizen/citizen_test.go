package citizen_test

import (
	"errors"
	"fmt"
	"testing"

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
