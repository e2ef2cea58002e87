package portal_test

// Fuzz targets for what the app reads from the backend (or from whatever
// answers in its place: a captive portal, a proxy, a broken server): the
// changes feed and problem details. The properties: no panic; either a
// well-formed result or a *portal.ResponseError whose *citizen.Error has a
// message for people that the app translates, retried exactly when the
// status says so; a wait asked for stays within portal.MaxRetryAfter.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/assets"
	"rathaus/sync/portal"
)

// fixedAnswer is a transport that answers every request with one
// response, without a network.
type fixedAnswer struct {
	status int
	header http.Header
	body   []byte
}

func (a fixedAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{
		StatusCode: a.status, Status: strconv.Itoa(a.status) + " " + http.StatusText(a.status),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: a.header.Clone(), Body: io.NopCloser(bytes.NewReader(a.body)),
		ContentLength: int64(len(a.body)), Request: r,
	}, nil
}

// translated returns the English and German translations of the app.
func translated(tb testing.TB) (en, de map[string]string) {
	tb.Helper()
	for code, m := range map[string]*map[string]string{"en": &en, "de": &de} {
		b, err := assets.Translations.ReadFile("translations/" + code + ".json")
		if err != nil {
			tb.Fatal(err)
		}
		if err := json.Unmarshal(b, m); err != nil {
			tb.Fatal(err)
		}
	}
	return en, de
}

// checkFailure asserts what every failed exchange must be: a
// *ResponseError with its status, unwrapping to a *citizen.Error whose
// message is translated, transient exactly for the statuses worth a retry
// (and for a 2xx that cannot be read), and a bounded wait.
func checkFailure(t *testing.T, err error, status int, en, de map[string]string) *portal.ResponseError {
	t.Helper()
	var re *portal.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T), want a *portal.ResponseError", err, err)
	}
	if re.Network || re.Status != status || re.Err == nil {
		t.Fatalf("ResponseError %+v, want status %d and a *citizen.Error", re, status)
	}
	msg := citizen.ErrorMessage(err)
	if en[msg] == "" || de[msg] == "" {
		t.Fatalf("message %q has no translation", msg)
	}
	wantTransient := status < 400 || status == 408 || status == 425 || status == 429 || status >= 500
	if citizen.IsTransient(err) != wantTransient {
		t.Fatalf("status %d: transient %v, want %v (%v)", status, citizen.IsTransient(err), wantTransient, err)
	}
	if re.RetryAfter < 0 || re.RetryAfter > portal.MaxRetryAfter {
		t.Fatalf("RetryAfter %v, want 0 to %v", re.RetryAfter, portal.MaxRetryAfter)
	}
	if re.Problem != nil && re.Problem.Status == 0 {
		t.Fatalf("a problem without a status: %+v", re.Problem)
	}
	return re
}

