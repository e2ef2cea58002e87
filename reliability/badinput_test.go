package reliability

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
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

// Shorthands for the table.
var (
	bad        = []int{http.StatusBadRequest}
	notFound   = []int{http.StatusNotFound}
	unproc     = []int{http.StatusUnprocessableEntity}
	tooLarge   = []int{http.StatusRequestEntityTooLarge}
	unauth     = []int{http.StatusUnauthorized}
	redirected = []int{http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusNotFound}
)

// submit posts a submission anonymously under its own key.
func submit(key string, body []byte) func(t *testing.T, r *rig) result {
	return func(t *testing.T, r *rig) result {
		return result{answer: r.do(t, http.MethodPost, api.PathSubmissions, hdr(api.HeaderIdempotencyKey, key), body)}
	}
}

// submitEdited posts the sperrmuell example with one field's JSON text
// replaced.
func submitEdited(key, field, raw string) func(t *testing.T, r *rig) result {
	return func(t *testing.T, r *rig) result {
		return submit(key, withRaw(t, submission(t, "sperrmuell", nil), field, raw))(t, r)
	}
}

// caseOf adds the id of the case a 201 made, for checks of its data.
func caseOf(res result) result {
	var c api.Case
	if res.status == http.StatusCreated && json.Unmarshal(res.body, &c) == nil {
		res.caseID = c.ID
	}
	return res
}

// storedWithout fails when a case was made and its stored data contains
// the text given (a value that must not be stored as it came).
func storedWithout(text, why string) func(t *testing.T, r *rig, res result) []string {
	return func(t *testing.T, r *rig, res result) []string {
		if res = caseOf(res); res.caseID == "" {
			return nil
		}
		if data := r.storedData(t, res.caseID); strings.Contains(data, text) {
			return []string{fmt.Sprintf("accepted and stored %s: %.200s", why, data)}
		}
		return nil
	}
}

func deepJSON(levels int) string {
	return strings.Repeat("[", levels) + strings.Repeat("]", levels)
}

