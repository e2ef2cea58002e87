package reliability

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/app/citizen"
)

// badInput is one kind of bad input: what is sent (to the running backend
// over loopback, or by the app's clients to the backend or to whatever
// answers in its place) and what must come of it.
type badInput struct {
	name string
	send func(t *testing.T, r *rig) result
	want want
	// known says why the case fails today (issue 14, the backend's part);
	// such a case is skipped with what failed. Once it passes, the mark
	// must go.
	known string
}

// result is what a case got: the backend's answer, or the client's error.
type result struct {
	answer
	client bool
	err    error
	// caseID is a case the request made, whose stored data a check reads.
	caseID string
}

// want is what a case must get.
type want struct {
	// The backend: the statuses allowed; every 4xx and 5xx must be a
	// problem detail of its own status, of type typ when set, and naming
	// pointer among its field errors when set.
	status  []int
	typ     string
	pointer string
	// The app's clients: the error's code and whether it is retried;
	// its message must be translated.
	code      string
	transient bool
	// stores: a 2xx may store something (its own new case or copy). Any
	// other answer must leave every row and file as it was.
	stores bool
	// check adds checks of its own; it returns what failed.
	check func(t *testing.T, r *rig, res result) []string
}

// TestBadInput sends every kind of bad input and checks that each gets a
// clear error (a problem detail from the backend, a translated message
// from the app's clients, retried exactly when retrying can help) and
// that nothing stored is lost or changed.
func TestBadInput(t *testing.T) {
	r := newRig(t)
	cases := append(backendCases(t), clientCases(t)...)
	names := map[string]bool{}
	for _, c := range cases {
		if names[c.name] {
			t.Fatalf("two cases are named %q", c.name)
		}
		names[c.name] = true
	}
	var passed, known int
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := r.snapshot(t)
			res := c.send(t, r)
			fails := c.want.verify(t, r, res)
			if !c.want.stores || !(res.status >= 200 && res.status < 300) {
				if d := changed(before, r.snapshot(t)); len(d) > 0 {
					fails = append(fails, "stored data changed: "+strings.Join(d, "; "))
				}
			}
			fails = append(fails, r.intact(t)...)
			switch {
			case len(fails) > 0 && c.known != "":
				known++
				t.Skipf("known failure (%s): %s", c.known, strings.Join(fails, "; "))
			case len(fails) > 0:
				t.Error(strings.Join(fails, "\n"))
			case c.known != "":
				t.Errorf("passes now: remove the known mark %q", c.known)
			default:
				passed++
			}
		})
	}
	t.Logf("%d kinds of bad input: %d handled as they must be, %d known failures (skipped, listed above)", len(cases), passed, known)
}

func (w want) verify(t *testing.T, r *rig, res result) []string {
	t.Helper()
	var fails []string
	if res.client {
		fails = w.verifyClient(r, res)
	} else {
		fails = w.verifyBackend(res)
	}
	if w.check != nil {
		fails = append(fails, w.check(t, r, res)...)
	}
	return fails
}

func (w want) verifyBackend(res result) []string {
	if !slices.Contains(w.status, res.status) {
		return []string{fmt.Sprintf("status %d, want %v; body %.300s", res.status, w.status, res.body)}
	}
	if res.status < 400 || res.method == http.MethodHead {
		return nil // a success, a redirect, or an answer without a body
	}
	if ct := res.header.Get("Content-Type"); ct != api.ContentTypeProblem {
		return []string{fmt.Sprintf("%d with Content-Type %q, not a problem detail: %.300s", res.status, ct, res.body)}
	}
	var p api.Problem
	if err := json.Unmarshal(res.body, &p); err != nil {
		return []string{fmt.Sprintf("problem detail %.300s: %v", res.body, err)}
	}
	var fails []string
	if p.Status != res.status || p.Title == "" || p.Detail == "" {
		fails = append(fails, fmt.Sprintf("problem %+v lacks its status, a title or a detail", p))
	}
	if w.typ != "" && p.Type != w.typ {
		fails = append(fails, fmt.Sprintf("problem type %q, want %q", p.Type, w.typ))
	}
	if w.pointer != "" && !slices.ContainsFunc(p.Errors, func(e api.FieldError) bool { return e.Pointer == w.pointer }) {
		fails = append(fails, fmt.Sprintf("field errors %+v do not name %s", p.Errors, w.pointer))
	}
	for _, e := range p.Errors {
		if e.Message["de"] == "" || e.Message["en"] == "" {
			fails = append(fails, fmt.Sprintf("field error %+v lacks a German or English message", e))
		}
	}
	return fails
}

func (w want) verifyClient(r *rig, res result) []string {
	if res.err == nil {
		return []string{"no error"}
	}
	var ce *citizen.Error
	if !errors.As(res.err, &ce) {
		return []string{fmt.Sprintf("error %v (%T) is no *citizen.Error", res.err, res.err)}
	}
	var fails []string
	if ce.Code != w.code || ce.Transient != w.transient {
		fails = append(fails, fmt.Sprintf("error %q: code %s, transient %v; want %s, %v", res.err, ce.Code, ce.Transient, w.code, w.transient))
	}
	if msg := citizen.ErrorMessage(res.err); r.en[msg] == "" || r.de[msg] == "" {
		fails = append(fails, fmt.Sprintf("message %q is not translated", msg))
	}
	return fails
}

// intact checks what no bad input may touch: A's case answers its key,
// A's uploads are there.
func (r *rig) intact(t *testing.T) []string {
	t.Helper()
	var fails []string
	res := r.do(t, http.MethodPost, api.PathSubmissions, r.auth(r.a, api.HeaderIdempotencyKey, "a-1"), r.bodyA)
	var c api.Case
	if res.status != http.StatusCreated || json.Unmarshal(res.body, &c) != nil || c.ID != r.caseA.ID {
		fails = append(fails, fmt.Sprintf("A's case no longer answers its key: %d %.200s", res.status, res.body))
	}
	var n int
	if err := r.raw.QueryRow("SELECT count(*) FROM uploads WHERE id IN (?, ?)", r.finished, r.partial).Scan(&n); err != nil || n != 2 {
		fails = append(fails, fmt.Sprintf("A's uploads: %d of 2 recorded (%v)", n, err))
	}
	return fails
}
