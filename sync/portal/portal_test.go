package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-resty/resty/v2"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/sync/portal"
)

const catalogJSON = `{
  "municipality": {"ags": "09999999", "name": "Musterstadt"},
  "categories": [{"id": "leben", "title": {"de": "Leben", "en": "Living"}}],
  "services": [
    {"id": "hundesteuer", "category": "leben", "title": {"de": "Hundesteuer"}, "summary": {"de": "Hund anmelden"},
     "form": {"id": "hundesteuer", "version": 2}}
  ]
}`

// serve starts a test server with h and closes it when the test ends.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// respond returns a handler that answers every request the same way.
func respond(status int, contentType, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// answer is a backend's answer (h) and what the client must make of it:
// a *portal.ResponseError with the status, transience and code.
type answer struct {
	name      string
	h         http.HandlerFunc
	status    int
	transient bool
	code      string
}

// classifies makes call against a backend that answers as each of answers
// does, and checks the error each time.
func classifies(t *testing.T, answers []answer, call func(c *portal.Client) error) {
	t.Helper()
	for _, tc := range answers {
		t.Run(tc.name, func(t *testing.T) {
			responseError(t, call(portal.New(serve(t, tc.h).URL)), tc.status, tc.transient, tc.code)
		})
	}
}

// responseError asserts that err is a *portal.ResponseError with the status,
// transience and code wanted, and returns it.
func responseError(t *testing.T, err error, status int, transient bool, code string) *portal.ResponseError {
	t.Helper()
	if err == nil {
		t.Fatalf("error = nil, want a *portal.ResponseError with status %d", status)
	}
	var re *portal.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error = %v (%T), want a *portal.ResponseError", err, err)
	}
	if re.Status != status {
		t.Errorf("ResponseError.Status = %d, want %d", re.Status, status)
	}
	if got := citizen.IsTransient(err); got != transient {
		t.Errorf("IsTransient(%v) = %v, want %v", err, got, transient)
	}
	if got := citizen.ErrorCode(err); got != code {
		t.Errorf("ErrorCode(%v) = %q, want %q", err, got, code)
	}
	var ce *citizen.Error
	if !errors.As(err, &ce) || ce != re.Err {
		t.Errorf("errors.As(*citizen.Error) = %v, want ResponseError.Err %v", ce, re.Err)
	}
	if citizen.ErrorMessage(err) == "" {
		t.Error("ErrorMessage() is empty, want a message for people")
	}
	return re
}