func backendCases(t *testing.T) []badInput {
	t.Helper()
	sperr := func(edit func(map[string]any)) func(t *testing.T, r *rig) []byte {
		return func(t *testing.T, r *rig) []byte { return submission(t, "sperrmuell", edit) }
	}
	post := func(key string, body func(t *testing.T, r *rig) []byte) func(t *testing.T, r *rig) result {
		return func(t *testing.T, r *rig) result { return submit(key, body(t, r))(t, r) }
	}
	withDevice := func(d func(r *rig) api.Device, method, path string, body func(t *testing.T, r *rig) []byte, kv ...string) func(t *testing.T, r *rig) result {
		return func(t *testing.T, r *rig) result {
			var b []byte
			if body != nil {
				b = body(t, r)
			}
			return result{answer: r.do(t, method, path, r.auth(d(r), kv...), b)}
		}
	}
	devA := func(r *rig) api.Device { return r.a }
	devB := func(r *rig) api.Device { return r.b2 }
	tus := func(kv ...string) []string { return append([]string{"Tus-Resumable", "1.0.0"}, kv...) }
	meta := func(name string) string {
		return tusMeta("filename", name, "filetype", "image/jpeg", "sha256", strings.Repeat("b", 64))
	}
	now := time.Now()
	clock := func(d time.Duration) string {
		return api.HLC{Wall: now.Add(d).UnixMilli(), Device: "d_skew"}.String()
	}
	draft := func(id, body string) func(t *testing.T, r *rig) []byte {
		return func(*testing.T, *rig) []byte { return []byte(body) }
	}
	tenMB := bytes.Repeat([]byte("a"), 10<<20)

	return []badInput{
		// Submissions: the body.
		{name: "malformed JSON", send: submit("b-json", []byte(`{"service":"sperrmuell","data":{`)),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a JSON array instead of a submission", send: submit("b-array", []byte(`[1,2,3]`)),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "service of the wrong type", send: submit("b-type", []byte(`{"service":5,"form":{"id":"sperrmuell","version":1},"data":{}}`)),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "form version of the wrong type", send: submit("b-version-type", []byte(`{"service":"sperrmuell","form":{"id":"sperrmuell","version":"1"},"data":{}}`)),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a field of the wrong type", send: submitEdited("b-field-type", "volume_m3", `"drei"`),
			want: want{status: unproc, typ: api.ProblemValidation, pointer: "/volume_m3"}},
		{name: "invalid UTF-8", send: func(t *testing.T, r *rig) result {
			return submit("b-utf8", bytes.Replace(submission(t, "sperrmuell", nil), []byte("Peter"), []byte("Pe\xffter"), 1))(t, r)
		}, want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a raw NUL byte in a string", send: func(t *testing.T, r *rig) result {
			return submit("b-nul-raw", bytes.Replace(submission(t, "sperrmuell", nil), []byte("Peter"), []byte("Pe\x00ter"), 1))(t, r)
		}, want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "an escaped NUL in a name", send: submitEdited("b-nul", "given_name", `"Pe\u0000ter"`),
			want:  want{status: []int{201, 400, 422}, stores: true, check: storedWithout(`\u0000`, "a NUL")},
			known: "a NUL is stored in case data"},
		{name: "a lone surrogate in a name", send: submitEdited("b-surrogate", "given_name", `"Pe\ud800ter"`),
			want: want{status: []int{201, 400, 422}, stores: true, check: storedWithout(`\ud800`, "a lone surrogate")}},
		{name: "an integer written as 2e1", send: submitEdited("b-2e1", "items", `[{"kind":"sofa","count":2e1}]`),
			want:  want{status: []int{201, 422}, stores: true, check: storedWithout(`2e1`, "an integer as written")},
			known: "integers are stored as written"},
		{name: "a 10 MB body", send: func(t *testing.T, r *rig) result {
			return submit("b-10mb", append(append([]byte(`{"service":"sperrmuell","data":{"placement":"`), tenMB...), `"}}`...))(t, r)
		}, want: want{status: tooLarge, typ: api.ProblemTooLarge}},
		{name: "100,000 levels of nesting", send: submitEdited("b-deep", "placement", deepJSON(100_000)),
			want: want{status: []int{400, 413, 422}}},
		{name: "a string of 900 KB", send: submitEdited("b-huge-string", "placement", `"`+strings.Repeat("x", 900<<10)+`"`),
			want: want{status: []int{413, 422}}},
		{name: "a negative number", send: submitEdited("b-negative", "volume_m3", `-1`),
			want: want{status: unproc, typ: api.ProblemValidation, pointer: "/volume_m3"}},
		{name: "a number beyond float64 (1e1000001)", send: submitEdited("b-1e1000001", "volume_m3", `1e1000001`),
			want:  want{status: unproc, typ: api.ProblemValidation, pointer: "/volume_m3"},
			known: "the validator panics: 500 instead of 422"},
		{name: "an integer beyond int64", send: submitEdited("b-int-overflow", "items", `[{"kind":"sofa","count":99999999999999999999999}]`),
			want: want{status: unproc, typ: api.ProblemValidation, pointer: "/items/0/count"}},
		{name: "a number of 100,000 digits", send: submitEdited("b-long-number", "volume_m3", "1"+strings.Repeat("0", 100_000)),
			want: want{status: []int{400, 413, 422}}},
		{name: "an unknown form version", send: func(t *testing.T, r *rig) result {
			return submit("b-version", bytes.Replace(submission(t, "sperrmuell", nil), []byte(`"version":1`), []byte(`"version":99`), 1))(t, r)
		}, want: want{status: notFound, typ: api.ProblemUnknownForm}},
		{name: "an unknown service", send: submit("b-service", []byte(`{"service":"atomkraftwerk","form":{"id":"atomkraftwerk","version":1},"data":{}}`)),
			want: want{status: notFound, typ: api.ProblemUnknownForm}},

		// Submissions: the Idempotency-Key.
		{name: "no Idempotency-Key", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodPost, api.PathSubmissions, nil, submission(t, "sperrmuell", nil))}
		}, want: want{status: bad, typ: api.ProblemMissingKey}},
		{name: "an empty Idempotency-Key", send: post("", sperr(nil)),
			want: want{status: bad, typ: api.ProblemMissingKey}},
		{name: "an Idempotency-Key of 256 characters", send: post(strings.Repeat("k", 256), sperr(nil)),
			want: want{status: bad, typ: api.ProblemMissingKey}},
		{name: "two Idempotency-Keys", send: func(t *testing.T, r *rig) result {
			h := http.Header{api.HeaderIdempotencyKey: {"k1", "k2"}}
			return result{answer: r.do(t, http.MethodPost, api.PathSubmissions, h, submission(t, "sperrmuell", nil))}
		}, want: want{status: bad, typ: api.ProblemMissingKey}},
		{name: "a key used again with another body", send: withDevice(devA, http.MethodPost, api.PathSubmissions,
			sperr(func(d map[string]any) { d["given_name"] = "Paul" }), api.HeaderIdempotencyKey, "a-1"),
			want: want{status: unproc, typ: api.ProblemIdempotencyReuse}},

		// Another device's ids.
		{name: "another device's idempotency key", send: func(t *testing.T, r *rig) result {
			return caseOf(result{answer: r.do(t, http.MethodPost, api.PathSubmissions, r.auth(r.b2, api.HeaderIdempotencyKey, "a-1"), r.bodyA)})
		}, want: want{status: []int{201}, stores: true, check: func(t *testing.T, r *rig, res result) []string {
			if res.caseID == r.caseA.ID {
				return []string{"device B got device A's case"}
			}
			return nil
		}}},
		{name: "another device's upload in a submission", send: func(t *testing.T, r *rig) result {
			body := submission(t, "maengelmelder", func(d map[string]any) {
				d["photo"] = api.Attachment{Name: r.fileA.Name, Type: r.fileA.Type, Size: int64(len(r.fileA.Data)), SHA256: r.fileA.SHA256, Upload: r.finished}
			})
			return result{answer: r.do(t, http.MethodPost, api.PathSubmissions, r.auth(r.b2, api.HeaderIdempotencyKey, "b-1"), body)}
		}, want: want{status: unproc, typ: api.ProblemValidation, pointer: "/photo"},
			known: "uploads do not belong to the device that made them"},
		{name: "another device's upload: HEAD", send: func(t *testing.T, r *rig) result {
			return withDevice(devB, http.MethodHead, api.PathUploads+r.victims["head"], nil, tus()...)(t, r)
		}, want: want{status: notFound}, known: "uploads do not belong to the device that made them"},
		{name: "another device's upload: PATCH", send: func(t *testing.T, r *rig) result {
			return withDevice(devB, http.MethodPatch, api.PathUploads+r.victims["patch"], draft("", "56789"),
				tus("Upload-Offset", "5", "Content-Type", "application/offset+octet-stream")...)(t, r)
		}, want: want{status: notFound}, known: "uploads do not belong to the device that made them"},
		{name: "another device's upload: DELETE", send: func(t *testing.T, r *rig) result {
			return withDevice(devB, http.MethodDelete, api.PathUploads+r.victims["delete"], nil, tus()...)(t, r)
		}, want: want{status: notFound}, known: "uploads do not belong to the device that made them"},
		{name: "another device's draft id", send: func(t *testing.T, r *rig) result {
			body := fmt.Sprintf(`{"fields":{"dog_name":{"value":"Rex","clock":%q}}}`, clock(0))
			return withDevice(devB, http.MethodPut, api.PathDrafts+"draft-a", draft("draft-a", body))(t, r)
		}, want: want{status: []int{200}, stores: true, check: func(t *testing.T, r *rig, res result) []string {
			var copyA string
			err := r.raw.QueryRow("SELECT copy FROM drafts WHERE owner = ? AND id = 'draft-a'", "device:"+r.a.ID).Scan(&copyA)
			if err != nil || !strings.Contains(copyA, "Bello") || strings.Contains(copyA, "Rex") {
				return []string{fmt.Sprintf("A's draft-a is now %q (%v)", copyA, err)}
			}
			return nil
		}}},

		// Uploads.
		{name: "a 0-byte upload", send: withDevice(devA, http.MethodPost, api.PathUploads, nil,
			tus("Upload-Length", "0", "Upload-Metadata", tusMeta("filename", "leer.jpg", "filetype", "image/jpeg",
				"sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))...),
			want: want{status: []int{201, 400}, stores: true}},
		{name: "a negative Upload-Length", send: withDevice(devA, http.MethodPost, api.PathUploads, nil,
			tus("Upload-Length", "-1", "Upload-Metadata", meta("foto.jpg"))...),
			want: want{status: bad}},
		{name: "an Upload-Length beyond the limit", send: withDevice(devA, http.MethodPost, api.PathUploads, nil,
			tus("Upload-Length", strconv.Itoa(api.MaxUploadSize+1), "Upload-Metadata", meta("foto.jpg"))...),
			want: want{status: tooLarge, typ: api.ProblemTooLarge}},
		{name: "an upload body longer than its length", send: withDevice(devA, http.MethodPost, api.PathUploads, draft("", "0123456789"),
			tus("Upload-Length", "4", "Upload-Metadata", meta("foto.jpg"), "Content-Type", "application/offset+octet-stream")...),
			want:  want{status: tooLarge, typ: api.ProblemTooLarge},
			known: "the refused upload stays recorded, unknown to the client, until the janitor"},
		{name: "a wrong checksum", send: func(t *testing.T, r *rig) result {
			data := []byte("0123456789")
			return withDevice(devA, http.MethodPost, api.PathUploads, func(*testing.T, *rig) []byte { return data },
				tus("Upload-Length", "10", "Upload-Metadata", meta("foto.jpg"), "Content-Type", "application/offset+octet-stream")...)(t, r)
		}, want: want{status: []int{460}, typ: api.ProblemChecksum}},
		{name: "path traversal in an upload id, encoded", send: withDevice(devA, http.MethodPatch, api.PathUploads+"..%2F..%2Frathaus.db",
			draft("", "x"), tus("Upload-Offset", "0", "Content-Type", "application/offset+octet-stream")...),
			want: want{status: notFound}},
		{name: "path traversal in an upload id, dots", send: withDevice(devA, http.MethodDelete, api.PathUploads+"../../rathaus.db", nil, tus()...),
			want: want{status: redirected}},
		{name: "an upload id with a NUL", send: withDevice(devA, http.MethodHead, api.PathUploads+"u_%00", nil, tus()...),
			want: want{status: notFound}},
		{name: "path traversal in a file name", send: withDevice(devA, http.MethodPost, api.PathUploads, nil,
			tus("Upload-Length", "10", "Upload-Metadata", meta("../../../etc/passwd"))...),
			want: want{status: bad}, known: "a file name may hold a path"},
		{name: "a file name with a NUL", send: withDevice(devA, http.MethodPost, api.PathUploads, nil,
			tus("Upload-Length", "10", "Upload-Metadata", meta("foto\x00.jpg"))...),
			want: want{status: bad}},
		{name: "Upload-Metadata not in base64", send: withDevice(devA, http.MethodPost, api.PathUploads, nil,
			tus("Upload-Length", "10", "Upload-Metadata", "filename !!!,filetype ???,sha256 ...")...),
			want: want{status: bad}},
		{name: "a tus request without Tus-Resumable", send: withDevice(devA, http.MethodPost, api.PathUploads, nil,
			"Upload-Length", "10", "Upload-Metadata", meta("foto.jpg")),
			want: want{status: []int{http.StatusPreconditionFailed}}},
		{name: "a PATCH at the wrong offset", send: func(t *testing.T, r *rig) result {
			return withDevice(devA, http.MethodPatch, api.PathUploads+r.partial, draft("", "xyz"),
				tus("Upload-Offset", "3", "Content-Type", "application/offset+octet-stream")...)(t, r)
		}, want: want{status: []int{http.StatusConflict}}},

		// The changes feed.
		{name: "a garbage changes cursor", send: withDevice(devA, http.MethodGet, api.PathChanges+"?since=abc", nil),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a negative cursor", send: withDevice(devA, http.MethodGet, api.PathChanges+"?since=-1", nil),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a cursor beyond int64", send: withDevice(devA, http.MethodGet, api.PathChanges+"?since=99999999999999999999", nil),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a limit of 0", send: withDevice(devA, http.MethodGet, api.PathChanges+"?limit=0", nil),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a negative limit", send: withDevice(devA, http.MethodGet, api.PathChanges+"?limit=-5", nil),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a limit of a billion", send: withDevice(devA, http.MethodGet, api.PathChanges+"?limit=1000000000", nil),
			want: want{status: []int{200}, check: func(t *testing.T, r *rig, res result) []string {
				var page api.Changes
				if err := json.Unmarshal(res.body, &page); err != nil || len(page.Changes) > api.ChangesLimitMax {
					return []string{fmt.Sprintf("page of %d changes (%v), want at most %d", len(page.Changes), err, api.ChangesLimitMax)}
				}
				return nil
			}}},
		{name: "the changes feed without a device", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodGet, api.PathChanges, nil, nil)}
		}, want: want{status: unauth, typ: api.ProblemUnauthorized}},

		// Draft copies.
		{name: "a draft clock a day ahead", send: withDevice(devA, http.MethodPut, api.PathDrafts+"skew-ahead",
			draft("skew-ahead", fmt.Sprintf(`{"fields":{"a":{"value":"x","clock":%q}}}`, clock(25*time.Hour)))),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a draft clock a day behind", send: withDevice(devA, http.MethodPut, api.PathDrafts+"skew-behind",
			draft("skew-behind", fmt.Sprintf(`{"fields":{"a":{"value":"x","clock":%q}}}`, clock(-25*time.Hour)))),
			want: want{status: []int{200}, stores: true}},
		{name: "a malformed draft clock", send: withDevice(devA, http.MethodPut, api.PathDrafts+"bad-clock",
			draft("bad-clock", `{"fields":{"a":{"value":"x","clock":"gestern"}}}`)),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a draft copy naming another id", send: withDevice(devA, http.MethodPut, api.PathDrafts+"one",
			draft("one", fmt.Sprintf(`{"id":"two","fields":{"a":{"value":"x","clock":%q}}}`, clock(0)))),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a draft copy of 2 MiB", send: withDevice(devA, http.MethodPut, api.PathDrafts+"big",
			draft("big", fmt.Sprintf(`{"fields":{"a":{"value":%q,"clock":%q}}}`, strings.Repeat("x", 2<<20), clock(0)))),
			want: want{status: tooLarge, typ: api.ProblemTooLarge}},
		{name: "a draft copy with 1,001 fields", send: func(t *testing.T, r *rig) result {
			fields := map[string]api.DraftField{}
			for i := range 1001 {
				fields["f"+strconv.Itoa(i)] = api.DraftField{Value: json.RawMessage(`1`), Clock: clock(0)}
			}
			b, _ := json.Marshal(api.DraftCopy{Fields: fields})
			return result{answer: r.do(t, http.MethodPut, api.PathDrafts+"many", r.auth(r.a), b)}
		}, want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a draft copy 100,000 levels deep", send: withDevice(devA, http.MethodPut, api.PathDrafts+"deep",
			draft("deep", fmt.Sprintf(`{"fields":{"a":{"value":%s,"clock":%q}}}`, deepJSON(100_000), clock(0)))),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a draft id of 129 characters", send: withDevice(devA, http.MethodPut, api.PathDrafts+strings.Repeat("d", 129),
			draft("", `{}`)), want: want{status: bad, typ: api.ProblemBadRequest}},

		// Devices and credentials.
		{name: "a device registration of 10 MB", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodPost, api.PathDevices, nil, append(append([]byte(`{"platform":"`), tenMB...), `"}`...))}
		}, want: want{status: []int{400, 413}}},
		{name: "a device platform in invalid UTF-8", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodPost, api.PathDevices, nil, []byte("{\"platform\":\"\xff\xfe\",\"app_version\":\"1\"}"))}
		}, want: want{status: bad, typ: api.ProblemBadRequest}, known: "invalid UTF-8 in a registration becomes U+FFFD and is stored"},
		{name: "a garbage Authorization", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodGet, api.PathChanges, hdr("Authorization", "Bearer ../../etc/passwd"), nil)}
		}, want: want{status: unauth, typ: api.ProblemUnauthorized}},
		{name: "an unknown device token", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodGet, api.PathChanges, hdr("Authorization", "Bearer "+strings.Repeat("A", 43)), nil)}
		}, want: want{status: unauth, typ: api.ProblemUnauthorized}},
		{name: "the staff API with a device token", send: func(t *testing.T, r *rig) result {
			return withDevice(devA, http.MethodPost, api.PathStaffCases+r.caseA.ID+"/status", draft("", `{"status":"decided"}`))(t, r)
		}, want: want{status: []int{401, 403, 404}}},
	}
}

