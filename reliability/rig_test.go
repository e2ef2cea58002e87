package reliability

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/assets"
	"rathaus/assets/demotest"
	"rathaus/server"
	"rathaus/server/servertest"
	"rathaus/sync/upload"
)

// rig is the running backend the bad input goes to (over loopback), with
// what the cases need: two registered devices, a case of device A, a
// finished and an unfinished upload of A, and a read-only connection to
// the backend's database to prove that nothing changed.
type rig struct {
	b        *servertest.Backend
	uploads  string // the backend's tus folder
	raw      *sql.DB
	a, b2    api.Device // devices A and B
	caseA    api.Case   // A's case, under key "a-1"
	bodyA    []byte     // its submission
	finished string     // A's finished upload (id)
	fileA    upload.File
	partial  string // A's unfinished upload (id): 5 of 10 bytes
	// victims are more unfinished uploads of A, one for each case that
	// tries to reach into another device's upload (and may end it).
	victims map[string]string
	// A also has a draft copy "draft-a" with dog_name "Bello".
	en, de map[string]string
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{uploads: t.TempDir()}
	r.b = servertest.New(t, servertest.WithConfig(func(c *server.Config) { c.UploadDir = r.uploads }))
	var err error
	if r.raw, err = sql.Open("sqlite3", "file:"+r.b.DBPath+"?mode=ro"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.raw.Close() })
	r.a, r.b2 = r.register(t), r.register(t)
	r.bodyA = submission(t, "sperrmuell", nil)
	if res := r.do(t, http.MethodPost, api.PathSubmissions, r.auth(r.a, api.HeaderIdempotencyKey, "a-1"), r.bodyA); res.status != http.StatusCreated || json.Unmarshal(res.body, &r.caseA) != nil {
		t.Fatalf("A's case: %d %s", res.status, res.body)
	}
	data := []byte("a photo of a pothole, in bytes")
	sum := sha256.Sum256(data)
	r.fileA = upload.File{Name: "schlagloch.jpg", Type: "image/jpeg", SHA256: hex.EncodeToString(sum[:]), Data: data}
	u, err := upload.New(r.b.URL, upload.WithHeader("Authorization", "Bearer "+r.a.Token)).
		Upload(context.Background(), r.fileA, func(upload.Progress) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	r.finished = upload.ID(u)
	r.partial = r.unfinished(t, "halb.jpg")
	r.victims = map[string]string{}
	for _, name := range []string{"head", "patch", "delete"} {
		r.victims[name] = r.unfinished(t, name+".jpg")
	}
	clock := api.HLC{Wall: time.Now().UnixMilli(), Device: r.a.ID}.String()
	res := r.do(t, http.MethodPut, api.PathDrafts+"draft-a", r.auth(r.a),
		[]byte(`{"fields":{"dog_name":{"value":"Bello","clock":"`+clock+`"}}}`))
	if res.status != http.StatusOK {
		t.Fatalf("A's draft: %d %s", res.status, res.body)
	}
	r.en, r.de = translations(t)
	return r
}

// unfinished creates an upload of A of 10 bytes and sends 5.
func (r *rig) unfinished(t *testing.T, name string) string {
	t.Helper()
	res := r.do(t, http.MethodPost, api.PathUploads, r.auth(r.a, "Tus-Resumable", "1.0.0", "Upload-Length", "10",
		"Upload-Metadata", tusMeta("filename", name, "filetype", "image/jpeg", "sha256", strings.Repeat("a", 64)),
		"Content-Type", "application/offset+octet-stream"), []byte("01234"))
	if res.status != http.StatusCreated {
		t.Fatalf("A's unfinished upload: %d %s", res.status, res.body)
	}
	return upload.ID(res.header.Get("Location"))
}

func (r *rig) register(t *testing.T) api.Device {
	t.Helper()
	res := r.do(t, http.MethodPost, api.PathDevices, nil, []byte(`{"platform":"linux","app_version":"reliability"}`))
	var d api.Device
	if res.status != http.StatusCreated || json.Unmarshal(res.body, &d) != nil {
		t.Fatalf("register: %d %s", res.status, res.body)
	}
	return d
}

// auth is a header with the device's credential and the pairs given.
func (r *rig) auth(d api.Device, kv ...string) http.Header {
	h := hdr(kv...)
	h.Set("Authorization", "Bearer "+d.Token)
	return h
}