func TestNewTrimsBaseURL(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
		{"https://rathaus.example/base//", "https://rathaus.example/base"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := portal.New(tt.in).BaseURL(); got != tt.want {
				t.Errorf("BaseURL() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCatalogChanged(t *testing.T) {
	var got http.Header
	var method, path string
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got, method, path = r.Header.Clone(), r.Method, r.URL.Path
		w.Header().Set("Content-Type", api.ContentTypeJSON)
		w.Header().Set("ETag", `"c-42"`)
		_, _ = io.WriteString(w, catalogJSON)
	})
	c := portal.New(srv.URL)

	cat, etag, changed, err := c.Catalog(context.Background(), "")
	if err != nil {
		t.Fatalf("Catalog() error = %v, want nil", err)
	}
	if !changed {
		t.Error("Catalog() changed = false, want true")
	}
	if etag != `"c-42"` {
		t.Errorf("Catalog() etag = %q, want %q", etag, `"c-42"`)
	}
	if cat.Municipality.Name != "Musterstadt" || len(cat.Services) != 1 || cat.Services[0].Form != (api.FormRef{ID: "hundesteuer", Version: 2}) {
		t.Errorf("Catalog() = %+v, want Musterstadt with the hundesteuer service v2", cat)
	}
	if method != http.MethodGet || path != api.PathCatalog {
		t.Errorf("request = %s %s, want GET %s", method, path, api.PathCatalog)
	}
	if v, ok := got["If-None-Match"]; ok {
		t.Errorf("If-None-Match = %q, want no such header without an etag", v)
	}
	if a := got.Get("Accept"); !strings.Contains(a, api.ContentTypeJSON) || !strings.Contains(a, api.ContentTypeProblem) {
		t.Errorf("Accept = %q, want it to name %s and %s", a, api.ContentTypeJSON, api.ContentTypeProblem)
	}
	if ua := got.Get("User-Agent"); !strings.HasPrefix(ua, "Rathaus-App/") {
		t.Errorf("User-Agent = %q, want Rathaus-App/...", ua)
	}
}

func TestCatalogNotModified(t *testing.T) {
	var inm atomic.Value
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		inm.Store(r.Header.Get("If-None-Match"))
		if r.Header.Get("If-None-Match") == `"c-42"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"c-43"`)
		_, _ = io.WriteString(w, catalogJSON)
	})
	c := portal.New(srv.URL)

	cat, etag, changed, err := c.Catalog(context.Background(), `"c-42"`)
	if err != nil {
		t.Fatalf("Catalog() error = %v, want nil", err)
	}
	if got := inm.Load(); got != `"c-42"` {
		t.Errorf("If-None-Match = %q, want %q", got, `"c-42"`)
	}
	if changed {
		t.Error("Catalog() changed = true, want false on 304")
	}
	if etag != `"c-42"` {
		t.Errorf("Catalog() etag = %q, want the same %q", etag, `"c-42"`)
	}
	if !reflect.DeepEqual(cat, api.Catalog{}) {
		t.Errorf("Catalog() = %+v, want the zero catalog on 304", cat)
	}

	// An outdated etag gets the new catalog.
	_, etag, changed, err = c.Catalog(context.Background(), `"c-41"`)
	if err != nil || !changed || etag != `"c-43"` {
		t.Errorf("Catalog(old etag) = etag %q, changed %v, error %v; want %q, true, nil", etag, changed, err, `"c-43"`)
	}
}

