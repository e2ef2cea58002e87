package server_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"rathaus/api"
	"rathaus/server"
)

// Uploads belong to the device that made them: tus requests and
// submissions of other devices, and of clients without a credential, find
// nothing.

// tusAs sends a tus request with d's credential (none when d is nil) and
// the header pairs given.
func (e *env) tusAs(t *testing.T, d *api.Device, method, path string, body []byte, kv ...string) response {
	t.Helper()
	h := tusHeader(kv...)
	if d != nil {
		h.Set("Authorization", "Bearer "+d.Token)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	return e.do(t, method, path, h, rd)
}

// createAs creates an upload of f for d (anonymous when nil) with the first
// n bytes and returns its path.
func (e *env) createAs(t *testing.T, d *api.Device, f file, n int) string {
	t.Helper()
	kv := []string{"Upload-Length", strconv.Itoa(len(f.data)), "Upload-Metadata", f.meta()}
	var first []byte
	if n > 0 {
		first = f.data[:n]
		kv = append(kv, "Content-Type", "application/offset+octet-stream")
	}
	return e.location(t, e.tusAs(t, d, http.MethodPost, api.PathUploads, first, kv...))
}

// uploadAs uploads all of f for d (anonymous when nil) and returns the
// upload's id.
func (e *env) uploadAs(t *testing.T, d *api.Device, f file) string {
	t.Helper()
	return uploadURL.FindStringSubmatch(e.createAs(t, d, f, len(f.data)))[1]
}

// notFoundForTus checks a tus answer that must not reveal the upload: 404,
// Tus-Resumable as on every tus answer, no Upload-Offset.
func notFoundForTus(t *testing.T, r response) {
	t.Helper()
	if r.status != http.StatusNotFound || r.header.Get("Tus-Resumable") != "1.0.0" || r.header.Get("Upload-Offset") != "" {
		t.Errorf("answer = %d, Tus-Resumable %q, Upload-Offset %q; want 404, 1.0.0 and none; body %s",
			r.status, r.header.Get("Tus-Resumable"), r.header.Get("Upload-Offset"), r.body)
	}
}

func TestUploadOnlyItsDevice(t *testing.T) {
	e := newEnv(t)
	a, b := e.register(t), e.register(t)
	f := newFile(1000, 50)
	who := map[string]*api.Device{"device A": &a, "device B": &b, "no credential": nil}
	for _, owner := range []string{"device A", "no credential"} {
		for _, other := range []string{"device A", "device B", "no credential"} {
			if other == owner {
				continue
			}
			t.Run(other+" reaches an upload of "+owner, func(t *testing.T) {
				path := e.createAs(t, who[owner], f, 100)
				notFoundForTus(t, e.tusAs(t, who[other], http.MethodHead, path, nil))
				r := e.tusAs(t, who[other], http.MethodPatch, path, f.data[100:200], "Upload-Offset", "100", "Content-Type", "application/offset+octet-stream")
				notFoundForTus(t, r)
				problemOf(t, r, http.StatusNotFound, api.ProblemNotFound)
				notFoundForTus(t, e.tusAs(t, who[other], http.MethodDelete, path, nil))
				// The method override of tusd does not lead around the check.
				r = e.tusAs(t, who[other], http.MethodPost, path, nil, "X-HTTP-Method-Override", "DELETE")
				if r.status != http.StatusMethodNotAllowed {
					t.Errorf("POST with X-HTTP-Method-Override: DELETE = %d, want 405", r.status)
				}

				// The owner finds it as it was, and goes on.
				head := e.tusAs(t, who[owner], http.MethodHead, path, nil)
				if head.status != http.StatusOK || offsetOf(t, head) != 100 || head.header.Get("Cache-Control") != "no-store" {
					t.Fatalf("owner's HEAD = %d, offset %q, Cache-Control %q; want 200, 100, no-store",
						head.status, head.header.Get("Upload-Offset"), head.header.Get("Cache-Control"))
				}
				r = e.tusAs(t, who[owner], http.MethodPatch, path, f.data[100:], "Upload-Offset", "100", "Content-Type", "application/offset+octet-stream")
				if r.status != http.StatusNoContent || offsetOf(t, r) != len(f.data) {
					t.Fatalf("owner's PATCH = %d, offset %q; want 204, %d; body %s", r.status, r.header.Get("Upload-Offset"), len(f.data), r.body)
				}
				if exists, finished := e.uploadState(t, uploadURL.FindStringSubmatch(path)[1]); !exists || !finished {
					t.Errorf("record exists %v, finished %v; want both (its SHA-256 matches the owner's bytes only)", exists, finished)
				}
				if r := e.tusAs(t, who[owner], http.MethodDelete, path, nil); r.status != http.StatusNoContent {
					t.Errorf("owner's DELETE = %d, want 204; body %s", r.status, r.body)
				}
			})
		}
	}
	t.Run("the record says whose it is", func(t *testing.T) {
		id := e.uploadAs(t, &a, f)
		u, err := e.db.Upload(t.Context(), id)
		if err != nil || u.Device != a.ID || u.Case != "" {
			t.Errorf("Upload = %+v, %v; want device %s and no case", u, err, a.ID)
		}
		anon := e.uploadAs(t, nil, f)
		if u, err := e.db.Upload(t.Context(), anon); err != nil || u.Device != "" {
			t.Errorf("anonymous Upload = %+v, %v; want no device", u, err)
		}
	})
}

// TestUploadCredentialRefused: a bad or unknown credential is refused on
// every tus request with 401, as a tus answer; discovery needs none.
func TestUploadCredentialRefused(t *testing.T) {
	e := newEnv(t)
	a := e.register(t)
	path := e.createAs(t, &a, newFile(100, 51), 10)
	for _, tt := range []struct{ name, value string }{
		{"unknown token", "Bearer " + strings.Repeat("A", 43)},
		{"not a bearer token", "Basic YTpi"},
	} {
		for _, method := range []string{http.MethodPost, http.MethodHead, http.MethodPatch, http.MethodDelete} {
			t.Run(tt.name+" "+method, func(t *testing.T) {
				p := api.PathUploads
				if method != http.MethodPost {
					p = path
				}
				h := tusHeader("Authorization", tt.value, "Upload-Length", "10", "Upload-Metadata", newFile(10, 52).meta(),
					"Upload-Offset", "10", "Content-Type", "application/offset+octet-stream")
				r := e.do(t, method, p, h, strings.NewReader("x"))
				if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" || r.header.Get("Tus-Resumable") != "1.0.0" {
					t.Errorf("%s = %d, WWW-Authenticate %q, Tus-Resumable %q; want 401 with both", method, r.status,
						r.header.Get("WWW-Authenticate"), r.header.Get("Tus-Resumable"))
				}
			})
		}
	}
	if r := e.do(t, http.MethodOptions, api.PathUploads, http.Header{"Authorization": {"Bearer nonsense"}}, nil); r.status != http.StatusOK {
		t.Errorf("OPTIONS with a bad credential = %d, want 200 (discovery needs none)", r.status)
	}
	if n := e.count(t, "uploads"); n != 1 {
		t.Errorf("%d uploads recorded, want only A's", n)
	}
}

