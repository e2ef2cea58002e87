package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"rathaus/api"
)

// TestAnswer: the citizen answers a request for more information; the case
// goes on with its history, once, however often the answer is sent.
func TestAnswer(t *testing.T) {
	e := newEnv(t, withStaff)
	svc := e.catalog.Services[0]
	mine, other := e.register(t), e.register(t)
	c := caseOf(t, e.submitAs(t, auth(mine), "k", body(t, svc.ID, svc.Form, e.example(t, svc))))
	path := api.PathCases + c.ID + api.AnswerSuffix
	answer := func(d api.Device, key string, b []byte) response {
		t.Helper()
		h := auth(d)
		h.Set("Content-Type", api.ContentTypeJSON)
		h.Set(api.HeaderIdempotencyKey, key)
		return e.do(t, http.MethodPost, path, h, bytes.NewReader(b))
	}
	data := e.example(t, svc)
	good := body(t, svc.ID, svc.Form, data)

	if r := answer(mine, "a1", good); r.status != http.StatusConflict {
		t.Errorf("an answer nobody asked for: %d %s, want 409", r.status, r.body)
	}
	if r := e.setStatus(t, staffToken, c.ID, api.StatusRequest{Status: api.StatusInfoNeeded, Note: api.Text{"de": "Bitte ergänzen."}}); r.status != http.StatusOK {
		t.Fatalf("ask for more: %d %s", r.status, r.body)
	}
	broken := map[string]any{}
	for k, v := range data {
		broken[k] = v
	}
	broken["nonsense-field"] = true
	tests := []struct {
		name   string
		device api.Device
		key    string
		body   []byte
		want   int
	}{
		{"another device", other, "a1", good, http.StatusNotFound},
		{"another service", mine, "a1", body(t, e.catalog.Services[1].ID, e.catalog.Services[1].Form, e.example(t, e.catalog.Services[1])), http.StatusUnprocessableEntity},
		{"data the form refuses", mine, "a1", body(t, svc.ID, svc.Form, broken), http.StatusUnprocessableEntity},
		{"the answer", mine, "a1", good, http.StatusOK},
		{"the answer again", mine, "a1", good, http.StatusOK},
		{"a second answer", mine, "a2", good, http.StatusConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := answer(tt.device, tt.key, tt.body)
			if r.status != tt.want {
				t.Fatalf("status %d, want %d; body %.300s", r.status, tt.want, r.body)
			}
			if tt.want != http.StatusOK {
				return
			}
			var got api.Case
			if err := json.Unmarshal(r.body, &got); err != nil {
				t.Fatal(err)
			}
			if got.ID != c.ID || got.Number != c.Number || got.Status != api.StatusInReview || len(got.History) != 3 {
				t.Errorf("case = %+v, want %s in review with 3 events", got, c.Number)
			}
		})
	}
	if n, err := e.db.CountCases(t.Context()); err != nil || n != 1 {
		t.Errorf("cases = %d (%v), want 1: an answer is no new case", n, err)
	}
}
