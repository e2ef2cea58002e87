package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/server"
)

// TestSubmissionQuotas: the rates per device and per address and the open
// cases per device each end in a 429 with Retry-After; a replay is always
// answered, and another device is not affected.
func TestSubmissionQuotas(t *testing.T) {
	t.Run("per device", func(t *testing.T) {
		e := newEnv(t, func(c *server.Config) { c.SubmissionsPerHour = 2 })
		svc, example := e.sperrmuell(t)
		b := body(t, svc.ID, svc.Form, example)
		d, other := e.register(t), e.register(t)
		first := caseOf(t, e.submitAs(t, auth(d), "k1", b))
		caseOf(t, e.submitAs(t, auth(d), "k2", b))
		r := e.submitAs(t, auth(d), "k3", b)
		problemOf(t, r, http.StatusTooManyRequests, api.ProblemQuota)
		if r.header.Get("Retry-After") == "" {
			t.Error("a 429 without Retry-After")
		}
		if c := caseOf(t, e.submitAs(t, auth(d), "k1", b)); c.ID != first.ID {
			t.Errorf("replay = %s, want %s", c.ID, first.ID)
		}
		caseOf(t, e.submitAs(t, auth(other), "k3", b))
		if got := e.countCases(t); got != 3 {
			t.Errorf("CountCases = %d, want 3", got)
		}
	})
	t.Run("per address", func(t *testing.T) {
		e := newEnv(t, func(c *server.Config) { c.AddressSubmissionsPerHour = 2 })
		svc, example := e.sperrmuell(t)
		b := body(t, svc.ID, svc.Form, example)
		caseOf(t, e.submit(t, "k1", b))
		caseOf(t, e.submitAs(t, auth(e.register(t)), "k2", b))
		r := e.submit(t, "k3", b)
		problemOf(t, r, http.StatusTooManyRequests, api.ProblemRateLimited)
		if r.header.Get("Retry-After") == "" {
			t.Error("a 429 without Retry-After")
		}
	})
	t.Run("open cases", func(t *testing.T) {
		e := newEnv(t, withStaff, func(c *server.Config) { c.MaxOpenCases = 2 })
		svc, example := e.sperrmuell(t)
		b := body(t, svc.ID, svc.Form, example)
		d := e.register(t)
		c1 := caseOf(t, e.submitAs(t, auth(d), "k1", b))
		caseOf(t, e.submitAs(t, auth(d), "k2", b))
		r := e.submitAs(t, auth(d), "k3", b)
		p := problemOf(t, r, http.StatusTooManyRequests, api.ProblemQuota)
		if r.header.Get("Retry-After") != "3600" || !strings.Contains(p.Detail, "2") {
			t.Errorf("Retry-After %q, detail %q; want 3600 and the limit", r.header.Get("Retry-After"), p.Detail)
		}
		caseOf(t, e.submit(t, "anonymous", b)) // no device, no count
		if r := e.setStatus(t, staffToken, c1.ID, api.StatusRequest{Status: api.StatusDecided}); r.status != http.StatusOK {
			t.Fatalf("decide: %d %s", r.status, r.body)
		}
		caseOf(t, e.submitAs(t, auth(d), "k3", b))
	})
}

// TestDraftQuotas: a device may keep so many drafts and so many bytes of
// them; at the quota it may still change and delete what it has.
func TestDraftQuotas(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.MaxDrafts, c.MaxDraftBytes = 2, 4000 })
	d := e.register(t)
	put := func(id, value string, ms int64) response {
		c := api.DraftCopy{ID: id, Fields: map[string]api.DraftField{"a": {Value: []byte(`"` + value + `"`), Clock: at(ms, d.ID)}}}
		return e.do(t, http.MethodPut, api.PathDrafts+id, auth(d), jsonBody(t, c))
	}
	del := func(id string, ms int64) response {
		c := api.DraftCopy{ID: id, Deleted: &api.DraftField{Clock: at(ms, d.ID)}}
		return e.do(t, http.MethodPut, api.PathDrafts+id, auth(d), jsonBody(t, c))
	}
	ok := func(r response) {
		t.Helper()
		if r.status != http.StatusOK {
			t.Fatalf("PUT = %d %s, want 200", r.status, r.body)
		}
	}
	ok(put("x", "1", 1))
	ok(put("y", "1", 1))
	r := put("z", "1", 1)
	problemOf(t, r, http.StatusTooManyRequests, api.ProblemQuota)
	if r.header.Get("Retry-After") == "" {
		t.Error("a 429 without Retry-After")
	}
	ok(put("x", "2", 2)) // changing one it has
	ok(del("y", 3))      // deleting one
	ok(put("z", "1", 4)) // now there is room

	// Bytes: growing past the quota is refused, shrinking is not.
	problemOf(t, put("x", strings.Repeat("a", 3800), 5), http.StatusTooManyRequests, api.ProblemQuota)
	problemOf(t, put("x", strings.Repeat("a", 5000), 5), http.StatusRequestEntityTooLarge, api.ProblemTooLarge)
	ok(put("x", strings.Repeat("a", 1500), 6))
	ok(put("x", "small", 7))

	var stored string
	if err := e.rawDB(t).QueryRow(`SELECT copy FROM drafts WHERE id = 'x'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stored, `"small"`) {
		t.Errorf("stored copy %s, want the last accepted value", stored)
	}
	if n := e.count(t, "drafts"); n != 3 {
		t.Errorf("%d draft rows, want 3 (x, y deleted, z)", n)
	}
}

func TestDraftWritesPerAddress(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.AddressDraftWritesPerHour = 2 })
	d := e.register(t)
	for i := range 3 {
		c := api.DraftCopy{ID: "x", Fields: map[string]api.DraftField{"a": {Value: []byte(fmt.Sprint(i)), Clock: at(int64(i), d.ID)}}}
		r := e.do(t, http.MethodPut, api.PathDrafts+"x", auth(d), jsonBody(t, c))
		if i < 2 && r.status != http.StatusOK {
			t.Fatalf("PUT %d = %d %s", i, r.status, r.body)
		}
		if i == 2 {
			problemOf(t, r, http.StatusTooManyRequests, api.ProblemRateLimited)
		}
	}
}