func TestUploadServesOneCase(t *testing.T) {
	e := newProofEnv(t)
	a, b := e.register(t), e.register(t)
	photo := func(id string, f file) map[string]any {
		return map[string]any{"name": "Erika Mustermann", "photo": toAny(t, attachment(id, f))}
	}
	refused := func(t *testing.T, r response, pointer, message string) {
		t.Helper()
		p := problemOf(t, r, http.StatusUnprocessableEntity, api.ProblemValidation)
		if len(p.Errors) != 1 || p.Errors[0].Pointer != pointer || p.Errors[0].Code != api.CodeAttachment ||
			!strings.Contains(p.Errors[0].Detail, message) || p.Errors[0].Message["de"] == "" {
			t.Errorf("errors = %+v, want one at %s with %q, in German too", p.Errors, pointer, message)
		}
	}
	f := newFile(5000, 53)
	own := e.uploadAs(t, &a, f)
	first := caseOf(t, e.submitAs(t, auth(a), "a-1", proofBody(t, photo(own, f))))

	t.Run("a retry of the first case gets it", func(t *testing.T) {
		r := e.submitAs(t, auth(a), "a-1", proofBody(t, photo(own, f)))
		if got := caseOf(t, r); got.ID != first.ID || r.header.Get(api.HeaderReplayed) != "true" {
			t.Errorf("retry = %s (replayed %q), want %s replayed", got.ID, r.header.Get(api.HeaderReplayed), first.ID)
		}
	})
	t.Run("a second case of the device", func(t *testing.T) {
		refused(t, e.submitAs(t, auth(a), "a-2", proofBody(t, photo(own, f))), "/photo", "attached to an application already")
	})
	t.Run("a case of another device", func(t *testing.T) {
		fresh := e.uploadAs(t, &a, f)
		refused(t, e.submitAs(t, auth(b), "b-1", proofBody(t, photo(fresh, f))), "/photo", "not uploaded")
		refused(t, e.submitAs(t, nil, "anon-1", proofBody(t, photo(fresh, f))), "/photo", "not uploaded")
		if u, err := e.db.Upload(t.Context(), fresh); err != nil || u.Case != "" {
			t.Errorf("A's upload after the others' tries: %+v, %v; want it unused", u, err)
		}
	})
	t.Run("an anonymous upload in a device's case", func(t *testing.T) {
		anon := e.uploadAs(t, nil, f)
		refused(t, e.submitAs(t, auth(a), "a-3", proofBody(t, photo(anon, f))), "/photo", "not uploaded")
	})
	t.Run("an anonymous upload serves one anonymous case", func(t *testing.T) {
		anon := e.uploadAs(t, nil, f)
		c := caseOf(t, e.submit(t, "anon-2", proofBody(t, photo(anon, f))))
		if u, err := e.db.Upload(t.Context(), anon); err != nil || u.Case != c.ID {
			t.Errorf("Upload = %+v, %v; want used by %s", u, err, c.ID)
		}
		refused(t, e.submit(t, "anon-3", proofBody(t, photo(anon, f))), "/photo", "attached to an application already")
	})
	t.Run("one upload twice in one submission", func(t *testing.T) {
		twice := e.uploadAs(t, &a, f)
		data := photo(twice, f)
		data["docs"] = map[string]any{"id_card": toAny(t, attachment(twice, f))}
		// The layout's order: the photo takes it, the ID card finds it taken.
		refused(t, e.submitAs(t, auth(a), "a-4", proofBody(t, data)), "/docs/id_card", "attached to an application already")
		if u, err := e.db.Upload(t.Context(), twice); err != nil || u.Case != "" {
			t.Errorf("Upload = %+v, %v; want it unused after the refusal", u, err)
		}
	})
	if n := e.countCases(t); n != 2 {
		t.Errorf("cases = %d, want A's first and the anonymous one", n)
	}
}