func TestCatalogGarbled(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
	}{
		{"captive portal HTML", "text/html; charset=utf-8", "<!DOCTYPE html><html><body>Bitte melden Sie sich im WLAN an.</body></html>"},
		{"invalid UTF-8", api.ContentTypeJSON, "{\"municipality\": {\"name\": \"M\xfcsterstadt\"}, \"services\": [{\"id\": \"x\"}]}"},
		{"JSON without services", api.ContentTypeJSON, `{"municipality": {"ags": "09999999", "name": "Musterstadt"}, "services": []}`},
		{"JSON without municipality", api.ContentTypeJSON, `{"services": [{"id": "hundesteuer"}]}`},
		{"empty body", api.ContentTypeJSON, ""},
		{"cut off", api.ContentTypeJSON, catalogJSON[:len(catalogJSON)/2]},
		{"JSON array", api.ContentTypeJSON, `[]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, respond(http.StatusOK, tt.contentType, tt.body, "ETag", `"c-1"`))
			_, etag, changed, err := portal.New(srv.URL).Catalog(context.Background(), "")
			responseError(t, err, http.StatusOK, true, citizen.EUNAVAILABLE)
			if changed || etag != "" {
				t.Errorf("Catalog() = etag %q, changed %v; want \"\", false with an error", etag, changed)
			}
		})
	}
}

func TestCatalogStatusErrors(t *testing.T) {
	tests := []struct {
		status    int
		transient bool
		code      string
	}{
		{http.StatusServiceUnavailable, true, citizen.EUNAVAILABLE},
		{http.StatusInternalServerError, true, citizen.EUNAVAILABLE},
		{http.StatusNotFound, false, citizen.EREJECTED},
		{http.StatusForbidden, false, citizen.EREJECTED},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			srv := serve(t, respond(tt.status, "text/plain", "nope", "ETag", `"c-1"`))
			_, etag, changed, err := portal.New(srv.URL).Catalog(context.Background(), `"c-0"`)
			responseError(t, err, tt.status, tt.transient, tt.code)
			if changed || etag != "" {
				t.Errorf("Catalog() = etag %q, changed %v; want \"\", false with an error", etag, changed)
			}
		})
	}
}

func TestFormReturnsBytesUnchanged(t *testing.T) {
	// Odd spacing, escapes and key order must survive: the caller stores
	// and hashes these bytes.
	const body = "{ \"id\":\"hundesteuer\" ,\n\t\"version\": 3, \"title\": {\"de\": \"Hundesteuer \\u00fc\", \"en\": \"Dog\"}, \"zz\": [1e3, -0.0] }\n"
	var path atomic.Value
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		path.Store(r.Method + " " + r.URL.EscapedPath())
		w.Header().Set("Content-Type", api.ContentTypeJSON)
		_, _ = io.WriteString(w, body)
	})
	got, err := portal.New(srv.URL).Form(context.Background(), api.FormRef{ID: "hundesteuer", Version: 3})
	if err != nil {
		t.Fatalf("Form() error = %v, want nil", err)
	}
	if !bytes.Equal(got, []byte(body)) {
		t.Errorf("Form() = %q, want %q", got, body)
	}
	if got, want := path.Load(), "GET "+api.PathForms+"hundesteuer/3"; got != want {
		t.Errorf("request = %q, want %q", got, want)
	}
}

func TestFormIDStaysOnePathSegment(t *testing.T) {
	var path atomic.Value
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		path.Store(r.URL.EscapedPath())
		_, _ = io.WriteString(w, `{}`)
	})
	if _, err := portal.New(srv.URL).Form(context.Background(), api.FormRef{ID: "../submissions", Version: 1}); err != nil {
		t.Fatalf("Form() error = %v, want nil", err)
	}
	if got, want := path.Load(), api.PathForms+"..%2Fsubmissions/1"; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
}

func TestFormNotFound(t *testing.T) {
	problem := `{"type": "` + api.ProblemUnknownForm + `", "title": "Unknown form", "status": 404, "detail": "no form hundesteuer v9"}`
	srv := serve(t, respond(http.StatusNotFound, api.ContentTypeProblem, problem))
	body, err := portal.New(srv.URL).Form(context.Background(), api.FormRef{ID: "hundesteuer", Version: 9})
	if body != nil {
		t.Errorf("Form() = %q, want nil", body)
	}
	re := responseError(t, err, http.StatusNotFound, false, citizen.EREJECTED)
	if re.Problem == nil || re.Problem.Type != api.ProblemUnknownForm || re.Problem.Status != http.StatusNotFound {
		t.Errorf("ResponseError.Problem = %+v, want the unknown-form problem with status 404", re.Problem)
	}
	if !strings.Contains(err.Error(), "404") {
		t.Errorf("Error() = %q, want it to name the status 404", err.Error())
	}
}

func TestFormGarbled(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"captive portal HTML", "<html><body>Login</body></html>"},
		{"invalid UTF-8", "{\"id\": \"hund\xff\"}"},
		{"cut off", `{"id": "hundesteuer", "version": `},
		{"empty", ""},
		{"trailing garbage", `{"id": "hundesteuer"} <html>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, respond(http.StatusOK, api.ContentTypeJSON, tt.body))
			body, err := portal.New(srv.URL).Form(context.Background(), api.FormRef{ID: "hundesteuer", Version: 1})
			if body != nil {
				t.Errorf("Form() = %q, want nil", body)
			}
			responseError(t, err, http.StatusOK, true, citizen.EUNAVAILABLE)
		})
	}
}

func sampleSubmission() api.SubmissionRequest {
	return api.SubmissionRequest{
		Service: "hundesteuer",
		Form:    api.FormRef{ID: "hundesteuer", Version: 2},
		Data:    json.RawMessage(`{"dog_name":"Bello","dog_count":1,"note":"Grüße \u003c3"}`),
	}
}

