package server_test

// Fuzz targets for what the backend reads from outside: submission bodies,
// draft copies, tus metadata and upload ids. Each goes through the real
// handler (in-process, no network) on a real SQLite file. The properties:
// no 5xx (a panic shows as a 500 from the recovery middleware), every
// error a problem detail, a refused request changes no row, an accepted
// one gives the same answer when repeated. `make fuzz` runs each for a
// while; `go test` runs the seeds and the committed corpus in testdata/fuzz.

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/assets"
	"rathaus/server"
	"rathaus/server/sqlite"
)

// fzEnv is one backend for a whole fuzz run (each fuzz worker process has
// its own).
type fzEnv struct {
	h         http.Handler
	raw       *sql.DB // a connection of the test's own, for counting rows
	uploadDir string
	token     string // a registered device's credential
	device    string
}

func newFzEnv(tb testing.TB) *fzEnv {
	tb.Helper()
	dir := tb.TempDir()
	dbPath := filepath.Join(dir, "rathaus.db")
	db, err := sqlite.Open(dbPath)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	cat, err := assets.DemoCatalog()
	if err != nil {
		tb.Fatal(err)
	}
	forms, err := assets.DemoFormFiles()
	if err != nil {
		tb.Fatal(err)
	}
	e := &fzEnv{uploadDir: filepath.Join(dir, "uploads")}
	s, err := server.New(server.Config{
		Store: db, Catalog: cat, Forms: forms,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		UploadDir: e.uploadDir, DeviceRegistrationsPerHour: -1, UploadsPerHour: -1, JanitorInterval: -1,
		// A fuzz run sends many thousands from one address and device.
		SubmissionsPerHour: -1, AddressSubmissionsPerHour: -1, AddressDraftWritesPerHour: -1,
		MaxOpenCases: -1, MaxDrafts: -1, MaxDraftBytes: -1,
		AddressUploadBytesPerHour: -1, AddressUploadBytesPerDay: -1, DeviceUploadsPerHour: -1,
		DeviceUploadBytesPerHour: -1, MaxUploadBytesHeld: -1,
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	e.h = s
	if e.raw, err = sql.Open("sqlite3", "file:"+dbPath+"?mode=ro"); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = e.raw.Close() })
	rec := e.serve(httptest.NewRequest(http.MethodPost, api.PathDevices, strings.NewReader(`{"platform":"linux","app_version":"fuzz"}`)))
	var d api.Device
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &d) != nil {
		tb.Fatalf("register a device: %d %s", rec.Code, rec.Body)
	}
	e.token, e.device = d.Token, d.ID
	return e
}

func (e *fzEnv) serve(r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	return rec
}

// rows counts the rows of every table.
func (e *fzEnv) rows(t *testing.T) map[string]int {
	t.Helper()
	tables, err := e.raw.Query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	tables.Close()
	out := map[string]int{}
	for _, n := range names {
		var c int
		if err := e.raw.QueryRow(`SELECT count(*) FROM "` + n + `"`).Scan(&c); err != nil {
			t.Fatal(err)
		}
		out[n] = c
	}
	return out
}

// unchanged fails unless no table gained or lost a row.
func unchanged(t *testing.T, what string, before, after map[string]int) {
	t.Helper()
	if !maps.Equal(before, after) {
		t.Fatalf("%s changed the database: rows before %v, after %v", what, before, after)
	}
}

// checkProblem fails unless rec is an RFC 9457 problem detail of its own
// status.
func checkProblem(t *testing.T, rec *httptest.ResponseRecorder) api.Problem {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != api.ContentTypeProblem {
		t.Fatalf("%d with Content-Type %q, want %s; body %.300s", rec.Code, ct, api.ContentTypeProblem, rec.Body)
	}
	var p api.Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("%d: problem body %.300q: %v", rec.Code, rec.Body, err)
	}
	if p.Status != rec.Code || p.Title == "" || p.Detail == "" {
		t.Fatalf("%d: problem %+v lacks its status, a title or a detail", rec.Code, p)
	}
	return p
}

// validHeader reports whether v could arrive as a header value over HTTP
// (net/http refuses control characters other than tab).
func validHeader(v string) bool {
	return !strings.ContainsFunc(v, func(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f })
}