func FuzzChanges(f *testing.F) {
	en, de := translated(f)
	for _, s := range []struct {
		status int
		ct     string
		body   string
	}{
		{200, api.ContentTypeJSON, `{"changes":[],"cursor":"0","more":false}`},
		{200, api.ContentTypeJSON, `{"changes":[{"seq":1,"kind":"case","case":{"id":"c_1","number":"2026-000001","service":"x","form":{"id":"x","version":1},"status":"received","created":"2026-11-28T10:15:30Z"}}],"cursor":"1","more":true}`},
		{200, api.ContentTypeJSON, `{"changes":[{"seq":2,"kind":"catalog","catalog":"\"abc\""},{"seq":3,"kind":"draft","draft":{"id":"d","fields":{"a":{"value":1,"clock":"1796032800000-00003-d_x"}}}}],"cursor":"3"}`},
		{200, api.ContentTypeJSON, `{"changes":[{"seq":1,"kind":"case"}],"cursor":"1"}`},
		{200, api.ContentTypeJSON, `{"changes":[{"seq":1,"kind":"draft","draft":null}],"cursor":""}`},
		{200, api.ContentTypeJSON, `{"changes":[{"seq":"1","kind":7}]}`},
		{200, api.ContentTypeJSON, `{"changes":[{"seq":1e400}]}`},
		{200, "text/html", `<html><body>Anmeldung erforderlich</body></html>`},
		{200, api.ContentTypeJSON, "\xff\xfe{}"},
		{200, api.ContentTypeJSON, ``},
		{401, api.ContentTypeProblem, `{"type":"https://rathaus.example/problems/unauthorized","title":"Unauthorized","status":401}`},
		{400, api.ContentTypeProblem, `{"title":"Bad Request","status":400,"detail":"since must be a cursor"}`},
		{503, "text/html", `<h1>502 Bad Gateway</h1>`},
	} {
		f.Add(uint16(s.status), s.ct, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, st uint16, ct string, body []byte) {
		status := int(st)
		if status < 200 || status > 599 {
			status = 200 + status%400
		}
		c := portal.New("http://backend.invalid", portal.WithTransport(fixedAnswer{status, http.Header{"Content-Type": {ct}}, body}))
		page, err := c.Changes(context.Background(), "", 100)
		if err != nil {
			checkFailure(t, err, status, en, de)
			return
		}
		if status != http.StatusOK {
			t.Fatalf("status %d read as a page", status)
		}
		if len(page.Changes) > 0 && page.Cursor == "" {
			t.Fatal("changes without a cursor")
		}
		for _, ch := range page.Changes {
			if ch.Kind == api.ChangeCase && ch.Case == nil || ch.Kind == api.ChangeDraft && ch.Draft == nil {
				t.Fatalf("a %s change without its content", ch.Kind)
			}
		}
	})
}

func FuzzProblem(f *testing.F) {
	en, de := translated(f)
	for _, s := range []struct {
		status    int
		ct, retry string
		body      string
	}{
		{422, api.ContentTypeProblem, "", `{"type":"https://rathaus.example/problems/validation","title":"Validation Failed","status":422,"errors":[{"pointer":"/postcode","code":"pattern","detail":"Five digits.","message":{"de":"Fünf Ziffern.","en":"Five digits."}}]}`},
		{422, api.ContentTypeProblem, "", `{"title":"x","errors":[{"pointer":null}]}`},
		{422, api.ContentTypeProblem, "", `{"errors":{}}`},
		{400, api.ContentTypeProblem, "", `{"title":"Bad Request","status":400,"detail":"The body is not a submission."}`},
		{404, api.ContentTypeProblem, "", `{"type":"https://rathaus.example/problems/unknown-form","title":"Unknown Form","status":404}`},
		{429, api.ContentTypeProblem, "30", `{"type":"https://rathaus.example/problems/rate-limited","title":"Too Many Requests","status":429}`},
		{503, api.ContentTypeProblem, "Wed, 21 Oct 2099 07:28:00 GMT", `{"title":"Service Unavailable","status":503}`},
		{503, "text/plain", "99999999999999999999", `busy`},
		{429, "text/plain", "-5", ``},
		{500, "text/html", "", `<html>Internal Server Error</html>`},
		{418, api.ContentTypeJSON, "", `[1,2,3]`},
		{413, api.ContentTypeProblem, "", `{"status":"413"}`},
		{409, api.ContentTypeProblem, "", "{\"title\":\"\xff\"}"},
	} {
		f.Add(uint16(s.status), s.ct, s.retry, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, st uint16, ct, retry string, body []byte) {
		status := int(st)
		if status < 400 || status > 599 {
			status = 400 + status%200
		}
		h := http.Header{"Content-Type": {ct}}
		if retry != "" {
			h.Set("Retry-After", retry)
		}
		c := portal.New("http://backend.invalid", portal.WithTransport(fixedAnswer{status, h, body}), portal.WithTimeout(5*time.Second))
		_, err := c.Submit(context.Background(), "key", api.SubmissionRequest{Service: "s", Form: api.FormRef{ID: "s", Version: 1}, Data: json.RawMessage(`{}`)})
		if err == nil {
			t.Fatalf("status %d accepted as a case", status)
		}
		re := checkFailure(t, err, status, en, de)
		if citizen.ErrorCode(err) == citizen.EINVALID && (re.Problem == nil || len(re.Problem.Errors) == 0) {
			t.Fatal("invalid without field errors to show")
		}
	})
}
