package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"rathaus/api"
)

// sperrmuell returns the demo's sperrmuell service and its example data.
func (e *env) sperrmuell(t *testing.T) (api.Service, map[string]any) {
	t.Helper()
	s := e.service(t, "sperrmuell")
	return s, e.example(t, s)
}

// spliced is a submission of data whose string values "@1", "@2", ... are
// replaced by the raw JSON texts given, which need not be valid.
func spliced(t *testing.T, svc api.Service, data map[string]any, raw ...string) []byte {
	t.Helper()
	b := body(t, svc.ID, svc.Form, data)
	for i, r := range raw {
		mark := []byte(`"@` + string(rune('1'+i)) + `"`)
		if !bytes.Contains(b, mark) {
			t.Fatalf("no %s in %s", mark, b)
		}
		b = bytes.Replace(b, mark, []byte(r), 1)
	}
	return b
}

// TestSubmitInputRule sends values the backend refuses before validation:
// each is a 422 naming the field by JSON Pointer, no case is made, and
// nothing panics (1e1000001 made the validator dereference nil).
func TestSubmitInputRule(t *testing.T) {
	e := newEnv(t)
	svc, example := e.sperrmuell(t)
	with := func(key string, v any) map[string]any {
		d := map[string]any{}
		for k, x := range example {
			d[k] = x
		}
		d[key] = v
		return d
	}
	million := strings.Repeat("7", 1_040_000)
	tests := []struct {
		name    string
		body    []byte
		pointer string
		code    string
	}{
		{"1e1000001", spliced(t, svc, with("volume_m3", "@1"), "1e1000001"), "/volume_m3", "numberTooLong"},
		{"-1e1000001", spliced(t, svc, with("volume_m3", "@1"), "-1e1000001"), "/volume_m3", "numberTooLong"},
		{"1e-1000001", spliced(t, svc, with("volume_m3", "@1"), "1e-1000001"), "/volume_m3", "numberTooLong"},
		{"1,040,000 digits", spliced(t, svc, with("volume_m3", "@1"), million), "/volume_m3", "numberTooLong"},
		{"NUL", spliced(t, svc, with("given_name", "@1"), `"Pe\u0000ter"`), "/given_name", "invalidText"},
		{"lone surrogate", spliced(t, svc, with("given_name", "@1"), `"Peter \ud800"`), "/given_name", "invalidText"},
		{"invalid UTF-8", spliced(t, svc, with("address", map[string]any{"street": "@1", "postcode": "51147", "city": "Musterstadt"}),
			"\"Rosenweg \xff4\""), "/address/street", "invalidText"},
		{"escape character", spliced(t, svc, with("placement", "@1"), `"\u001b[31mrot"`), "/placement", "invalidText"},
		{"duplicate key", spliced(t, svc, with("given_name", "@1"), `"Peter","given_name":"Paul"`), "/given_name", "duplicateKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := problemOf(t, e.submit(t, "k-"+tt.name, tt.body), http.StatusUnprocessableEntity, api.ProblemValidation)
			if len(p.Errors) != 1 {
				t.Fatalf("errors = %+v, want one", p.Errors)
			}
			fe := p.Errors[0]
			if fe.Pointer != tt.pointer || fe.Code != tt.code || fe.Message["de"] == "" || fe.Message["en"] == "" {
				t.Errorf("error = %+v, want %s at %s with messages in de and en", fe, tt.code, tt.pointer)
			}
		})
	}
	if got := e.countCases(t); got != 0 {
		t.Errorf("CountCases = %d, want 0", got)
	}
	if strings.Contains(e.logs.String(), "panicked") {
		t.Errorf("a handler panicked: %s", e.logs.String())
	}
}