// submissionSeeds are every demo example as a submission, and the shapes
// of bad input that bit before or are likely to.
func submissionSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	cat, err := assets.DemoCatalog()
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, svc := range cat.Services {
		data, err := assets.DemoExample(svc.Form.ID)
		if err != nil {
			tb.Fatal(err)
		}
		raw, _ := json.Marshal(data)
		b, _ := json.Marshal(api.SubmissionRequest{Service: svc.ID, Form: svc.Form, Data: raw})
		out = append(out, b)
	}
	for _, s := range []string{
		``, `null`, `{}`, `[]`, `{"service":"hundesteuer"}`,
		`{"service":"hundesteuer","form":{"id":"hundesteuer","version":2},"data":{}}`,
		`{"service":"hundesteuer","form":{"id":"hundesteuer","version":"2"},"data":{}}`,
		`{"service":"hundesteuer","form":{"id":"hundesteuer","version":-1},"data":{}}`,
		`{"service":"hundesteuer","form":{"id":"hundesteuer","version":99999999999999999999},"data":{}}`,
		`{"service":"sperrmuell","form":{"id":"sperrmuell","version":1},"data":{"volume_m3":-3.5}}`,
		`{"service":"sperrmuell","form":{"id":"sperrmuell","version":1},"data":{"volume_m3":1e308}}`,
		`{"service":"sperrmuell","form":{"id":"sperrmuell","version":1},"data":{"items":[{"kind":"other","count":1e3}]}}`,
		`{"service":"sperrmuell","form":{"id":"sperrmuell","version":1},"data":{"given_name":"a\u0000b"}}`,
		`{"service":"sperrmuell","form":{"id":"sperrmuell","version":1},"data":{"given_name":"\ud800"}}`,
		`{"service":"sperrmuell","form":{"id":"sperrmuell","version":1},"data":{"address":{"street":[[[[[[[[]]]]]]]]}}}`,
		`{"service":"hundesteuer","form":{"id":"hundesteuer","version":2},"data":{"a":1}}{}`,
		`{"service":"hundesteuer","service":"sperrmuell","form":{"id":"hundesteuer","version":2},"data":{}}`,
	} {
		out = append(out, []byte(s))
	}
	return out
}

var caseIDPattern = regexp.MustCompile(`^c_[0-9a-f]{16}$`)

func FuzzSubmission(f *testing.F) {
	e := newFzEnv(f)
	for i, b := range submissionSeeds(f) {
		f.Add("key-"+strconv.Itoa(i), i%2 == 0, b)
	}
	f.Add("", false, []byte(`{}`))
	f.Add(strings.Repeat("k", 256), true, []byte(`{}`))
	f.Fuzz(func(t *testing.T, key string, withDevice bool, body []byte) {
		if !validHeader(key) {
			t.Skip("not a header value HTTP can carry")
		}
		post := func() *httptest.ResponseRecorder {
			r := httptest.NewRequest(http.MethodPost, api.PathSubmissions, strings.NewReader(string(body)))
			r.Header.Set("Content-Type", api.ContentTypeJSON)
			if key != "" {
				r.Header.Set(api.HeaderIdempotencyKey, key)
			}
			if withDevice {
				r.Header.Set("Authorization", "Bearer "+e.token)
			}
			return e.serve(r)
		}
		before := e.rows(t)
		rec := post()
		after := e.rows(t)
		switch rec.Code {
		case http.StatusCreated:
			var c api.Case
			if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil || !caseIDPattern.MatchString(c.ID) || c.Number == "" {
				t.Fatalf("201 with %q", rec.Body)
			}
			replayed := rec.Header().Get(api.HeaderReplayed) == "true"
			if want := before["cases"] + 1; !replayed && after["cases"] != want {
				t.Fatalf("a new case, but %d cases (were %d)", after["cases"], before["cases"])
			}
			if replayed {
				unchanged(t, "a replay", before, after)
			}
			again := post()
			var c2 api.Case
			if again.Code != http.StatusCreated || json.Unmarshal(again.Body.Bytes(), &c2) != nil || c2.ID != c.ID ||
				again.Header().Get(api.HeaderReplayed) != "true" {
				t.Fatalf("repeat answered %d %q (%s %q), first case %s", again.Code, again.Body, api.HeaderReplayed,
					again.Header().Get(api.HeaderReplayed), c.ID)
			}
			unchanged(t, "a repeat", after, e.rows(t))
		case http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
			p := checkProblem(t, rec)
			unchanged(t, "a refused submission", before, after)
			for _, fe := range p.Errors {
				if !strings.HasPrefix(fe.Pointer, "/") && fe.Pointer != "" || fe.Message["de"] == "" || fe.Message["en"] == "" {
					t.Fatalf("field error %+v: want a JSON Pointer and messages in German and English", fe)
				}
			}
		default:
			t.Fatalf("status %d: %.500s", rec.Code, rec.Body)
		}
	})
}

