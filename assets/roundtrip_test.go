package assets_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/assets"
	"rathaus/server"
	"rathaus/server/sqlite"
)

// backend runs the reference backend with the demo municipality on a
// fresh SQLite file.
func backend(t *testing.T) *httptest.Server {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "server.db"))
	if err != nil {
		t.Fatalf("sqlite.Open() error = %v, want nil", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	files, err := assets.DemoFormFiles()
	if err != nil {
		t.Fatalf("DemoFormFiles() error = %v, want nil", err)
	}
	s, err := server.New(server.Config{
		Store: db, Catalog: loadCatalog(t), Forms: files,
		UploadDir: filepath.Join(t.TempDir(), "uploads"), UploadsPerHour: -1,
		// The examples' files are made-up bytes: the content check has
		// its own tests (server/uploadtype_test.go).
		UploadTypes: []string{server.AnyUploadType},
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("server.New() error = %v, want nil (the server must start with the demo forms)", err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv
}

// submit posts form data as a submission and returns the status and body.
func submit(t *testing.T, srv *httptest.Server, key, service string, form api.FormRef, data map[string]any) (int, []byte) {
	t.Helper()
	d, err := json.Marshal(data)
	if err != nil {
		t.Fatalf("json.Marshal(data) error = %v, want nil", err)
	}
	body, err := json.Marshal(api.SubmissionRequest{Service: service, Form: form, Data: d})
	if err != nil {
		t.Fatalf("json.Marshal(request) error = %v, want nil", err)
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL+api.PathSubmissions, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", api.ContentTypeJSON)
	req.Header.Set(api.HeaderIdempotencyKey, key)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("POST %s error = %v, want nil", api.PathSubmissions, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	return res.StatusCode, b
}

// TestRoundTrip: every service's example is valid in the app (as the app
// sends it: pruned) and the backend makes a case of it; a broken draft
// gets the same errors, with the same pointers and messages, on both sides.
func TestRoundTrip(t *testing.T) {
	srv := backend(t)
	forms := loadForms(t)
	for _, svc := range loadCatalog(t).Services {
		t.Run(svc.ID, func(t *testing.T) {
			f := forms[svc.Form]
			ex := example(t, svc.Form.ID)
			sent := f.Prune(ex)
			if errs := f.Validate(sent); len(errs) != 0 {
				t.Fatalf("client: Validate(Prune(example)) = %+v, want no errors", errs)
			}
			// The backend takes only files it has received: upload the
			// files the example names, as the app does before sending.
			sent = uploadFiles(t, srv, f, sent)
			if errs := f.Validate(sent); len(errs) != 0 {
				t.Fatalf("client: Validate(example with uploads) = %+v, want no errors", errs)
			}
			status, body := submit(t, srv, "rt-"+svc.ID, svc.ID, svc.Form, sent)
			if status != http.StatusCreated {
				t.Fatalf("server: status = %d (%s), want 201", status, body)
			}
			var c api.Case
			if err := json.Unmarshal(body, &c); err != nil || c.Form != svc.Form || c.Service != svc.ID {
				t.Errorf("server: case = %+v (%v), want a case of %s with form %v", c, err, svc.ID, svc.Form)
			}

			broken := breakExample(f, ex)
			want := f.Validate(broken)
			if len(want) == 0 {
				t.Fatalf("client: Validate(broken example) = no errors, want some")
			}
			status, body = submit(t, srv, "rt-broken-"+svc.ID, svc.ID, svc.Form, broken)
			if status != http.StatusUnprocessableEntity {
				t.Fatalf("server: broken example status = %d (%s), want 422", status, body)
			}
			var p api.Problem
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatalf("server: problem %s: %v", body, err)
			}
			if !reflect.DeepEqual(p.Errors, want) {
				t.Errorf("server errors =\n%+v\nwant the client's\n%+v", p.Errors, want)
			}
			for _, e := range p.Errors {
				if f.FieldAt(e.Pointer) == nil && e.Code != "additionalProperties" {
					t.Errorf("server error at %s names no field of the form", e.Pointer)
				}
			}
		})
	}
}

// breakExample removes every required value of the example's first step
// (at every depth) and every file, and adds a key no form knows.
func breakExample(f *formschema.Form, ex map[string]any) map[string]any {
	data := deepCopy(ex)
	for _, pl := range allFields(f) {
		if !pl.fd.Widget.IsAttachment() && (pl.step != 0 || !pl.fd.Widget.HasValue() || !f.Required(pl.fd)) {
			continue
		}
		for _, p := range instances(data, pl.pointer) {
			deleteAt(data, p)
		}
	}
	data["zz_unknown"] = true
	return data
}

// TestRoundTripOldVersion: a draft begun on hundesteuer version 1 can
// still be sent as version 1.
func TestRoundTripOldVersion(t *testing.T) {
	srv := backend(t)
	draft := map[string]any{
		"given_name": "Erika", "family_name": "Mustermann", "street": "Heidestraße 17", "postcode": "51147",
		"city": "Musterstadt", "dog_name": "Bello", "kept_since": "2026-10-01", "dog_count": 1, "listed_breed": "unsure",
	}
	ref := api.FormRef{ID: "hundesteuer", Version: 1}
	if errs := loadForms(t)[ref].Validate(draft); len(errs) != 0 {
		t.Fatalf("client: Validate(version 1 draft) = %+v, want no errors", errs)
	}
	if status, body := submit(t, srv, "v1", "hundesteuer", ref, draft); status != http.StatusCreated {
		t.Errorf("server: status = %d (%s), want 201", status, body)
	}
}

// uploadFiles uploads, over tus, bytes for every file the data names (of
// the named size and type) and returns the data naming the uploads.
func uploadFiles(t *testing.T, srv *httptest.Server, f *formschema.Form, data map[string]any) map[string]any {
	t.Helper()
	data = deepCopy(data)
	for i, pl := range allFields(f) {
		if !pl.fd.Widget.IsAttachment() {
			continue
		}
		for j, p := range instances(data, pl.pointer) {
			old := valueOf(data, p).(map[string]any)
			size := int(old["size"].(float64))
			b := make([]byte, size)
			rnd := rand.New(rand.NewPCG(uint64(i), uint64(j)))
			for k := range b {
				b[k] = byte(rnd.Uint32())
			}
			sum := sha256.Sum256(b)
			a := api.Attachment{Name: old["name"].(string), Type: old["type"].(string), Size: int64(size), SHA256: hex.EncodeToString(sum[:])}
			a.Upload = tusUpload(t, srv, a, b)
			var v map[string]any
			if err := json.Unmarshal(mustJSON(t, a), &v); err != nil {
				t.Fatal(err)
			}
			setAt(data, p, v)
		}
	}
	return data
}

// tusUpload sends a file in one tus creation-with-upload request and
// returns the upload's id.
func tusUpload(t *testing.T, srv *httptest.Server, a api.Attachment, b []byte) string {
	t.Helper()
	meta := func(k, v string) string { return k + " " + base64.StdEncoding.EncodeToString([]byte(v)) }
	req, err := http.NewRequest(http.MethodPost, srv.URL+api.PathUploads, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Length", strconv.Itoa(len(b)))
	req.Header.Set("Upload-Metadata", strings.Join([]string{meta(api.MetaFilename, a.Name), meta(api.MetaFiletype, a.Type), meta(api.MetaSHA256, a.SHA256)}, ","))
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("tus POST: %v", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated || res.Header.Get("Upload-Offset") != strconv.Itoa(len(b)) {
		t.Fatalf("tus POST = %d, offset %q (%s), want 201 and the whole file", res.StatusCode, res.Header.Get("Upload-Offset"), body)
	}
	loc := res.Header.Get("Location")
	return loc[strings.LastIndexByte(loc, '/')+1:]
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// valueOf and setAt read and write the value at an instance pointer
// without escapes.
func valueOf(data map[string]any, p string) any {
	var v any = data
	for _, tok := range strings.Split(p[1:], "/") {
		switch x := v.(type) {
		case map[string]any:
			v = x[tok]
		case []any:
			i, _ := strconv.Atoi(tok)
			v = x[i]
		}
	}
	return v
}

func setAt(data map[string]any, p string, val any) {
	i := strings.LastIndexByte(p, '/')
	var parent any = data
	if i > 0 {
		parent = valueOf(data, p[:i])
	}
	switch x := parent.(type) {
	case map[string]any:
		x[p[i+1:]] = val
	case []any:
		n, _ := strconv.Atoi(p[i+1:])
		x[n] = val
	}
}