// TestUploadServesOneCaseAtOnce: cases of one device that name the same
// upload at the same moment, each under its own key: one gets it.
func TestUploadServesOneCaseAtOnce(t *testing.T) {
	e := newProofEnv(t)
	a := e.register(t)
	f := newFile(3000, 54)
	id := e.uploadAs(t, &a, f)
	b := proofBody(t, map[string]any{"name": "Erika Mustermann", "photo": toAny(t, attachment(id, f))})
	const n = 8
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { statuses[i] = e.submitAs(t, auth(a), fmt.Sprintf("race-%d", i), b).status })
	}
	wg.Wait()
	made := 0
	for _, st := range statuses {
		switch st {
		case http.StatusCreated:
			made++
		case http.StatusUnprocessableEntity, http.StatusServiceUnavailable:
		default:
			t.Errorf("status %d", st)
		}
	}
	if made != 1 || e.countCases(t) != 1 || e.count(t, "case_attachments") != 1 {
		t.Errorf("%d answers 201, %d cases, %d links (%v); want one of each", made, e.countCases(t), e.count(t, "case_attachments"), statuses)
	}
}

// TestUploadBodyLongerThanLength: a creation whose body is longer than its
// Upload-Length is refused with 413, and nothing of it stays: neither when
// the length of the body is known beforehand nor when it is sent chunked,
// where tusd records the upload, stores its first 4 bytes (whose SHA-256
// the metadata gives, so that they pass the check) and only then finds out.
func TestUploadBodyLongerThanLength(t *testing.T) {
	e := newEnv(t)
	a := e.register(t)
	f := newFile(4, 55)
	body10 := append(slices.Clone(f.data), "789012"...)
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked %v", chunked), func(t *testing.T) {
			var body io.Reader = bytes.NewReader(body10)
			if chunked {
				body = io.MultiReader(bytes.NewReader(body10)) // no length: sent chunked
			}
			h := tusHeader("Authorization", "Bearer "+a.Token, "Upload-Length", "4", "Upload-Metadata", f.meta(),
				"Content-Type", "application/offset+octet-stream")
			r := e.do(t, http.MethodPost, api.PathUploads, h, body)
			problemOf(t, r, http.StatusRequestEntityTooLarge, api.ProblemTooLarge)
			if r.header.Get("Location") != "" {
				t.Errorf("Location %q in the refusal", r.header.Get("Location"))
			}
			if n := e.count(t, "uploads"); n != 0 {
				t.Errorf("%d uploads recorded, want 0", n)
			}
			if left, err := os.ReadDir(e.uploadDir); err != nil || len(left) != 0 {
				t.Errorf("upload folder holds %v (%v), want nothing", left, err)
			}
		})
	}
}