// draftSeeds are draft copies a device would send, and broken ones.
func draftSeeds() []string {
	now := time.Now().UnixMilli()
	clock := func(ms int64, n uint32) string { return api.HLC{Wall: ms, Counter: n, Device: "d_fuzz"}.String() }
	return []string{
		`{}`, `null`, `[]`, ``,
		fmt.Sprintf(`{"service":"hundesteuer","form":{"id":"hundesteuer","version":2},"fields":{"dog_name":{"value":"Bello","clock":%q}}}`, clock(now, 0)),
		fmt.Sprintf(`{"fields":{"a":{"value":{"b":[1,2,{"c":null}]},"clock":%q},"b":{"value":null,"clock":%q}}}`, clock(now, 1), clock(now, 2)),
		fmt.Sprintf(`{"deleted":{"clock":%q}}`, clock(now, 3)),
		fmt.Sprintf(`{"fields":{"a":{"value":"x","clock":%q}}}`, clock(now+48*3600*1000, 0)),
		`{"fields":{"a":{"value":"x","clock":"garbage"}}}`,
		`{"fields":{"a":{"value":"x","clock":"9999999999999-99999-d"}}}`,
		fmt.Sprintf(`{"fields":{"":{"value":"x","clock":%q}}}`, clock(now, 0)),
		fmt.Sprintf(`{"id":"other","fields":{"a":{"value":"x","clock":%q}}}`, clock(now, 0)),
		fmt.Sprintf(`{"fields":{"a":{"value":1e999999,"clock":%q}}}`, clock(now, 0)),
	}
}

func FuzzDraftCopy(f *testing.F) {
	e := newFzEnv(f)
	for i, s := range draftSeeds() {
		f.Add("draft-"+strconv.Itoa(i), []byte(s))
	}
	f.Add("../../etc/passwd", []byte(`{}`))
	f.Add("", []byte(`{}`))
	f.Add(strings.Repeat("d", 129), []byte(`{}`))
	f.Fuzz(func(t *testing.T, id string, body []byte) {
		put := func() *httptest.ResponseRecorder {
			r := httptest.NewRequest(http.MethodPut, api.PathDrafts+"x", strings.NewReader(string(body)))
			r.URL.Path, r.URL.RawPath = api.PathDrafts+id, api.PathDrafts+url.PathEscape(id)
			r.Header.Set("Content-Type", api.ContentTypeJSON)
			r.Header.Set("Authorization", "Bearer "+e.token)
			return e.serve(r)
		}
		before := e.rows(t)
		rec := put()
		after := e.rows(t)
		switch rec.Code {
		case http.StatusOK:
			var d api.DraftCopy
			if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil || d.ID != id {
				t.Fatalf("200 with %.300q for draft %q (%v)", rec.Body, id, err)
			}
			if after["drafts"] > before["drafts"]+1 {
				t.Fatalf("one copy made %d drafts", after["drafts"]-before["drafts"])
			}
			again := put()
			if again.Code != http.StatusOK || again.Body.String() != rec.Body.String() {
				t.Fatalf("the same copy again answered %d %.300q, first %.300q", again.Code, again.Body, rec.Body)
			}
			unchanged(t, "the same copy again", after, e.rows(t))
		case http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusRequestEntityTooLarge,
			http.StatusUnprocessableEntity:
			checkProblem(t, rec)
			unchanged(t, "a refused copy", before, after)
		case http.StatusMovedPermanently, http.StatusTemporaryRedirect:
			// the router cleans "." and ".." segments by a redirect
			unchanged(t, "a redirect", before, after)
		default:
			t.Fatalf("draft %q: status %d: %.500s", id, rec.Code, rec.Body)
		}
	})
}