// TestSubmitInputRuleOutsideData: the same refusals outside the form data
// are a 400, for the body is not a submission.
func TestSubmitInputRuleOutsideData(t *testing.T) {
	e := newEnv(t)
	svc, example := e.sperrmuell(t)
	good := string(body(t, svc.ID, svc.Form, example))
	tests := []struct{ name, body string }{
		{"version 1e1000001", strings.Replace(good, `"version":1`, `"version":1e1000001`, 1)},
		{"NUL in the service", strings.Replace(good, `"service":"sperrmuell"`, `"service":"sperr\u0000muell"`, 1)},
		{"nested 100,000 deep", `{"service":"sperrmuell","data":{"x":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problemOf(t, e.submit(t, "k", []byte(tt.body)), http.StatusBadRequest, api.ProblemBadRequest)
		})
	}
}

// TestSubmitStoresCanonicalData: numbers are stored in canonical form,
// and a retry that writes the same numbers differently is the same
// request.
func TestSubmitStoresCanonicalData(t *testing.T) {
	e := newEnv(t)
	svc, example := e.sperrmuell(t)
	example["items"] = []any{map[string]any{"kind": "sofa", "count": "@1"}}
	example["volume_m3"] = "@2"
	c := caseOf(t, e.submit(t, "k", spliced(t, svc, example, "2e0", "35.00e-1")))

	var stored string
	if err := e.rawDB(t).QueryRow("SELECT data FROM cases WHERE id = $1", c.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"items":[{"count":2,"kind":"sofa"}]`, `"volume_m3":3.5}`} {
		if !strings.Contains(stored, want) {
			t.Errorf("stored data %s, want it to hold %s", stored, want)
		}
	}

	again := e.submit(t, "k", spliced(t, svc, example, "2.0", "3.5"))
	if got := caseOf(t, again); got.ID != c.ID || again.header.Get(api.HeaderReplayed) != "true" {
		t.Errorf("retry with equal numbers = case %s (replayed %q), want %s replayed", got.ID, again.header.Get(api.HeaderReplayed), c.ID)
	}
	if got := e.countCases(t); got != 1 {
		t.Errorf("CountCases = %d, want 1", got)
	}
}

// TestDraftInputRule: a refused value in a draft copy's field is a 422
// naming it in the copy; numbers come back canonical.
func TestDraftInputRule(t *testing.T) {
	e := newEnv(t)
	d := e.register(t)
	clock := at(0, d.ID)
	put := func(body string) response {
		return e.do(t, http.MethodPut, api.PathDrafts+"x", auth(d), strings.NewReader(body))
	}
	p := problemOf(t, put(`{"fields":{"name":{"value":"a\u0000b","clock":"`+clock+`"}}}`),
		http.StatusUnprocessableEntity, api.ProblemValidation)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/fields/name/value" || p.Errors[0].Code != "invalidText" {
		t.Errorf("errors = %+v, want invalidText at /fields/name/value", p.Errors)
	}
	problemOf(t, put(`{"fields":{"name":{"value":1,"clock":"`+clock+`\u0000"}}}`), http.StatusBadRequest, api.ProblemBadRequest)

	r := put(`{"fields":{"n":{"value":{"b":2e1,"a":[1.50]},"clock":"` + clock + `"}}}`)
	if r.status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	var got api.DraftCopy
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	if v := string(got.Fields["n"].Value); v != `{"a":[1.5],"b":20}` {
		t.Errorf("value = %s, want {\"a\":[1.5],\"b\":20}", v)
	}
}

func TestStaffAndDeviceInputRule(t *testing.T) {
	e := newEnv(t, withStaff)
	svc, example := e.sperrmuell(t)
	c := caseOf(t, e.submit(t, "k", body(t, svc.ID, svc.Form, example)))
	h := http.Header{"Authorization": {"Bearer " + staffToken}}
	p := problemOf(t, e.do(t, http.MethodPost, api.PathStaffCases+c.ID+"/status", h,
		strings.NewReader(`{"status":"in_review","note":{"de":"ok\ud800"}}`)), http.StatusUnprocessableEntity, api.ProblemValidation)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/note/de" {
		t.Errorf("errors = %+v, want one at /note/de", p.Errors)
	}
	problemOf(t, e.do(t, http.MethodPost, api.PathDevices, nil, strings.NewReader(`{"platform":"linux\u0000"}`)),
		http.StatusBadRequest, api.ProblemBadRequest)
}
