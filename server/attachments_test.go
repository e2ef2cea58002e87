package server_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
)

// proofForm has attachments at the top level, in a group and in a repeat.
const proofForm = `{
  "id": "nachweise", "version": 1, "title": {"de": "Nachweise", "en": "Proofs"},
  "schema": {
    "type": "object",
    "required": ["name", "photo"],
    "properties": {
      "name": {"type": "string"},
      "photo": {"type": "object", "format": "attachment"},
      "docs": {"type": "object", "properties": {"id_card": {"type": "object", "format": "attachment"}}},
      "items": {"type": "array", "items": {"type": "object", "properties": {"receipt": {"type": "object", "format": "attachment"}}}}
    }
  },
  "steps": [{"id": "s1", "title": {"de": "Alles"}, "fields": [
    {"key": "name", "widget": "text", "label": {"de": "Name"}},
    {"key": "photo", "widget": "photo", "label": {"de": "Foto"}, "accept": ["image/*"], "maxSize": 200000},
    {"key": "docs", "widget": "group", "label": {"de": "Dokumente"}, "fields": [
      {"key": "id_card", "widget": "file", "label": {"de": "Ausweis"}, "accept": ["application/pdf", "image/*"]}
    ]},
    {"key": "items", "widget": "repeat", "label": {"de": "Belege"}, "fields": [
      {"key": "receipt", "widget": "file", "label": {"de": "Beleg"}}
    ]}
  ]}]
}`

const proofService = "nachweis-test"

// newProofEnv is a server whose catalog also has a service with proofForm.
func newProofEnv(t *testing.T, opts ...option) *env {
	t.Helper()
	cat, forms := demoAssets(t)
	cat.Services = append(slices.Clone(cat.Services), api.Service{ID: proofService, Category: cat.Services[0].Category,
		Title: api.Text{"de": "Nachweise"}, Summary: api.Text{"de": "Test"}, Form: api.FormRef{ID: "nachweise", Version: 1}})
	forms = maps.Clone(forms)
	forms["nachweise.json"] = []byte(proofForm)
	return newEnvWith(t, cat, forms, append([]option{withText}, opts...)...)
}

// proofData uploads four files and returns data that names them, and the
// pointers of the attachment values.
func (e *env) proofData(t *testing.T) map[string]any {
	t.Helper()
	up := func(n int, seed uint64, typ string) any {
		f := newFile(n, seed).as(typ)
		return toAny(t, attachment(e.upload(t, f, 64<<10), f))
	}
	return map[string]any{
		"name":  "Erika Mustermann",
		"photo": up(150_000, 21, "image/jpeg"),
		"docs":  map[string]any{"id_card": up(80_000, 22, "application/pdf")},
		"items": []any{map[string]any{"receipt": up(1000, 23, "text/plain")}, map[string]any{"receipt": up(2000, 24, "image/png")}},
	}
}

var proofPointers = []string{"/docs/id_card", "/items/0/receipt", "/items/1/receipt", "/photo"}

