package handoff_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server/servertest"
)

// env is the real backend on a clock the test moves (e.Clock).
type env struct{ *servertest.Backend }

func newEnv(t *testing.T) env {
	t.Helper()
	return env{servertest.New(t, servertest.WithClock(servertest.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))))}
}

func (e env) create(t *testing.T, token string, ct []byte) api.Handoff {
	t.Helper()
	code, body := e.Call(t, http.MethodPost, api.PathHandoffs, token, api.NewHandoff{Ciphertext: ct})
	var h api.Handoff
	if code != http.StatusCreated || json.Unmarshal(body, &h) != nil || h.ID == "" {
		t.Fatalf("create: %d %s", code, body)
	}
	return h
}

func problemType(t *testing.T, body []byte) string {
	t.Helper()
	var p api.Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("not a problem: %s", body)
	}
	return p.Type
}

func TestHandoffClaimedOnce(t *testing.T) {
	e := newEnv(t)
	kiosk := e.Device(t).Token
	ct := bytes.Repeat([]byte{7}, 100)
	h := e.create(t, kiosk, ct)
	if want := e.Clock.Now().Add(30 * time.Minute); !h.Expires.Equal(want) {
		t.Errorf("expires %v, want %v", h.Expires, want)
	}
	e.Clock.Advance(time.Minute)
	// The phone claims without a device credential.
	code, body := e.Call(t, http.MethodPost, api.PathHandoffs+h.ID+"/claim", "", nil)
	var c api.HandoffClaim
	if code != http.StatusOK || json.Unmarshal(body, &c) != nil || !bytes.Equal(c.Ciphertext, ct) {
		t.Fatalf("first claim: %d %s", code, body)
	}
	code, body = e.Call(t, http.MethodPost, api.PathHandoffs+h.ID+"/claim", "", nil)
	if code != http.StatusGone || problemType(t, body) != api.ProblemHandoffClaimed {
		t.Errorf("second claim: %d %s, want 410 %s", code, body, api.ProblemHandoffClaimed)
	}
	// The kiosk sees when it was claimed; another device does not see it.
	code, body = e.Call(t, http.MethodGet, api.PathHandoffs+h.ID, kiosk, nil)
	var st api.Handoff
	if code != http.StatusOK || json.Unmarshal(body, &st) != nil || st.Claimed == nil || !st.Claimed.Equal(e.Clock.Now()) {
		t.Errorf("state: %d %s, want claimed at %v", code, body, e.Clock.Now())
	}
	if code, _ := e.Call(t, http.MethodGet, api.PathHandoffs+h.ID, e.Device(t).Token, nil); code != http.StatusNotFound {
		t.Errorf("another device's look: %d, want 404", code)
	}
}

func TestHandoffRefusals(t *testing.T) {
	e := newEnv(t)
	kiosk := e.Device(t).Token
	h := e.create(t, kiosk, bytes.Repeat([]byte{7}, 100))
	tests := []struct {
		name    string
		do      func() (int, []byte)
		code    int
		problem string
	}{
		{"create without a device", func() (int, []byte) {
			return e.Call(t, http.MethodPost, api.PathHandoffs, "", api.NewHandoff{Ciphertext: make([]byte, 64)})
		}, http.StatusUnauthorized, ""},
		{"create without ciphertext", func() (int, []byte) {
			return e.Call(t, http.MethodPost, api.PathHandoffs, kiosk, api.NewHandoff{})
		}, http.StatusUnprocessableEntity, api.ProblemValidation},
		{"create too large", func() (int, []byte) {
			return e.Call(t, http.MethodPost, api.PathHandoffs, kiosk, api.NewHandoff{Ciphertext: make([]byte, api.HandoffMaxBytes+1)})
		}, http.StatusUnprocessableEntity, api.ProblemValidation},
		{"claim unknown", func() (int, []byte) {
			return e.Call(t, http.MethodPost, api.PathHandoffs+"nope/claim", "", nil)
		}, http.StatusNotFound, ""},
		{"claim expired", func() (int, []byte) {
			e.Clock.Advance(30 * time.Minute)
			return e.Call(t, http.MethodPost, api.PathHandoffs+h.ID+"/claim", "", nil)
		}, http.StatusGone, api.ProblemHandoffExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := tc.do()
			if code != tc.code {
				t.Fatalf("got %d %s, want %d", code, body, tc.code)
			}
			if tc.problem != "" {
				if got := problemType(t, body); got != tc.problem {
					t.Errorf("problem type %q, want %q", got, tc.problem)
				}
			}
		})
	}
}
