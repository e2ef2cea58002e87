package reliability

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"rathaus/api"
)

// Shorthands for the table of bad input sent to the backend over loopback
// (backendCases).
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

// backendCases are the bad input sent to the running backend: submissions,
// keys, another device's ids, uploads, the changes feed, draft copies,
// devices and credentials.
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
		}, want: want{status: []int{400, 422}}},
		{name: "a raw NUL byte in a string", send: func(t *testing.T, r *rig) result {
			return submit("b-nul-raw", bytes.Replace(submission(t, "sperrmuell", nil), []byte("Peter"), []byte("Pe\x00ter"), 1))(t, r)
		}, want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "an escaped NUL in a name", send: submitEdited("b-nul", "given_name", `"Pe\u0000ter"`),
			want: want{status: []int{201, 400, 422}, stores: true, check: storedWithout(`\u0000`, "a NUL")}},
		{name: "a lone surrogate in a name", send: submitEdited("b-surrogate", "given_name", `"Pe\ud800ter"`),
			want: want{status: []int{201, 400, 422}, stores: true, check: storedWithout(`\ud800`, "a lone surrogate")}},
		{name: "an integer written as 2e1", send: submitEdited("b-2e1", "items", `[{"kind":"sofa","count":2e1}]`),
			want: want{status: []int{201, 422}, stores: true, check: storedWithout(`2e1`, "an integer as written")}},
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
			want: want{status: unproc, typ: api.ProblemValidation, pointer: "/volume_m3"}},
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
		}, want: want{status: unproc, typ: api.ProblemValidation, pointer: "/photo"}},
		{name: "another device's upload: HEAD", send: func(t *testing.T, r *rig) result {
			return withDevice(devB, http.MethodHead, api.PathUploads+r.victims["head"], nil, tus()...)(t, r)
		}, want: want{status: notFound}},
		{name: "another device's upload: PATCH", send: func(t *testing.T, r *rig) result {
			return withDevice(devB, http.MethodPatch, api.PathUploads+r.victims["patch"], draft("", "56789"),
				tus("Upload-Offset", "5", "Content-Type", "application/offset+octet-stream")...)(t, r)
		}, want: want{status: notFound}},
		{name: "another device's upload: DELETE", send: func(t *testing.T, r *rig) result {
			return withDevice(devB, http.MethodDelete, api.PathUploads+r.victims["delete"], nil, tus()...)(t, r)
		}, want: want{status: notFound}},
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
			want: want{status: tooLarge, typ: api.ProblemTooLarge}},
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
			want: want{status: bad}},
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

		// A case's answer and notice.
		{name: "an answer to an unknown case", send: withDevice(devA, http.MethodPost, api.PathCases+"c_0000000000000000"+api.AnswerSuffix,
			sperr(nil), api.HeaderIdempotencyKey, "answer-unknown"), want: want{status: notFound, typ: api.ProblemNotFound}},
		{name: "an answer without an idempotency key", send: withDevice(devA, http.MethodPost, api.PathCases+"c_0000000000000000"+api.AnswerSuffix,
			sperr(nil)), want: want{status: bad, typ: api.ProblemMissingKey}},
		{name: "an answer that is no submission", send: withDevice(devA, http.MethodPost, api.PathCases+"c_0000000000000000"+api.AnswerSuffix,
			func(*testing.T, *rig) []byte { return []byte(`[1,2,3]`) }, api.HeaderIdempotencyKey, "answer-array"),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "an answer without a device", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodPost, api.PathCases+"c_0000000000000000"+api.AnswerSuffix,
				hdr(api.HeaderIdempotencyKey, "answer-anon"), submission(t, "sperrmuell", nil))}
		}, want: want{status: unauth, typ: api.ProblemUnauthorized}},
		{name: "the notice of an unknown case", send: withDevice(devA, http.MethodGet, api.PathCases+"c_0000000000000000"+api.NoticeSuffix, nil),
			want: want{status: notFound, typ: api.ProblemNotFound}},

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

		// Handoffs from a kiosk to a phone.
		{name: "a handoff that is not JSON", send: withDevice(devA, http.MethodPost, api.PathHandoffs, draft("", `{"ciphertext":`)),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a handoff whose ciphertext is not base64", send: withDevice(devA, http.MethodPost, api.PathHandoffs, draft("", `{"ciphertext":"!!"}`)),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a handoff without ciphertext", send: withDevice(devA, http.MethodPost, api.PathHandoffs, draft("", `{}`)),
			want: want{status: unproc, typ: api.ProblemValidation, pointer: "/ciphertext"}},
		{name: "a handoff of 10 MB", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodPost, api.PathHandoffs, r.auth(r.a), tenMB)}
		}, want: want{status: tooLarge, typ: api.ProblemTooLarge}},
		{name: "a handoff without a device", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodPost, api.PathHandoffs, nil, []byte(`{"ciphertext":"`+strings.Repeat("A", 64)+`"}`))}
		}, want: want{status: unauth}},
		{name: "a claim of an unknown handoff", send: withDevice(devB, http.MethodPost, api.PathHandoffs+"nosuchhandoff/claim", nil),
			want: want{status: notFound}},
		{name: "the state of an unknown handoff", send: withDevice(devA, http.MethodGet, api.PathHandoffs+strings.Repeat("h", 300), nil),
			want: want{status: notFound}},

		// Appointments: bookings, cancels, slots and the staff's check-in.
		{name: "a booking that is not JSON", send: withDevice(devA, http.MethodPost, api.PathBookings,
			draft("", `{"service":`), api.HeaderIdempotencyKey, "bk-json"),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a booking with its start as a number", send: withDevice(devA, http.MethodPost, api.PathBookings,
			draft("", `{"service":"anmeldung-wohnung","office":"buergerbuero","start":1796716800}`), api.HeaderIdempotencyKey, "bk-start"),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a booking at an unknown office", send: withDevice(devA, http.MethodPost, api.PathBookings,
			draft("", `{"service":"anmeldung-wohnung","office":"../../etc","start":"2026-12-08T08:00:00Z"}`), api.HeaderIdempotencyKey, "bk-office"),
			want: want{status: unproc, typ: api.ProblemValidation, pointer: "/office"}},
		{name: "a booking at a time that is no slot", send: withDevice(devA, http.MethodPost, api.PathBookings,
			draft("", `{"service":"anmeldung-wohnung","office":"buergerbuero","start":"2026-12-08T08:07:00Z"}`), api.HeaderIdempotencyKey, "bk-slot"),
			want: want{status: unproc, typ: api.ProblemValidation, pointer: "/start"}},
		{name: "a booking with a NUL in the service", send: withDevice(devA, http.MethodPost, api.PathBookings,
			draft("", `{"service":"anmeldung\u0000","office":"buergerbuero","start":"2026-12-08T08:00:00Z"}`), api.HeaderIdempotencyKey, "bk-nul"),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a booking of 10 MB", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodPost, api.PathBookings, r.auth(r.a, api.HeaderIdempotencyKey, "bk-big"), tenMB)}
		}, want: want{status: tooLarge, typ: api.ProblemTooLarge}},
		{name: "a booking without Idempotency-Key", send: withDevice(devA, http.MethodPost, api.PathBookings,
			draft("", `{"service":"anmeldung-wohnung","office":"buergerbuero","start":"2026-12-08T08:00:00Z"}`)),
			want: want{status: bad, typ: api.ProblemMissingKey}},
		{name: "a booking without a device", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodPost, api.PathBookings, hdr(api.HeaderIdempotencyKey, "bk-anon"),
				[]byte(`{"service":"anmeldung-wohnung","office":"buergerbuero","start":"2026-12-08T08:00:00Z"}`))}
		}, want: want{status: unauth, typ: api.ProblemUnauthorized}},
		{name: "a cancel of an unknown booking", send: withDevice(devB, http.MethodPost, api.PathBookings+"/b_nope/cancel", nil),
			want: want{status: notFound, typ: api.ProblemNotFound}},
		{name: "slots of an unknown office", send: withDevice(devA, http.MethodGet, api.PathSlots+"?service=anmeldung-wohnung&office=%00", nil),
			want: want{status: notFound, typ: api.ProblemNotFound}},
		{name: "slots for a thousand days", send: withDevice(devA, http.MethodGet, api.PathSlots+"?service=anmeldung-wohnung&office=buergerbuero&days=1000", nil),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "slots from a garbage date", send: withDevice(devA, http.MethodGet, api.PathSlots+"?service=anmeldung-wohnung&office=buergerbuero&from=morgen", nil),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a ticket check-in with a device token", send: withDevice(devA, http.MethodPost, api.PathTicketCheckIn,
			draft("", `{"code":"AAAA-AAAA"}`)), want: want{status: []int{401, 404}}},

		// Devices and credentials.
		{name: "a device registration of 10 MB", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodPost, api.PathDevices, nil, append(append([]byte(`{"platform":"`), tenMB...), `"}`...))}
		}, want: want{status: []int{400, 413}}},
		{name: "a device platform in invalid UTF-8", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodPost, api.PathDevices, nil, []byte("{\"platform\":\"\xff\xfe\",\"app_version\":\"1\"}"))}
		}, want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a device key that is no Ed25519 key", send: withDevice(devA, http.MethodPost, api.PathDeviceKey,
			draft("", `{"signing_key":"AAAA"}`)), want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a device key without a device token", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodPost, api.PathDeviceKey, hdr("Content-Type", api.ContentTypeJSON), []byte(`{"signing_key":"`+strings.Repeat("A", 43)+`"}`))}
		}, want: want{status: unauth, typ: api.ProblemUnauthorized}},
		{name: "an anonymous submission with a garbage signature", send: post("sig-garbage", func(t *testing.T, r *rig) []byte {
			var req map[string]any
			_ = json.Unmarshal(submission(t, "sperrmuell", nil), &req)
			req["signature"] = map[string]any{"alg": "Ed25519", "value": "!!"}
			b, _ := json.Marshal(req)
			return b
		}), want: want{status: unproc, typ: api.ProblemSignature}},
		{name: "a submission with data and a JWE", send: post("jwe-and-data", func(t *testing.T, r *rig) []byte {
			var req map[string]any
			_ = json.Unmarshal(submission(t, "sperrmuell", nil), &req)
			req["encrypted"] = "a.b.c.d.e"
			b, _ := json.Marshal(req)
			return b
		}), want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a JWE to a service without a key", send: post("jwe-no-key", func(t *testing.T, r *rig) []byte {
			var req map[string]any
			_ = json.Unmarshal(submission(t, "sperrmuell", nil), &req)
			delete(req, "data")
			req["encrypted"] = "a.b.c.d.e"
			b, _ := json.Marshal(req)
			return b
		}), want: want{status: unproc, typ: api.ProblemEncryption}},
		{name: "a garbage Authorization", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodGet, api.PathChanges, hdr("Authorization", "Bearer ../../etc/passwd"), nil)}
		}, want: want{status: unauth, typ: api.ProblemUnauthorized}},
		{name: "an unknown device token", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodGet, api.PathChanges, hdr("Authorization", "Bearer "+strings.Repeat("A", 43)), nil)}
		}, want: want{status: unauth, typ: api.ProblemUnauthorized}},
		{name: "the staff API with a device token", send: func(t *testing.T, r *rig) result {
			return withDevice(devA, http.MethodPost, api.PathStaffCases+r.caseA.ID+"/status", draft("", `{"status":"decided"}`))(t, r)
		}, want: want{status: []int{401, 403, 404}}},

		// Issue reports from the app (POST /v1/reports; Open311's own
		// errors are the spec's, not problem details: server/open311).
		{name: "a report that is not JSON", send: report("r-json", `{"service_code":"baum",`),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a report of an unknown category", send: report("r-code", `{"service_code":"ufo","address":"Domstraße 1"}`),
			want: want{status: notFound, typ: api.ProblemNotFound}},
		{name: "a report without a place", send: report("r-place", `{"service_code":"baum"}`),
			want: want{status: unproc, typ: api.ProblemValidation, pointer: "/address"}},
		{name: "a report far outside the town", send: report("r-far", `{"service_code":"baum","lat":48.137,"long":11.575}`),
			want: want{status: unproc, typ: api.ProblemValidation, pointer: "/lat"}},
		{name: "a report with NaN as latitude", send: report("r-nan", `{"service_code":"baum","lat":NaN,"long":6.96}`),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a report with a bad attribute value", send: report("r-attr",
			`{"service_code":"strassenbeleuchtung","address":"Domstraße 1","attributes":{"fehlerart":["kaputt"]}}`),
			want: want{status: unproc, typ: api.ProblemValidation, pointer: "/attributes"}},
		{name: "a report with a NUL in its description", send: report("r-nul", `{"service_code":"baum","address":"Domstraße 1","description":"a\u0000b"}`),
			want: want{status: []int{400, 422}}},
		{name: "a report naming an upload that does not exist", send: report("r-photo",
			`{"service_code":"baum","address":"Domstraße 1","photos":[{"upload":"u_00000000000000000000000000000000","size":1,"sha256":"`+strings.Repeat("a", 64)+`"}]}`),
			want: want{status: unproc, typ: api.ProblemValidation, pointer: "/photos/0"}},
		{name: "a report 20,000 levels deep", send: report("r-deep", `{"service_code":"baum","attributes":`+deepJSON(20_000)+`}`),
			want: want{status: bad, typ: api.ProblemBadRequest}},
		{name: "a report of 10 MB", send: func(t *testing.T, r *rig) result {
			return report("r-big", `{"service_code":"baum","description":"`+string(tenMB)+`"}`)(t, r)
		}, want: want{status: tooLarge, typ: api.ProblemTooLarge}},
		{name: "a report without an idempotency key", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodPost, api.PathReports, nil, []byte(`{"service_code":"baum","address":"Domstraße 1"}`))}
		}, want: want{status: bad, typ: api.ProblemMissingKey}},
		{name: "a +1 to a report that does not exist", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodPost, api.PathReports+"/424242/votes", hdr(api.HeaderIdempotencyKey, "r-vote"), nil)}
		}, want: want{status: notFound, typ: api.ProblemNotFound}},
		{name: "a photo of a report that does not exist", send: func(t *testing.T, r *rig) result {
			return result{answer: r.do(t, http.MethodGet, api.PathReports+"/1/photos/1", nil, nil)}
		}, want: want{status: notFound, typ: api.ProblemNotFound}},

		// Open data (GET /v1/opendata/{file}): only the names it lists.
		{name: "an open-data file of another format", send: openData("cases-by-month.xml"),
			want: want{status: notFound, typ: api.ProblemNotFound}},
		{name: "an open-data file up the path", send: openData("..%2F..%2Fetc%2Fpasswd"),
			want: want{status: notFound, typ: api.ProblemNotFound}},
		{name: "an open-data file with a NUL", send: openData("cases-by-month%00.json"),
			want: want{status: notFound, typ: api.ProblemNotFound}},
		{name: "an open-data file name of 10 KB", send: openData(strings.Repeat("a", 10_000) + ".json"),
			want: want{status: notFound, typ: api.ProblemNotFound}},
	}
}

// openData asks anonymously for an open-data file.
func openData(file string) func(t *testing.T, r *rig) result {
	return func(t *testing.T, r *rig) result {
		return result{answer: r.do(t, http.MethodGet, api.PathOpenData+file, nil, nil)}
	}
}

// report posts a report anonymously under its own key.
func report(key, body string) func(t *testing.T, r *rig) result {
	return func(t *testing.T, r *rig) result {
		return result{answer: r.do(t, http.MethodPost, api.PathReports, hdr(api.HeaderIdempotencyKey, key), []byte(body))}
	}
}