func toAny(t *testing.T, v any) any {
	t.Helper()
	var out any
	if err := json.Unmarshal(mustMarshal(t, v), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// linked returns the pointers of the case's attachments, sorted.
func (e *env) linked(t *testing.T, caseID string) []string {
	t.Helper()
	rows, err := e.rawDB(t).Query("SELECT pointer FROM case_attachments WHERE case_id = $1 ORDER BY pointer", caseID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func proofBody(t *testing.T, data map[string]any) []byte {
	return body(t, proofService, api.FormRef{ID: "nachweise", Version: 1}, data)
}

func TestSubmitWithAttachments(t *testing.T) {
	e := newProofEnv(t)
	c := caseOf(t, e.submit(t, "k", proofBody(t, e.proofData(t))))
	if got := e.linked(t, c.ID); !reflect.DeepEqual(got, proofPointers) {
		t.Errorf("linked attachments = %v, want %v", got, proofPointers)
	}
	// A case's upload cannot be terminated any more.
	var upload string
	if err := e.rawDB(t).QueryRow("SELECT upload_id FROM case_attachments WHERE pointer = '/photo'").Scan(&upload); err != nil {
		t.Fatal(err)
	}
	problemOf(t, e.do(t, http.MethodDelete, api.PathUploads+upload, tusHeader(), nil), http.StatusConflict, api.ProblemConflict)
	if r := e.tusHead(t, api.PathUploads+upload); r.status != http.StatusOK {
		t.Errorf("HEAD of the case's upload = %d, want 200", r.status)
	}
}

func TestSubmitAttachmentRefused(t *testing.T) {
	e := newProofEnv(t)
	good := e.proofData(t)
	set := func(pointer string, change func(a map[string]any) any) map[string]any {
		data := toAny(t, good).(map[string]any)
		parts := strings.Split(pointer[1:], "/")
		var parent any = data
		for _, p := range parts[:len(parts)-1] {
			switch v := parent.(type) {
			case map[string]any:
				parent = v[p]
			case []any:
				parent = v[p[0]-'0']
			}
		}
		m := parent.(map[string]any)
		last := parts[len(parts)-1]
		m[last] = change(m[last].(map[string]any))
		return data
	}
	with := func(key string, v any) func(map[string]any) any {
		return func(a map[string]any) any { a[key] = v; return a }
	}
	f := newFile(5000, 30)
	unfinished := e.location(t, e.tusCreate(t, len(f.data), f.meta(), f.data[:100]))
	unfinishedID := uploadURL.FindStringSubmatch(unfinished)[1]

	tests := []struct {
		name    string
		pointer string
		change  func(map[string]any) any
		message string
	}{
		{"no such upload", "/docs/id_card", with("upload", "u_"+strings.Repeat("0", 32)), "not uploaded"},
		{"no upload named", "/photo", with("upload", ""), "not a valid attachment"},
		{"unfinished upload", "/items/0/receipt", func(a map[string]any) any {
			return toAny(t, api.Attachment{Upload: unfinishedID, Name: f.name, Type: f.typ, Size: int64(len(f.data)), SHA256: f.sha})
		}, "not been uploaded completely"},
		{"size differs", "/items/0/receipt", with("size", 999), "does not match"},
		{"hash differs", "/docs/id_card", with("sha256", f.sha), "does not match"},
		{"larger than the field takes", "/photo", with("size", 200_001), "too large; at most 0.2 MB"},
		{"type the field does not take", "/photo", with("type", "application/pdf"), "not accepted"},
		{"another type than the upload's", "/photo", with("type", "image/png"), "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := problemOf(t, e.submit(t, "k-"+tt.name, proofBody(t, set(tt.pointer, tt.change))),
				http.StatusUnprocessableEntity, api.ProblemValidation)
			if len(p.Errors) != 1 {
				t.Fatalf("errors = %+v, want one for %s", p.Errors, tt.pointer)
			}
			fe := p.Errors[0]
			if fe.Pointer != tt.pointer || fe.Code != api.CodeAttachment || !strings.Contains(fe.Detail, tt.message) ||
				fe.Message["de"] == "" || fe.Message["en"] != fe.Detail {
				t.Errorf("error = %+v, want %s, code attachment, a detail with %q and messages in de and en", fe, tt.pointer, tt.message)
			}
		})
	}
	t.Run("not an object: the schema's error only", func(t *testing.T) {
		p := problemOf(t, e.submit(t, "k-string", proofBody(t, set("/items/1/receipt", func(map[string]any) any { return "foto.jpg" }))),
			http.StatusUnprocessableEntity, api.ProblemValidation)
		if len(p.Errors) != 1 || p.Errors[0].Pointer != "/items/1/receipt" || p.Errors[0].Code != "type" {
			t.Errorf("errors = %+v, want the schema's type error only", p.Errors)
		}
	})
	t.Run("no size: the schema's format error only", func(t *testing.T) {
		// The "attachment" format (api/formschema) refuses a malformed
		// value before the upload check sees it.
		p := problemOf(t, e.submit(t, "k-nosize", proofBody(t, set("/items/1/receipt", func(a map[string]any) any { delete(a, "size"); a["sha256"] = "x"; return a }))),
			http.StatusUnprocessableEntity, api.ProblemValidation)
		if len(p.Errors) != 1 || p.Errors[0].Pointer != "/items/1/receipt" || p.Errors[0].Code != "format" {
			t.Errorf("errors = %+v, want the schema's format error only", p.Errors)
		}
	})
	t.Run("German message", func(t *testing.T) {
		p := problemOf(t, e.submit(t, "k-de", proofBody(t, set("/items/0/receipt", tests[2].change))),
			http.StatusUnprocessableEntity, api.ProblemValidation)
		if got := p.Errors[0].Message["de"]; got != "Die Datei wurde noch nicht vollständig hochgeladen." {
			t.Errorf("de = %q", got)
		}
	})
	t.Run("schema and attachment errors together", func(t *testing.T) {
		data := set("/docs/id_card", with("upload", "u_"+strings.Repeat("1", 32)))
		delete(data, "name")
		p := problemOf(t, e.submit(t, "k-both", proofBody(t, data)), http.StatusUnprocessableEntity, api.ProblemValidation)
		var got []string
		for _, fe := range p.Errors {
			got = append(got, fe.Pointer+" "+fe.Code)
		}
		if want := []string{"/name required", "/docs/id_card attachment"}; !reflect.DeepEqual(got, want) {
			t.Errorf("errors = %v, want %v", got, want)
		}
	})
	t.Run("over the total for a submission", func(t *testing.T) {
		big := func(seed uint64) any {
			return toAny(t, api.Attachment{Upload: "u_" + strings.Repeat("2", 32), Name: "x.pdf", Type: "application/pdf",
				Size: 9 << 20, SHA256: newFile(1, seed).sha})
		}
		data := toAny(t, good).(map[string]any)
		data["items"] = []any{map[string]any{"receipt": big(1)}, map[string]any{"receipt": big(2)}, map[string]any{"receipt": big(3)}}
		problemOf(t, e.submit(t, "k-big", proofBody(t, data)), http.StatusRequestEntityTooLarge, api.ProblemTooLarge)
	})
	if n := e.countCases(t); n != 0 {
		t.Errorf("cases = %d, want 0", n)
	}
	if n := e.count(t, "case_attachments"); n != 0 {
		t.Errorf("case_attachments = %d, want 0", n)
	}
}

// TestSubmitLostFinishAnswer: the PATCH that completed the file reached the
// server, but the server went down before it recorded the upload as
// finished. The submission finds the complete file, checks it and goes on.
func TestSubmitLostFinishAnswer(t *testing.T) {
	e := newProofEnv(t)
	data := e.proofData(t)
	if _, err := e.rawDB(t).Exec("UPDATE uploads SET finished = NULL"); err != nil {
		t.Fatal(err)
	}
	c := caseOf(t, e.submit(t, "k", proofBody(t, data)))
	if got := e.linked(t, c.ID); !reflect.DeepEqual(got, proofPointers) {
		t.Errorf("linked = %v, want %v", got, proofPointers)
	}
}

// TestSubmitReplayAfterUploadsExpired: the first attempt made the case; by
// the time of the retry the uploads are gone (simulated by removing them
// behind the server's back). The retry still gets the case.
func TestSubmitReplayAfterUploadsExpired(t *testing.T) {
	e := newProofEnv(t)
	b := proofBody(t, e.proofData(t))
	first := caseOf(t, e.submit(t, "lost-answer", b))
	raw := e.rawDB(t)
	for _, q := range []string{"DELETE FROM case_attachments", "DELETE FROM uploads"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(e.uploadDir)
	for _, en := range entries {
		_ = os.Remove(filepath.Join(e.uploadDir, en.Name()))
	}
	r := e.submit(t, "lost-answer", b)
	if got := caseOf(t, r); got.ID != first.ID || r.header.Get(api.HeaderReplayed) != "true" {
		t.Errorf("retry = %s (replayed %q), want %s replayed", got.ID, r.header.Get(api.HeaderReplayed), first.ID)
	}
	// A new key with the same data is checked, and refused.
	problemOf(t, e.submit(t, "new-key", b), http.StatusUnprocessableEntity, api.ProblemValidation)
	if n := e.countCases(t); n != 1 {
		t.Errorf("cases = %d, want 1", n)
	}
}

// TestJanitorKeepsCaseUploads runs the real janitor on the real clock with
// a short TTL.
func TestJanitorKeepsCaseUploads(t *testing.T) {
	e := newProofEnv(t, func(c *server.Config) {
		c.Now = time.Now
		c.UploadTTL = 300 * time.Millisecond
		c.JanitorInterval = 20 * time.Millisecond
	})
	c := caseOf(t, e.submit(t, "k", proofBody(t, e.proofData(t))))
	f := newFile(3000, 40)
	unfinished := e.location(t, e.tusCreate(t, len(f.data), f.meta(), f.data[:10]))
	unused := api.PathUploads + e.upload(t, f, 3000)

	deadline := time.Now().Add(10 * time.Second)
	for e.tusHead(t, unfinished).status != http.StatusNotFound || e.tusHead(t, unused).status != http.StatusNotFound {
		if time.Now().After(deadline) {
			t.Fatal("the janitor did not end the unfinished and the unused upload within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	rows, err := e.rawDB(t).Query("SELECT upload_id FROM case_attachments WHERE case_id = $1", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	kept := 0
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		if r := e.tusHead(t, api.PathUploads+id); r.status != http.StatusOK {
			t.Errorf("the case's upload %s: HEAD = %d, want 200", id, r.status)
		}
		kept++
	}
	if kept != len(proofPointers) || e.count(t, "uploads") != len(proofPointers) {
		t.Errorf("kept %d uploads of the case, %d records; want %d", kept, e.count(t, "uploads"), len(proofPointers))
	}
	if err := e.server.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestWithUploads checks the helper TestSubmitEveryDemoService relies on
// once the demo forms have attachments: it finds every attachment value by
// the layout and makes it real.
func TestWithUploads(t *testing.T) {
	e := newProofEnv(t)
	placeholder := map[string]any{"name": "scan.pdf", "type": "application/pdf", "size": 5000.0, "sha256": strings.Repeat("0", 64)}
	photo := map[string]any{"name": "foto.jpg", "type": "image/jpeg", "size": 1000.0}
	data := map[string]any{
		"name":  "Erika Mustermann",
		"photo": photo,
		"docs":  map[string]any{"id_card": maps.Clone(placeholder)},
		"items": []any{map[string]any{"receipt": maps.Clone(placeholder)}, map[string]any{"receipt": maps.Clone(placeholder)}},
	}
	data, n := e.withUploads(t, api.FormRef{ID: "nachweise", Version: 1}, data)
	if n != len(proofPointers) {
		t.Fatalf("withUploads made %d uploads, want %d", n, len(proofPointers))
	}
	c := caseOf(t, e.submit(t, "k", proofBody(t, data)))
	if got := e.linked(t, c.ID); !reflect.DeepEqual(got, proofPointers) {
		t.Errorf("linked = %v, want %v", got, proofPointers)
	}
}