// hdr makes a header of key, value pairs.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// answer is an HTTP exchange's result.
type answer struct {
	method string
	status int
	header http.Header
	body   []byte
}

// do sends a request to the backend over loopback.
func (r *rig) do(t *testing.T, method, path string, h http.Header, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest(method, r.b.URL+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	// The path as given, escapes and all: some cases are about paths that
	// a URL parser would clean.
	req.URL.Opaque = "//" + req.URL.Host + path
	req.Header = h.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read: %v", method, path, err)
	}
	return answer{method: method, status: res.StatusCode, header: res.Header, body: b}
}

// snapshot is every table's rows (as a digest per table) and the upload
// folder's names and sizes: what "nothing stored changed" compares.
func (r *rig) snapshot(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	rows, err := r.raw.Query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	for _, tb := range tables {
		rs, err := r.raw.Query(`SELECT * FROM "` + tb + `" ORDER BY rowid`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rs.Columns()
		h := sha256.New()
		n := 0
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%q\n", vals)
			n++
		}
		rs.Close()
		out["table "+tb] = fmt.Sprintf("%d rows %x", n, h.Sum(nil)[:6])
	}
	entries, err := os.ReadDir(r.uploads)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		out["file "+e.Name()] = strconv.FormatInt(info.Size(), 10)
	}
	return out
}

// changed names what differs between two snapshots.
func changed(before, after map[string]string) []string {
	var out []string
	for k, v := range before {
		if after[k] != v {
			out = append(out, fmt.Sprintf("%s: %s -> %s", k, v, orNone(after[k])))
		}
	}
	for k, v := range after {
		if _, ok := before[k]; !ok {
			out = append(out, fmt.Sprintf("%s: new, %s", k, v))
		}
	}
	slices.Sort(out)
	return out
}

func orNone(s string) string {
	if s == "" {
		return "gone"
	}
	return s
}

// storedData is the data the backend stored for a case.
func (r *rig) storedData(t *testing.T, caseID string) string {
	t.Helper()
	var data string
	if err := r.raw.QueryRow("SELECT data FROM cases WHERE id = ?", caseID).Scan(&data); err != nil {
		t.Fatalf("stored data of %s: %v", caseID, err)
	}
	return data
}

// submission is the demo example of a service as a submission body, with
// edit applied to its data.
func submission(t *testing.T, service string, edit func(map[string]any)) []byte {
	t.Helper()
	s := demotest.Service(t, service)
	data := demotest.Example(t, s.Form.ID)
	if edit != nil {
		edit(data)
	}
	raw, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(api.SubmissionRequest{Service: s.ID, Form: s.Form, Data: raw})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withRaw replaces the JSON text of one top-level data field of a
// submission body by raw (JSON that encoding/json would not write).
func withRaw(t *testing.T, body []byte, field, raw string) []byte {
	t.Helper()
	var req api.SubmissionRequest
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatal(err)
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(req.Data, &data); err != nil {
		t.Fatal(err)
	}
	data[field] = json.RawMessage("null")
	b, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	marker := fmt.Sprintf("%q:null", field)
	d := strings.Replace(string(b), marker, fmt.Sprintf("%q:%s", field, raw), 1)
	return []byte(fmt.Sprintf(`{"service":%q,"form":{"id":%q,"version":%d},"data":%s}`, req.Service, req.Form.ID, req.Form.Version, d))
}

func tusMeta(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, kv[i]+" "+base64.StdEncoding.EncodeToString([]byte(kv[i+1])))
	}
	return strings.Join(parts, ",")
}

// translations are the app's English and German texts.
func translations(t *testing.T) (en, de map[string]string) {
	t.Helper()
	for code, m := range map[string]*map[string]string{"en": &en, "de": &de} {
		b, err := assets.Translations.ReadFile("translations/" + code + ".json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, m); err != nil {
			t.Fatal(err)
		}
	}
	return en, de
}

// fake is a server that answers every request with h, standing in for
// whatever answers in the backend's place.
func fake(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// reply answers with a status, a content type, a body and header pairs.
func reply(status int, contentType string, body []byte, kv ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			w.Header().Set(kv[i], kv[i+1])
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}