const caseJSON = `{"id": "c-1", "number": "2026-000042", "service": "hundesteuer", "form": {"id": "hundesteuer", "version": 2}, "status": "received", "created": "2026-03-01T10:00:00Z"}`

func TestSubmit(t *testing.T) {
	const key = "01J9ZQ8W3X-Key_with.MixedCase~1"
	type seen struct {
		method, path, key, contentType string
		body                           []byte
	}
	var got atomic.Pointer[seen]
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.Store(&seen{r.Method, r.URL.Path, r.Header.Get(api.HeaderIdempotencyKey), r.Header.Get("Content-Type"), b})
		w.Header().Set("Content-Type", api.ContentTypeJSON)
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, caseJSON)
	})
	req := sampleSubmission()
	cs, err := portal.New(srv.URL).Submit(context.Background(), key, req)
	if err != nil {
		t.Fatalf("Submit() error = %v, want nil", err)
	}
	want := api.Case{ID: "c-1", Number: "2026-000042", Service: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 2},
		Status: api.StatusReceived, Created: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	if !reflect.DeepEqual(cs, want) {
		t.Errorf("Submit() = %+v, want %+v", cs, want)
	}

	s := got.Load()
	if s == nil {
		t.Fatal("the server got no request")
	}
	if s.method != http.MethodPost || s.path != api.PathSubmissions {
		t.Errorf("request = %s %s, want POST %s", s.method, s.path, api.PathSubmissions)
	}
	if s.key != key {
		t.Errorf("Idempotency-Key = %q, want %q", s.key, key)
	}
	if !strings.HasPrefix(s.contentType, api.ContentTypeJSON) {
		t.Errorf("Content-Type = %q, want %s", s.contentType, api.ContentTypeJSON)
	}
	var sent api.SubmissionRequest
	dec := json.NewDecoder(bytes.NewReader(s.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sent); err != nil {
		t.Fatalf("request body %q is not a SubmissionRequest: %v", s.body, err)
	}
	var wantData, gotData any
	if err := json.Unmarshal(req.Data, &wantData); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(sent.Data, &gotData); err != nil {
		t.Fatalf("sent data %q is not JSON: %v", sent.Data, err)
	}
	if sent.Service != req.Service || sent.Form != req.Form || !reflect.DeepEqual(gotData, wantData) {
		t.Errorf("sent %+v (data %s), want %+v (data %s)", sent, sent.Data, req, req.Data)
	}
}

func TestSubmitReplayed(t *testing.T) {
	srv := serve(t, respond(http.StatusOK, api.ContentTypeJSON, caseJSON, api.HeaderReplayed, "true"))
	cs, err := portal.New(srv.URL).Submit(context.Background(), "k", sampleSubmission())
	if err != nil {
		t.Fatalf("Submit() error = %v, want nil", err)
	}
	if cs.ID != "c-1" || cs.Number != "2026-000042" {
		t.Errorf("Submit() = %+v, want the stored case c-1 / 2026-000042", cs)
	}
}