func TestUploadFilename(t *testing.T) {
	e := newEnv(t)
	a := e.register(t)
	f := newFile(10, 56)
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"foto.jpg", true},
		{"Rechnung für März.pdf", true},
		{strings.Repeat("x", 251) + ".jpg", true},
		{"../../../etc/passwd", false},
		{"/etc/passwd", false},
		{`C:\x`, false},
		{"C:x", false},
		{"foto\x00.jpg", false},
		{"foto\r\n.jpg", false},
		{"foto\x1b[31m.jpg", false},
		{"rechnung\u202egpj.exe", false},
		{"..", false},
		{strings.Repeat("x", 252) + ".jpg", false},
	} {
		t.Run(fmt.Sprintf("%.40q", tt.name), func(t *testing.T) {
			meta := metaHeader(map[string]string{api.MetaFilename: tt.name, api.MetaFiletype: f.typ, api.MetaSHA256: f.sha})
			r := e.tusAs(t, &a, http.MethodPost, api.PathUploads, nil, "Upload-Length", "10", "Upload-Metadata", meta)
			if tt.ok {
				e.location(t, r)
				return
			}
			p := problemOf(t, r, http.StatusBadRequest, api.ProblemBadRequest)
			if !strings.Contains(p.Detail, "filename (") {
				t.Errorf("detail %q does not say what is wrong with the filename", p.Detail)
			}
		})
	}
	if n := e.count(t, "uploads"); n != 3 {
		t.Errorf("%d uploads recorded, want the 3 good names", n)
	}
}