// clientCall runs a client call and wraps its error as a case's result.
func clientCall(f func(t *testing.T, r *rig) error) func(t *testing.T, r *rig) result {
	return func(t *testing.T, r *rig) result { return result{client: true, err: f(t, r)} }
}

func sampleSubmission() api.SubmissionRequest {
	return api.SubmissionRequest{Service: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 2}, Data: json.RawMessage(`{}`)}
}

func clientCases(t *testing.T) []badInput {
	t.Helper()
	ctx := context.Background()
	html := []byte("<html><body><form>Bitte melden Sie sich am Hotspot an.</form></body></html>")
	busy := want{code: citizen.EUNAVAILABLE, transient: true}
	unreadable := want{code: citizen.EUNAVAILABLE, transient: true}
	refused := want{code: citizen.EREJECTED}
	// against a fake server answering h
	viaFake := func(h http.HandlerFunc, call func(c *portal.Client) error) func(t *testing.T, r *rig) result {
		return clientCall(func(t *testing.T, r *rig) error { return call(portal.New(fake(t, h))) })
	}
	submitTo := func(c *portal.Client) error { _, err := c.Submit(ctx, "k", sampleSubmission()); return err }
	changesOf := func(c *portal.Client) error { _, err := c.Changes(ctx, "", 100); return err }
	uploadTo := func(h http.HandlerFunc, f upload.File) func(t *testing.T, r *rig) result {
		return clientCall(func(t *testing.T, r *rig) error {
			base := fake(t, h)
			if f.URL != "" {
				f.URL = base + f.URL
			}
			_, err := upload.New(base).Upload(ctx, f, func(upload.Progress) error { return nil })
			return err
		})
	}
	small := func(data string) upload.File {
		sum := sha256.Sum256([]byte(data))
		return upload.File{Name: "foto.jpg", Type: "image/jpeg", SHA256: hex.EncodeToString(sum[:]), Data: []byte(data)}
	}
	// with device A's credential against the real backend
	real := func(call func(c *portal.Client) error) func(t *testing.T, r *rig) result {
		return clientCall(func(t *testing.T, r *rig) error {
			c := portal.New(r.b.URL)
			c.SetToken(r.a.Token)
			return call(c)
		})
	}
	dayAhead := time.Now().Add(24 * time.Hour).UTC().Format(http.TimeFormat)

	return []badInput{
		{name: "portal: the catalog answered by a hotspot's login page", send: viaFake(reply(200, "text/html", html),
			func(c *portal.Client) error { _, _, _, err := c.Catalog(ctx, ""); return err }), want: unreadable},
		{name: "portal: a case answered in garbage", send: viaFake(reply(201, api.ContentTypeJSON, []byte("\x00\x01garbage")), submitTo), want: unreadable},
		{name: "portal: a submission answered 204 by a proxy", send: viaFake(reply(204, "", nil), submitTo), want: unreadable},
		{name: "portal: an answer of 20 MB", send: viaFake(reply(201, api.ContentTypeJSON, bytes.Repeat([]byte(" "), 20<<20)), submitTo), want: unreadable},
		{name: "portal: a change without its case", send: viaFake(reply(200, api.ContentTypeJSON,
			[]byte(`{"changes":[{"seq":1,"kind":"case"}],"cursor":"1"}`)), changesOf), want: unreadable},
		{name: "portal: a changes page in invalid UTF-8", send: viaFake(reply(200, api.ContentTypeJSON,
			[]byte("{\"changes\":[],\"cursor\":\"\xff\"}")), changesOf), want: unreadable},
		{name: "portal: a form definition in HTML", send: viaFake(reply(200, "text/html", html), func(c *portal.Client) error {
			_, err := c.Form(ctx, api.FormRef{ID: "hundesteuer", Version: 2})
			return err
		}), want: unreadable},
		{name: "portal: a device without a token", send: viaFake(reply(201, api.ContentTypeJSON, []byte(`{"id":"d_1"}`)), func(c *portal.Client) error {
			_, err := c.RegisterDevice(ctx, api.DeviceRequest{Platform: "linux"})
			return err
		}), want: unreadable},
		{name: "portal: a merged draft with another id", send: viaFake(reply(200, api.ContentTypeJSON, []byte(`{"id":"other","fields":{}}`)), func(c *portal.Client) error {
			_, err := c.PutDraft(ctx, api.DraftCopy{ID: "mine"})
			return err
		}), want: unreadable},
		{name: "portal: a wait until a day from now (clock skew)", send: viaFake(reply(503, "text/plain", []byte("maintenance"), "Retry-After", dayAhead), submitTo),
			want: want{code: citizen.EUNAVAILABLE, transient: true, check: func(t *testing.T, r *rig, res result) []string {
				var re *portal.ResponseError
				if !errors.As(res.err, &re) || re.RetryAfter > portal.MaxRetryAfter {
					return []string{fmt.Sprintf("the app would wait %v", re.RetryAfter)}
				}
				return nil
			}}},
		{name: "portal: field errors that are garbage", send: viaFake(reply(422, api.ContentTypeProblem, []byte(`{"title":"x","status":422,"errors":"all of them"}`)), submitTo),
			want: refused},
		{name: "portal: an HTML 500", send: viaFake(reply(500, "text/html", []byte("<h1>Internal Server Error</h1>")), submitTo), want: busy},
		{name: "portal, backend: an unknown form version", send: real(func(c *portal.Client) error {
			s := sampleSubmission()
			s.Form.Version = 99
			_, err := c.Submit(ctx, "c-version", s)
			return err
		}), want: refused},
		{name: "portal, backend: a field the town hall refuses", send: real(func(c *portal.Client) error {
			_, err := c.Submit(ctx, "c-invalid", api.SubmissionRequest{Service: "sperrmuell", Form: api.FormRef{ID: "sperrmuell", Version: 1},
				Data: json.RawMessage(`{"volume_m3":-1}`)})
			return err
		}), want: want{code: citizen.EINVALID}},
		{name: "portal, backend: a garbage cursor", send: real(func(c *portal.Client) error { _, err := c.Changes(ctx, "abc", 10); return err }),
			want: refused},
		{name: "portal, backend: a draft clock a day ahead", send: real(func(c *portal.Client) error {
			_, err := c.PutDraft(ctx, api.DraftCopy{ID: "c-skew", Fields: map[string]api.DraftField{
				"a": {Value: json.RawMessage(`"x"`), Clock: api.HLC{Wall: time.Now().Add(25 * time.Hour).UnixMilli(), Device: "d_skew"}.String()}}})
			return err
		}), want: refused},
		{name: "upload: creation answered by a hotspot's login page", send: uploadTo(reply(200, "text/html", html), small("0123456789")), want: unreadable},
		{name: "upload: created without a Location", send: uploadTo(reply(201, "", nil, "Upload-Offset", "10"), small("0123456789")), want: unreadable},
		{name: "upload: an offset that is not a number", send: uploadTo(reply(200, "", nil, "Upload-Offset", "zehn"),
			upload.File{Name: "a.jpg", Type: "image/jpeg", SHA256: strings.Repeat("a", 64), Data: []byte("0123456789"), URL: "/v1/uploads/u_1"}),
			want: unreadable},
		{name: "upload: an HTML 502 from a proxy", send: uploadTo(reply(502, "text/html", []byte("<h1>Bad Gateway</h1>")), small("0123456789")), want: busy},
		{name: "upload, backend: a file whose checksum is wrong", send: clientCall(func(t *testing.T, r *rig) error {
			f := small("0123456789")
			f.SHA256 = strings.Repeat("c", 64)
			_, err := upload.New(r.b.URL, upload.WithHeader("Authorization", "Bearer "+r.a.Token)).Upload(ctx, f, func(upload.Progress) error { return nil })
			return err
		}), want: refused},
		{name: "upload, backend: a file of 11 MB", send: clientCall(func(t *testing.T, r *rig) error {
			f := small(strings.Repeat("x", 11<<20))
			_, err := upload.New(r.b.URL, upload.WithHeader("Authorization", "Bearer "+r.a.Token)).Upload(ctx, f, func(upload.Progress) error { return nil })
			return err
		}), want: want{code: citizen.EINVALID}},
	}
}