func TestSubmitGarbledCase(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"case without number", `{"id": "c-1", "service": "hundesteuer", "status": "received"}`},
		{"case without id", `{"number": "2026-000042", "service": "hundesteuer", "status": "received"}`},
		{"empty object", `{}`},
		{"HTML", `<html>Gateway</html>`},
		{"invalid UTF-8", "{\"id\": \"c-1\", \"number\": \"2026\xff\"}"},
		{"wrong types", `{"id": 1, "number": 2}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, respond(http.StatusCreated, api.ContentTypeJSON, tt.body))
			_, err := portal.New(srv.URL).Submit(context.Background(), "k", sampleSubmission())
			responseError(t, err, http.StatusCreated, true, citizen.EUNAVAILABLE)
		})
	}
}

func TestSubmitStatusClassification(t *testing.T) {
	tests := []struct {
		status    int
		transient bool
		code      string
	}{
		{http.StatusRequestTimeout, true, citizen.EUNAVAILABLE},
		{http.StatusTooEarly, true, citizen.EUNAVAILABLE},
		{http.StatusTooManyRequests, true, citizen.EUNAVAILABLE},
		{http.StatusInternalServerError, true, citizen.EUNAVAILABLE},
		{http.StatusBadGateway, true, citizen.EUNAVAILABLE},
		{http.StatusServiceUnavailable, true, citizen.EUNAVAILABLE},
		{http.StatusGatewayTimeout, true, citizen.EUNAVAILABLE},
		{http.StatusBadRequest, false, citizen.EREJECTED},
		{http.StatusUnauthorized, false, citizen.EREJECTED},
		{http.StatusForbidden, false, citizen.EREJECTED},
		{http.StatusNotFound, false, citizen.EREJECTED},
		{http.StatusConflict, false, citizen.EREJECTED},
		{http.StatusGone, false, citizen.EREJECTED},
		{http.StatusRequestEntityTooLarge, false, citizen.EREJECTED},
		// 422 without field errors: nothing for the citizen to correct.
		{http.StatusUnprocessableEntity, false, citizen.EREJECTED},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			problem := `{"type": "` + api.ProblemBadRequest + `", "title": "Some title", "status": ` + itoa(tt.status) + `}`
			srv := serve(t, respond(tt.status, api.ContentTypeProblem, problem))
			cs, err := portal.New(srv.URL).Submit(context.Background(), "k", sampleSubmission())
			if !reflect.DeepEqual(cs, api.Case{}) {
				t.Errorf("Submit() = %+v, want the zero case", cs)
			}
			re := responseError(t, err, tt.status, tt.transient, tt.code)
			if re.Problem == nil || re.Problem.Status != tt.status || re.Problem.Title != "Some title" {
				t.Errorf("ResponseError.Problem = %+v, want the problem sent", re.Problem)
			}
			if !strings.HasPrefix(err.Error(), "HTTP "+itoa(tt.status)+": ") {
				t.Errorf("Error() = %q, want it to start with %q", err.Error(), "HTTP "+itoa(tt.status)+": ")
			}
			if re.RetryAfter != 0 {
				t.Errorf("RetryAfter = %v without a Retry-After header, want 0", re.RetryAfter)
			}
		})
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestSubmitValidationProblem(t *testing.T) {
	problem := api.Problem{
		Type:   api.ProblemValidation,
		Title:  "The form has errors",
		Status: http.StatusUnprocessableEntity,
		Errors: []api.FieldError{
			{Pointer: "/a~1b", Code: "pattern", Detail: "A German postcode has five digits.",
				Message: api.Text{"de": "Eine Postleitzahl hat fünf Ziffern.", "en": "A German postcode has five digits."}},
			{Pointer: "/dog_count", Code: "required", Detail: "Please fill in this field."},
		},
	}
	body, err := json.Marshal(problem)
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range []string{api.ContentTypeProblem, api.ContentTypeProblem + "; charset=utf-8", api.ContentTypeJSON} {
		t.Run(ct, func(t *testing.T) {
			srv := serve(t, respond(http.StatusUnprocessableEntity, ct, string(body)))
			_, err := portal.New(srv.URL).Submit(context.Background(), "k", sampleSubmission())
			re := responseError(t, err, http.StatusUnprocessableEntity, false, citizen.EINVALID)
			if re.Problem == nil {
				t.Fatal("ResponseError.Problem = nil, want the validation problem")
			}
			if !reflect.DeepEqual(re.Problem.Errors, problem.Errors) {
				t.Errorf("Problem.Errors = %+v, want %+v", re.Problem.Errors, problem.Errors)
			}
			var p *api.Problem
			if !errors.As(err, &p) || p != re.Problem {
				t.Errorf("errors.As(*api.Problem) = %v, want the problem in the error chain", p)
			}
		})
	}
}

// TestProblemWithoutStatus: RFC 9457 makes "status" optional; the field
// errors must still reach the citizen.
func TestProblemWithoutStatus(t *testing.T) {
	body := `{"title": "Invalid", "errors": [{"pointer": "/x", "code": "required", "detail": "Please fill in this field."}]}`
	srv := serve(t, respond(http.StatusUnprocessableEntity, api.ContentTypeProblem, body))
	_, err := portal.New(srv.URL).Submit(context.Background(), "k", sampleSubmission())
	re := responseError(t, err, http.StatusUnprocessableEntity, false, citizen.EINVALID)
	if re.Problem == nil || re.Problem.Status != http.StatusUnprocessableEntity || len(re.Problem.Errors) != 1 || re.Problem.Errors[0].Pointer != "/x" {
		t.Errorf("Problem = %+v, want status 422 filled in and the /x error", re.Problem)
	}
}

func TestProblemIgnoredWithoutProblemContentType(t *testing.T) {
	body := `{"title": "The form has errors", "status": 422, "errors": [{"pointer": "/x", "code": "required"}]}`
	srv := serve(t, respond(http.StatusUnprocessableEntity, "text/html", body))
	_, err := portal.New(srv.URL).Submit(context.Background(), "k", sampleSubmission())
	re := responseError(t, err, http.StatusUnprocessableEntity, false, citizen.EREJECTED)
	if re.Problem != nil {
		t.Errorf("ResponseError.Problem = %+v, want nil for a text/html body", re.Problem)
	}
}

func TestRetryAfter(t *testing.T) {
	future := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	past := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		name     string
		status   int
		header   string
		min, max time.Duration
	}{
		{"seconds on 503", http.StatusServiceUnavailable, "120", 120 * time.Second, 120 * time.Second},
		{"seconds on 429", http.StatusTooManyRequests, "7", 7 * time.Second, 7 * time.Second},
		{"seconds with spaces", http.StatusServiceUnavailable, "  30 ", 30 * time.Second, 30 * time.Second},
		{"zero seconds", http.StatusServiceUnavailable, "0", 0, 0},
		{"HTTP date in the future", http.StatusServiceUnavailable, future, 80 * time.Second, 90 * time.Second},
		{"HTTP date in the past", http.StatusServiceUnavailable, past, 0, 0},
		{"negative seconds", http.StatusServiceUnavailable, "-5", 0, 0},
		{"fraction", http.StatusServiceUnavailable, "1.5", 0, 0},
		{"words", http.StatusServiceUnavailable, "soon", 0, 0},
		{"garbled date", http.StatusTooManyRequests, "Mon, 99 Foo 2026 25:61:00 GMT", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, respond(tt.status, "text/plain", "busy", "Retry-After", tt.header))
			_, err := portal.New(srv.URL).Submit(context.Background(), "k", sampleSubmission())
			re := responseError(t, err, tt.status, true, citizen.EUNAVAILABLE)
			if re.RetryAfter < tt.min || re.RetryAfter > tt.max {
				t.Errorf("RetryAfter for %q = %v, want between %v and %v", tt.header, re.RetryAfter, tt.min, tt.max)
			}
		})
	}
}

// closedServerURL returns the address of a server that no longer listens.
func closedServerURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	return u
}

func TestConnectionRefused(t *testing.T) {
	c := portal.New(closedServerURL(t))
	ctx := context.Background()
	calls := map[string]func() error{
		"Health": func() error { return c.Health(ctx) },
		"Catalog": func() error {
			_, _, _, err := c.Catalog(ctx, `"e"`)
			return err
		},
		"Form": func() error {
			_, err := c.Form(ctx, api.FormRef{ID: "hundesteuer", Version: 1})
			return err
		},
		"Submit": func() error {
			_, err := c.Submit(ctx, "k", sampleSubmission())
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			responseError(t, err, 0, true, citizen.EUNAVAILABLE)
			var re *portal.ResponseError
			errors.As(err, &re)
			if re.Problem != nil || re.RetryAfter != 0 || !re.Network {
				t.Errorf("ResponseError = %+v, want Network, no problem and no Retry-After", re)
			}
			if strings.HasPrefix(err.Error(), "HTTP ") {
				t.Errorf("Error() = %q, want no HTTP status when no answer came", err.Error())
			}
		})
	}
}

// slowHandler answers only after the client gave up (or after a long time,
// so that a client without a timeout fails the test instead of hanging).
func slowHandler(started chan<- struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// Only once the body is read does the server notice the client
		// hanging up and cancel r.Context().
		_, _ = io.Copy(io.Discard, r.Body)
		if started != nil {
			select {
			case started <- struct{}{}:
			default:
			}
		}
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
		w.Header().Set("Content-Type", api.ContentTypeJSON)
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, caseJSON)
	}
}

func TestTimeoutIsTransient(t *testing.T) {
	srv := serve(t, slowHandler(nil))
	c := portal.New(srv.URL, portal.WithTimeout(100*time.Millisecond))
	_, err := c.Submit(context.Background(), "k", sampleSubmission())
	if re := responseError(t, err, 0, true, citizen.EUNAVAILABLE); !re.Network {
		t.Errorf("ResponseError.Network = false, want true for a timeout")
	}
	if errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want no context.Canceled: the caller did not cancel", err)
	}
}

func TestCancelledContext(t *testing.T) {
	t.Run("before the call", func(t *testing.T) {
		var hits atomic.Int64
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := portal.New(srv.URL).Submit(ctx, "k", sampleSubmission())
		assertContextError(t, err, context.Canceled)
		if n := hits.Load(); n != 0 {
			t.Errorf("server got %d requests, want 0 with a cancelled context", n)
		}
	})
	t.Run("during the call", func(t *testing.T) {
		started := make(chan struct{}, 1)
		srv := serve(t, slowHandler(started))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			<-started
			cancel()
		}()
		_, err := portal.New(srv.URL).Submit(ctx, "k", sampleSubmission())
		assertContextError(t, err, context.Canceled)
	})
	t.Run("deadline", func(t *testing.T) {
		srv := serve(t, slowHandler(nil))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, _, _, err := portal.New(srv.URL).Catalog(ctx, "")
		assertContextError(t, err, context.DeadlineExceeded)
	})
}

func assertContextError(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
	var re *portal.ResponseError
	if errors.As(err, &re) {
		t.Errorf("error = %#v, want no *portal.ResponseError for the caller's own cancellation", re)
	}
	if citizen.IsTransient(err) {
		t.Errorf("IsTransient(%v) = true, want false for the caller's own cancellation", err)
	}
}

const bodyLimit = 8 << 20

// jsonString returns a JSON document of exactly n bytes: one string.
func jsonString(n int) []byte {
	b := bytes.Repeat([]byte("x"), n)
	b[0], b[n-1] = '"', '"'
	return b
}

func TestBodyLimit(t *testing.T) {
	t.Run("exactly the limit", func(t *testing.T) {
		body := jsonString(bodyLimit)
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(body) })
		got, err := portal.New(srv.URL).Form(context.Background(), api.FormRef{ID: "big", Version: 1})
		if err != nil {
			t.Fatalf("Form(%d bytes) error = %v, want nil", bodyLimit, err)
		}
		if len(got) != bodyLimit {
			t.Errorf("len(Form()) = %d, want %d", len(got), bodyLimit)
		}
	})
	t.Run("one byte more", func(t *testing.T) {
		body := jsonString(bodyLimit + 1)
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(body) })
		got, err := portal.New(srv.URL).Form(context.Background(), api.FormRef{ID: "big", Version: 1})
		if err == nil {
			t.Fatalf("Form(%d bytes) = %d bytes, want an error", bodyLimit+1, len(got))
		}
		if !errors.Is(err, resty.ErrResponseBodyTooLarge) {
			t.Errorf("error = %v, want resty.ErrResponseBodyTooLarge in its chain", err)
		}
		var re *portal.ResponseError
		if !errors.As(err, &re) || re.Network || !citizen.IsTransient(err) {
			t.Errorf("error = %#v, want a transient ResponseError that is not a network failure (an answer came)", re)
		}
		if got != nil {
			t.Errorf("Form() = %d bytes, want nil", len(got))
		}
	})
	t.Run("endless stream", func(t *testing.T) {
		// A server that never stops sending: the client must stop reading
		// at the limit, not buffer everything.
		const streamCap = 1 << 30
		var written atomic.Int64
		done := make(chan struct{})
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			defer close(done)
			w.Header().Set("Content-Type", api.ContentTypeJSON)
			chunk := bytes.Repeat([]byte(`{"municipality":{"name":"M"},"services":[]}`), 1024)
			for written.Load() < streamCap {
				n, err := w.Write(chunk)
				written.Add(int64(n))
				if err != nil {
					return
				}
			}
		})
		_, _, _, err := portal.New(srv.URL).Catalog(context.Background(), "")
		if err == nil {
			t.Fatal("Catalog(endless body) error = nil, want an error")
		}
		if !errors.Is(err, resty.ErrResponseBodyTooLarge) {
			t.Errorf("error = %v, want resty.ErrResponseBodyTooLarge in its chain", err)
		}
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("the server kept writing: the client did not close the connection")
		}
		if n := written.Load(); n >= streamCap/4 {
			t.Errorf("server wrote %d bytes before the client hung up, want far less than %d", n, streamCap/4)
		}
	})
}

func TestHealth(t *testing.T) {
	t.Run("200", func(t *testing.T) {
		var path atomic.Value
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			path.Store(r.Method + " " + r.URL.Path)
			_, _ = io.WriteString(w, `{"status": "ok"}`)
		})
		if err := portal.New(srv.URL).Health(context.Background()); err != nil {
			t.Errorf("Health() = %v, want nil", err)
		}
		if got, want := path.Load(), "GET "+api.PathHealth; got != want {
			t.Errorf("request = %q, want %q", got, want)
		}
	})
	tests := []struct {
		status    int
		transient bool
		code      string
	}{
		{http.StatusServiceUnavailable, true, citizen.EUNAVAILABLE},
		{http.StatusInternalServerError, true, citizen.EUNAVAILABLE},
		{http.StatusNotFound, false, citizen.EREJECTED},
	}
	for _, tt := range tests {
		t.Run(itoa(tt.status), func(t *testing.T) {
			srv := serve(t, respond(tt.status, "text/plain", ""))
			err := portal.New(srv.URL).Health(context.Background())
			responseError(t, err, tt.status, tt.transient, tt.code)
		})
	}
}

func TestWithTransport(t *testing.T) {
	var calls atomic.Int64
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		calls.Add(1)
		return &http.Response{
			StatusCode: http.StatusOK,
			Status:     "200 OK",
			Header:     http.Header{"Content-Type": {api.ContentTypeJSON}},
			Body:       io.NopCloser(strings.NewReader(`{"status": "ok"}`)),
			Request:    r,
		}, nil
	})
	c := portal.New("http://rathaus.invalid", portal.WithTransport(rt))
	if err := c.Health(context.Background()); err != nil {
		t.Errorf("Health() = %v, want nil", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("transport calls = %d, want 1", n)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestCaptivePortalRedirect: a hotspot that redirects every request to its
// login page must look like "not reachable yet", not like a refusal.
func TestCaptivePortalRedirect(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/login", respond(http.StatusOK, "text/html", "<html><form>Accept terms</form></html>"))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := portal.New(srv.URL)

	_, _, changed, err := c.Catalog(context.Background(), `"c-1"`)
	responseError(t, err, http.StatusOK, true, citizen.EUNAVAILABLE)
	if changed {
		t.Error("Catalog() changed = true, want false")
	}
	_, err = c.Submit(context.Background(), "k", sampleSubmission())
	responseError(t, err, http.StatusOK, true, citizen.EUNAVAILABLE)
}
