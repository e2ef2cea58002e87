package server_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"rathaus/api"
)

func TestSubmitValidation(t *testing.T) {
	e := newEnv(t)
	svc := e.service(t, "hundesteuer")
	data := e.example(t, svc)
	data["postcode"] = "123"
	delete(data, "dog_name")

	p := problemOf(t, e.submit(t, "k", body(t, svc.ID, svc.Form, data)),
		http.StatusUnprocessableEntity, api.ProblemValidation)
	want := map[string]string{"/postcode": "pattern", "/dog_name": "required"}
	for _, fe := range p.Errors {
		if want[fe.Pointer] == fe.Code {
			delete(want, fe.Pointer)
		}
		if fe.Detail == "" || fe.Message["de"] == "" || fe.Message["en"] == "" || fe.Detail != fe.Message["en"] {
			t.Errorf("error %+v: want an English detail and messages in de and en", fe)
		}
	}
	if len(want) > 0 {
		t.Errorf("errors = %+v, missing %v", p.Errors, want)
	}
	if got := e.countCases(t); got != 0 {
		t.Errorf("CountCases = %d, want 0", got)
	}
}

func TestSubmitRefused(t *testing.T) {
	e := newEnv(t)
	svc := e.catalog.Services[0]
	good := body(t, svc.ID, svc.Form, e.example(t, svc))
	// A form of another service, if the catalog has one.
	var otherForm api.FormRef
	for _, s := range e.catalog.Services {
		if s.Form.ID != svc.Form.ID {
			otherForm = s.Form
		}
	}
	huge := append([]byte(`{"service":"`+svc.ID+`","data":{"x":"`), bytes.Repeat([]byte("a"), 2<<20)...)
	huge = append(huge, `"}}`...)

	tests := []struct {
		name   string
		key    string
		body   []byte
		status int
		typ    string
	}{
		{"no key", "", good, 400, api.ProblemMissingKey},
		{"key too long", strings.Repeat("k", 256), good, 400, api.ProblemMissingKey},
		{"key not ASCII", "schlüssel", good, 400, api.ProblemMissingKey},
		{"key with control", "a\tb", good, 400, api.ProblemMissingKey},
		{"2 MiB body", "k", huge, 413, api.ProblemTooLarge},
		{"invalid UTF-8", "k", []byte("{\"service\":\"" + svc.ID + "\xff\xfe\",\"data\":{}}"), 400, api.ProblemBadRequest},
		{"garbage", "k", []byte("not json"), 400, api.ProblemBadRequest},
		{"empty", "k", nil, 400, api.ProblemBadRequest},
		{"two values", "k", append(append([]byte{}, good...), good...), 400, api.ProblemBadRequest},
		{"data missing", "k", []byte(`{"service":"` + svc.ID + `","form":{"id":"` + svc.Form.ID + `","version":1}}`), 400, api.ProblemBadRequest},
		{"data null", "k", body(t, svc.ID, svc.Form, nil), 400, api.ProblemBadRequest},
		{"data an array", "k", body(t, svc.ID, svc.Form, []int{1}), 400, api.ProblemBadRequest},
		{"data a string", "k", body(t, svc.ID, svc.Form, "x"), 400, api.ProblemBadRequest},
		{"unknown service", "k", body(t, "no-such-service", svc.Form, e.example(t, svc)), 404, api.ProblemUnknownForm},
		{"unknown form version", "k", body(t, svc.ID, api.FormRef{ID: svc.Form.ID, Version: 999}, e.example(t, svc)), 404, api.ProblemUnknownForm},
		{"unknown form", "k", body(t, svc.ID, api.FormRef{ID: "no-such-form", Version: 1}, e.example(t, svc)), 404, api.ProblemUnknownForm},
	}
	if otherForm.ID != "" {
		tests = append(tests, struct {
			name   string
			key    string
			body   []byte
			status int
			typ    string
		}{"another service's form", "k", body(t, svc.ID, otherForm, e.example(t, svc)), 404, api.ProblemUnknownForm})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problemOf(t, e.submit(t, tt.key, tt.body), tt.status, tt.typ)
		})
	}
	if got := e.countCases(t); got != 0 {
		t.Errorf("CountCases = %d, want 0", got)
	}
}

// TestSubmitTooLargeChunked sends a body without a Content-Length, so that
// only reading it can find it too large.
func TestSubmitTooLargeChunked(t *testing.T) {
	e := newEnv(t)
	big := io.MultiReader(strings.NewReader(`{"service":"x","data":{"x":"`),
		io.LimitReader(neverEnding('a'), 2<<20), strings.NewReader(`"}}`))
	h := http.Header{api.HeaderIdempotencyKey: {"k"}}
	problemOf(t, e.do(t, http.MethodPost, api.PathSubmissions, h, struct{ io.Reader }{big}),
		http.StatusRequestEntityTooLarge, api.ProblemTooLarge)
}

type neverEnding byte

func (b neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}
