package server_test

import (
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"rathaus/api"
)

func TestStaffWorkflow(t *testing.T) {
	e := newEnv(t, withStaff)
	svc := e.catalog.Services[0]
	c := caseOf(t, e.submit(t, "k", body(t, svc.ID, svc.Form, e.example(t, svc))))

	// In order: each step starts where the one before left the case.
	steps := []struct {
		name   string
		token  string
		caseID string
		req    any
		status int
		typ    string
	}{
		{"no token", "", c.ID, api.StatusRequest{Status: api.StatusInReview}, 401, api.ProblemUnauthorized},
		{"wrong token", "nope", c.ID, api.StatusRequest{Status: api.StatusInReview}, 401, api.ProblemUnauthorized},
		{"a device's token is not staff", e.register(t).Token, c.ID, api.StatusRequest{Status: api.StatusInReview}, 401, api.ProblemUnauthorized},
		{"forward", staffToken, c.ID, api.StatusRequest{Status: api.StatusInReview, Note: api.Text{"de": "In Prüfung"}}, 200, ""},
		{"same status", staffToken, c.ID, api.StatusRequest{Status: api.StatusInReview}, 409, api.ProblemWorkflow},
		{"backward", staffToken, c.ID, api.StatusRequest{Status: api.StatusReceived}, 409, api.ProblemWorkflow},
		{"unknown status", staffToken, c.ID, api.StatusRequest{Status: "archived"}, 422, api.ProblemValidation},
		{"not a status request", staffToken, c.ID, "in_review", 400, api.ProblemBadRequest},
		{"unknown case", staffToken, "c_0000000000000000", api.StatusRequest{Status: api.StatusDecided}, 404, api.ProblemNotFound},
		{"skip inspection", staffToken, c.ID, api.StatusRequest{Status: api.StatusDecided, Note: api.Text{"de": "Bewilligt", "en": "Granted"}}, 200, ""},
		{"back from decided", staffToken, c.ID, api.StatusRequest{Status: api.StatusInspection}, 409, api.ProblemWorkflow},
	}
	var last api.Case
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			r := e.setStatus(t, st.token, st.caseID, st.req)
			if st.status != http.StatusOK {
				problemOf(t, r, st.status, st.typ)
				return
			}
			if r.status != http.StatusOK {
				t.Fatalf("status = %d, want 200; body %s", r.status, r.body)
			}
			last = decodeCase(t, r)
		})
	}
	want := []api.CaseEvent{
		{Status: api.StatusReceived, At: c.Created},
		{Status: api.StatusInReview, At: c.Created, Note: api.Text{"de": "In Prüfung"}},
		{Status: api.StatusDecided, At: c.Created, Note: api.Text{"de": "Bewilligt", "en": "Granted"}},
	}
	if last.Status != api.StatusDecided || !reflect.DeepEqual(last.History, want) {
		t.Errorf("case = %s with history %+v, want decided with %+v", last.Status, last.History, want)
	}
	// A replay of the submission shows the case as it is now.
	replay := caseOf(t, e.submit(t, "k", body(t, svc.ID, svc.Form, e.example(t, svc))))
	if !reflect.DeepEqual(replay.History, want) {
		t.Errorf("replayed case history = %+v, want %+v", replay.History, want)
	}
}

func TestStaffAPIOffWithoutToken(t *testing.T) {
	e := newEnv(t)
	svc := e.catalog.Services[0]
	c := caseOf(t, e.submit(t, "k", body(t, svc.ID, svc.Form, e.example(t, svc))))
	for _, token := range []string{"", staffToken} {
		t.Run("token "+token, func(t *testing.T) {
			r := e.setStatus(t, token, c.ID, api.StatusRequest{Status: api.StatusInReview})
			problemOf(t, r, http.StatusNotFound, api.ProblemNotFound)
			if strings.Contains(string(r.body), "case") {
				t.Errorf("body %s talks about the case; the API should look absent", r.body)
			}
		})
	}
}

// TestStaffConcurrentSameStatus: of two staff members who move a case to
// the same status at once, exactly one succeeds.
func TestStaffConcurrentSameStatus(t *testing.T) {
	e := newEnv(t, withStaff)
	svc := e.catalog.Services[0]
	c := caseOf(t, e.submit(t, "k", body(t, svc.ID, svc.Form, e.example(t, svc))))
	const n = 8
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			codes[i] = e.setStatus(t, staffToken, c.ID, api.StatusRequest{Status: api.StatusInspection}).status
		})
	}
	wg.Wait()
	count := map[int]int{}
	for _, code := range codes {
		count[code]++
	}
	if count[http.StatusOK] != 1 || count[http.StatusConflict] != n-1 {
		t.Errorf("answers = %v, want one 200 and %d 409", count, n-1)
	}
}