func TestUploadCORS(t *testing.T) {
	preflight := func(origin string) http.Header {
		return http.Header{"Origin": {origin}, "Access-Control-Request-Method": {"PATCH"},
			"Access-Control-Request-Headers": {"authorization, tus-resumable, upload-offset, content-type"}}
	}
	t.Run("no origin allowed by default", func(t *testing.T) {
		e := newEnv(t)
		for _, origin := range []string{"https://evil.example", "null", e.srv.URL} {
			r := e.do(t, http.MethodOptions, api.PathUploads, preflight(origin), nil)
			problemOf(t, r, http.StatusForbidden, "about:blank")
			if got := r.header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("preflight from %s: Access-Control-Allow-Origin %q", origin, got)
			}
			f := newFile(10, 57)
			h := tusHeader("Origin", origin, "Upload-Length", "10", "Upload-Metadata", f.meta())
			if r := e.do(t, http.MethodPost, api.PathUploads, h, nil); r.status != http.StatusForbidden || r.header.Get("Access-Control-Allow-Origin") != "" ||
				r.header.Get("Tus-Resumable") != "1.0.0" {
				t.Errorf("POST from %s = %d with Access-Control-Allow-Origin %q, Tus-Resumable %q; want 403, none, 1.0.0",
					origin, r.status, r.header.Get("Access-Control-Allow-Origin"), r.header.Get("Tus-Resumable"))
			}
		}
		// The app sends no Origin.
		e.location(t, e.tusCreate(t, 10, newFile(10, 58).meta(), nil))
		if n := e.count(t, "uploads"); n != 1 {
			t.Errorf("%d uploads recorded, want the app's only", n)
		}
	})
	t.Run("configured origins", func(t *testing.T) {
		e := newEnv(t, func(c *server.Config) {
			c.UploadOrigins = []string{"https://Portal.Musterstadt.de:443", "http://localhost:5173"}
		})
		for _, tt := range []struct {
			origin string
			ok     bool
		}{
			{"https://portal.musterstadt.de", true},
			{"http://localhost:5173", true},
			{"https://portal.musterstadt.de.evil.example", false},
			{"http://portal.musterstadt.de", false},
			{"https://evil.example", false},
		} {
			r := e.do(t, http.MethodOptions, api.PathUploads, preflight(tt.origin), nil)
			got := r.header.Get("Access-Control-Allow-Origin")
			switch {
			case tt.ok && (r.status != http.StatusOK || got != tt.origin || !strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "Authorization") ||
				!strings.Contains(r.header.Get("Access-Control-Allow-Methods"), "PATCH") || r.header.Get("Access-Control-Allow-Credentials") != ""):
				t.Errorf("preflight from %s = %d %v; want 200 allowing it, PATCH and Authorization, without credentials", tt.origin, r.status, r.header)
			case !tt.ok && (r.status != http.StatusForbidden || got != ""):
				t.Errorf("preflight from %s = %d with Access-Control-Allow-Origin %q; want 403 and none", tt.origin, r.status, got)
			}
		}
		a := e.register(t)
		h := tusHeader("Origin", "https://portal.musterstadt.de", "Authorization", "Bearer "+a.Token,
			"Upload-Length", "10", "Upload-Metadata", newFile(10, 59).meta())
		r := e.do(t, http.MethodPost, api.PathUploads, h, nil)
		e.location(t, r)
		if r.header.Get("Access-Control-Allow-Origin") != "https://portal.musterstadt.de" || !strings.Contains(r.header.Get("Access-Control-Expose-Headers"), "Location") {
			t.Errorf("creation from the portal: %v; want its origin allowed and Location exposed", r.header)
		}
	})
	t.Run("what is no origin", func(t *testing.T) {
		store := newEnv(t).db
		for _, o := range []string{"*", "https://*.musterstadt.de", "https://portal.musterstadt.de/upload", "portal.musterstadt.de", "ftp://x", "https://user@x", "https://x?a=1"} {
			cfg := server.Config{Store: store, UploadDir: t.TempDir(), UploadOrigins: []string{o}, JanitorInterval: -1}
			if _, err := server.New(cfg); err == nil || !strings.Contains(err.Error(), "origin") {
				t.Errorf("UploadOrigins %q: err = %v, want it refused", o, err)
			}
		}
	})
}
