package server_test

import (
	"net/http"
	"testing"

	"rathaus/api"
)

// TestSubmitRequiresLogin: a service with requires_login takes no
// submission from a device outside any account (403, login-required, no
// case), and takes it once the device is linked; other services stay open
// to anonymous devices.
func TestSubmitRequiresLogin(t *testing.T) {
	e := newEnv(t, withService("hundesteuer", func(s *api.Service) { s.RequiresLogin = true }))
	svc, open := e.service(t, "hundesteuer"), e.service(t, "meldebescheinigung")
	body := func(s api.Service) []byte {
		return mustMarshal(t, api.SubmissionRequest{Service: s.ID, Form: s.Form, Data: mustMarshal(t, e.example(t, s))})
	}
	dev := e.register(t)

	r := e.submitAs(t, auth(dev), "k-1", body(svc))
	problemOf(t, r, http.StatusForbidden, api.ProblemLoginRequired)
	caseOf(t, e.submitAs(t, auth(dev), "k-open", body(open)))

	if err := e.db.LinkDevices(t.Context(), "acc-1", dev.ID); err != nil {
		t.Fatal(err)
	}
	c := caseOf(t, e.submitAs(t, auth(dev), "k-1", body(svc)))
	if c.Service != svc.ID {
		t.Errorf("case of %s, want %s", c.Service, svc.ID)
	}
}
