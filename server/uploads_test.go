package server_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
)

// uploadState reads the upload's record: whether it exists and whether it
// is finished.
func (e *env) uploadState(t *testing.T, id string) (exists, finished bool) {
	t.Helper()
	var fin bool
	err := e.rawDB(t).QueryRow("SELECT finished IS NOT NULL FROM uploads WHERE id = $1", id).Scan(&fin)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true, fin
}

func TestUploadComplete(t *testing.T) {
	e := newEnv(t, withText)
	f := newFile(300_000, 1)
	t.Run("create, then PATCH in chunks", func(t *testing.T) {
		id := e.upload(t, f, 128<<10)
		head := e.tusHead(t, api.PathUploads+id)
		if head.status != http.StatusOK || offsetOf(t, head) != len(f.data) || head.header.Get("Upload-Length") != strconv.Itoa(len(f.data)) {
			t.Errorf("HEAD = %d, offset %q, length %q; want 200 and %d twice", head.status,
				head.header.Get("Upload-Offset"), head.header.Get("Upload-Length"), len(f.data))
		}
		if exists, finished := e.uploadState(t, id); !exists || !finished {
			t.Errorf("record exists %v, finished %v; want both", exists, finished)
		}
		stored, err := os.ReadFile(filepath.Join(e.uploadDir, id))
		if err != nil || string(stored) != string(f.data) {
			t.Errorf("stored file: %d bytes, %v; want the %d bytes sent", len(stored), err, len(f.data))
		}
	})
	t.Run("creation with upload", func(t *testing.T) {
		r := e.tusCreate(t, len(f.data), f.meta(), f.data)
		path := e.location(t, r)
		if offsetOf(t, r) != len(f.data) {
			t.Errorf("Upload-Offset = %s, want %d", r.header.Get("Upload-Offset"), len(f.data))
		}
		if _, finished := e.uploadState(t, uploadURL.FindStringSubmatch(path)[1]); !finished {
			t.Error("the upload is not finished")
		}
	})
	t.Run("empty file", func(t *testing.T) {
		empty := newFile(0, 2).as("text/plain") // no bytes are no JPEG
		path := e.location(t, e.tusCreate(t, 0, empty.meta(), nil))
		if _, finished := e.uploadState(t, uploadURL.FindStringSubmatch(path)[1]); !finished {
			t.Error("an empty upload is not finished at its creation")
		}
	})
}

// TestUploadResumeAfterCut cuts a PATCH mid-body, asks HEAD where to go on
// and sends only the rest.
func TestUploadResumeAfterCut(t *testing.T) {
	e := newEnv(t)
	f := newFile(200_000, 3)
	path := e.location(t, e.tusCreate(t, len(f.data), f.meta(), nil))

	const cut = 70_001
	conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "PATCH %s HTTP/1.1\r\nHost: %s\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"+
		"Content-Type: application/offset+octet-stream\r\nContent-Length: %d\r\n\r\n", path, e.srv.Listener.Addr(), len(f.data))
	if _, err := conn.Write(f.data[:cut]); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	// The server logs the request when its handler is done with the cut body.
	e.waitForLog(t, `"method":"PATCH"`)

	head := e.tusHead(t, path)
	if head.status != http.StatusOK || offsetOf(t, head) != cut {
		t.Fatalf("HEAD after the cut = %d with offset %q, want 200 and %d", head.status, head.header.Get("Upload-Offset"), cut)
	}
	r := e.tusPatch(t, path, cut, f.data[cut:])
	if r.status != http.StatusNoContent || offsetOf(t, r) != len(f.data) {
		t.Fatalf("resume = %d with offset %q, want 204 and %d; body %s", r.status, r.header.Get("Upload-Offset"), len(f.data), r.body)
	}
	id := uploadURL.FindStringSubmatch(path)[1]
	if _, finished := e.uploadState(t, id); !finished {
		t.Error("the resumed upload is not finished (its SHA-256 did not match?)")
	}
	// A stale retry of the first PATCH is refused, not appended.
	problemOf(t, e.tusPatch(t, path, 0, f.data[:10]), http.StatusConflict, api.ProblemConflict)
}

// waitForLog waits until the server's log has a line containing s.
func (e *env) waitForLog(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(e.logs.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("the log never got %s:\n%s", s, e.logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestUploadChecksumMismatch(t *testing.T) {
	f := newFile(50_000, 4)
	wrong := f
	wrong.sha = newFile(50_000, 5).sha

	for _, tt := range []struct {
		name string
		send func(e *env) (path string, last response)
	}{
		{"PATCH", func(e *env) (string, response) {
			path := e.location(t, e.tusCreate(t, len(f.data), wrong.meta(), nil))
			if r := e.tusPatch(t, path, 0, f.data[:1000]); r.status != http.StatusNoContent {
				t.Fatalf("first chunk: %d %s", r.status, r.body)
			}
			return path, e.tusPatch(t, path, 1000, f.data[1000:])
		}},
		// The error answer to a creation carries no Location: the upload
		// is gone before the client could learn where it was.
		{"creation with upload", func(e *env) (string, response) {
			return "", e.tusCreate(t, len(f.data), wrong.meta(), f.data)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			path, last := tt.send(e)
			problemOf(t, last, 460, api.ProblemChecksum)
			if path != "" {
				if r := e.tusHead(t, path); r.status != http.StatusNotFound {
					t.Errorf("HEAD after the mismatch = %d, want 404", r.status)
				}
			}
			if n := e.count(t, "uploads"); n != 0 {
				t.Errorf("%d upload records left, want 0", n)
			}
			if left, err := os.ReadDir(e.uploadDir); err != nil || len(left) != 0 {
				t.Errorf("upload folder holds %v (%v), want nothing", left, err)
			}
		})
	}
}

func TestUploadRefused(t *testing.T) {
	e := newEnv(t)
	f := newFile(10, 6)
	meta := func(drop string, set ...string) string {
		m := map[string]string{api.MetaFilename: f.name, api.MetaFiletype: f.typ, api.MetaSHA256: f.sha}
		delete(m, drop)
		for i := 0; i+1 < len(set); i += 2 {
			m[set[i]] = set[i+1]
		}
		return metaHeader(m)
	}
	tests := []struct {
		name   string
		header http.Header
		status int
		typ    string
	}{
		{"no metadata", tusHeader("Upload-Length", "10"), 400, api.ProblemBadRequest},
		{"no sha256", tusHeader("Upload-Length", "10", "Upload-Metadata", meta(api.MetaSHA256)), 400, api.ProblemBadRequest},
		{"no filename", tusHeader("Upload-Length", "10", "Upload-Metadata", meta(api.MetaFilename)), 400, api.ProblemBadRequest},
		{"no filetype", tusHeader("Upload-Length", "10", "Upload-Metadata", meta(api.MetaFiletype)), 400, api.ProblemBadRequest},
		{"sha256 in capitals", tusHeader("Upload-Length", "10", "Upload-Metadata", meta("", api.MetaSHA256, strings.ToUpper(f.sha))), 400, api.ProblemBadRequest},
		{"sha256 too short", tusHeader("Upload-Length", "10", "Upload-Metadata", meta("", api.MetaSHA256, f.sha[:63])), 400, api.ProblemBadRequest},
		{"filetype not a media type", tusHeader("Upload-Length", "10", "Upload-Metadata", meta("", api.MetaFiletype, "a picture")), 400, api.ProblemBadRequest},
		{"no Upload-Length", tusHeader("Upload-Metadata", meta("")), 400, api.ProblemBadRequest},
		{"over the size limit", tusHeader("Upload-Length", strconv.Itoa(api.MaxUploadSize+1), "Upload-Metadata", meta("")), 413, api.ProblemTooLarge},
		{"deferred length", tusHeader("Upload-Defer-Length", "1", "Upload-Metadata", meta("")), 501, "about:blank"},
		{"no Tus-Resumable", http.Header{"Upload-Length": {"10"}, "Upload-Metadata": {meta("")}}, 412, "about:blank"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := problemOf(t, e.do(t, http.MethodPost, api.PathUploads, tt.header, nil), tt.status, tt.typ)
			if tt.status == 400 && strings.Contains(tt.name, "sha256") && !strings.Contains(p.Detail, "sha256") {
				t.Errorf("detail %q does not name sha256", p.Detail)
			}
		})
	}
	if n := e.count(t, "uploads"); n != 0 {
		t.Errorf("%d uploads recorded, want 0", n)
	}

	t.Run("unknown uploads", func(t *testing.T) {
		for _, path := range []string{api.PathUploads + "u_0123456789abcdef0123456789abcdef", api.PathUploads + "..info", api.PathUploads + "x"} {
			problemOf(t, e.tusPatch(t, path, 0, []byte("x")), http.StatusNotFound, api.ProblemNotFound)
			if r := e.tusHead(t, path); r.status != http.StatusNotFound {
				t.Errorf("HEAD %s = %d, want 404", path, r.status)
			}
		}
	})
	t.Run("download is off", func(t *testing.T) {
		id := e.upload(t, f, 10)
		problemOf(t, e.get(t, api.PathUploads+id, nil), http.StatusMethodNotAllowed, "about:blank")
	})
}

// count returns the number of rows of a table.
func (e *env) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := e.rawDB(t).QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUploadRateLimit(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.UploadsPerHour = 2 })
	f := newFile(10, 7)
	// Refused creations cost nothing.
	problemOf(t, e.tusCreate(t, 10, "", nil), http.StatusBadRequest, api.ProblemBadRequest)
	e.location(t, e.tusCreate(t, 10, f.meta(), nil))
	e.location(t, e.tusCreate(t, 10, f.meta(), nil))
	r := e.tusCreate(t, 10, f.meta(), nil)
	problemOf(t, r, http.StatusTooManyRequests, api.ProblemRateLimited)
	if got := r.header.Get("Retry-After"); got != "1800" {
		t.Errorf("Retry-After = %q, want 1800", got)
	}
}

func TestUploadTerminate(t *testing.T) {
	e := newEnv(t)
	f := newFile(1000, 8)
	path := e.location(t, e.tusCreate(t, len(f.data), f.meta(), f.data[:10]))
	if r := e.do(t, http.MethodDelete, path, tusHeader(), nil); r.status != http.StatusNoContent {
		t.Fatalf("DELETE = %d, want 204; body %s", r.status, r.body)
	}
	if r := e.tusHead(t, path); r.status != http.StatusNotFound {
		t.Errorf("HEAD after DELETE = %d, want 404", r.status)
	}
	if exists, _ := e.uploadState(t, uploadURL.FindStringSubmatch(path)[1]); exists {
		t.Error("the record is still there")
	}
}

// TestUploadBehindMiddleware: tusd answers through the server's router,
// request log and panic recovery, and its deadlines reach the connection.
func TestUploadBehindMiddleware(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, http.MethodOptions, api.PathUploads, nil, nil)
	if r.status != http.StatusOK || r.header.Get("Tus-Version") != "1.0.0" ||
		r.header.Get("Tus-Extension") != "creation,creation-with-upload,termination" ||
		r.header.Get("Tus-Max-Size") != strconv.Itoa(api.MaxUploadSize) {
		t.Errorf("OPTIONS = %d %v, want 200 with tus 1.0.0, creation,creation-with-upload,termination and max size %d",
			r.status, r.header, api.MaxUploadSize)
	}
	id := e.upload(t, newFile(1000, 9), 600)
	e.waitForLog(t, `"path":"`+api.PathUploads+id+`","status":204`)
	if strings.Contains(e.logs.String(), `"path":"`+api.PathUploads+`","status":201`) == false {
		t.Errorf("the request log has no 201 for the creation:\n%s", e.logs.String())
	}
	if strings.Contains(e.logs.String(), "NetworkControlError") || strings.Contains(e.logs.String(), "NetworkTimeoutError") {
		t.Errorf("tusd could not set deadlines through the middleware:\n%s", e.logs.String())
	}
}

// clock is a test clock that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestSweepUploads(t *testing.T) {
	clk := &clock{t: testNow}
	e := newEnv(t, func(c *server.Config) { c.Now = clk.Now; c.JanitorInterval = -1 })
	f := newFile(1000, 10)
	unfinished := e.location(t, e.tusCreate(t, len(f.data), f.meta(), f.data[:100]))
	clk.Add(2 * time.Hour)
	finished := api.PathUploads + e.upload(t, f, 1000)

	// Files without a record: an old upload, a newer one without its
	// .info, and a file that is not an upload at all. Their times are on
	// the test's clock.
	orphan, newer := "u_"+strings.Repeat("ab", 16), "u_"+strings.Repeat("cd", 16)
	for name, at := range map[string]time.Time{
		orphan: testNow.Add(-48 * time.Hour), orphan + ".info": testNow.Add(-48 * time.Hour),
		newer: clk.Now(), "notes.txt": testNow.Add(-48 * time.Hour),
	} {
		path := filepath.Join(e.uploadDir, name)
		if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
	}
	exists := func(path string) bool { return e.tusHead(t, path).status == http.StatusOK }
	fileExists := func(name string) bool {
		_, err := os.Stat(filepath.Join(e.uploadDir, name))
		return err == nil
	}

	steps := []struct {
		name                         string
		advance                      time.Duration
		wantEnded                    int
		wantUnfinished, wantFinished bool
	}{
		{"before the TTL; the old orphan goes", 21 * time.Hour, 1, true, true},
		{"unfinished one expired", 2 * time.Hour, 1, false, true},
		{"finished one and the newer orphan expired", 2 * time.Hour, 2, false, false},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			clk.Add(st.advance)
			n, err := e.server.SweepUploads(context.Background())
			if err != nil || n != st.wantEnded {
				t.Errorf("SweepUploads = %d, %v; want %d, nil", n, err, st.wantEnded)
			}
			if got := exists(unfinished); got != st.wantUnfinished {
				t.Errorf("unfinished upload exists = %v, want %v", got, st.wantUnfinished)
			}
			if got := exists(finished); got != st.wantFinished {
				t.Errorf("finished upload exists = %v, want %v", got, st.wantFinished)
			}
		})
	}
	if fileExists(orphan) || fileExists(orphan+".info") || fileExists(newer) {
		t.Error("orphan files are still there")
	}
	if !fileExists("notes.txt") {
		t.Error("the janitor removed a file that is not an upload")
	}
	if n := e.count(t, "uploads"); n != 0 {
		t.Errorf("%d upload records left, want 0", n)
	}
}

// panicOnUpload is the real store, except that recording an upload panics.
type panicOnUpload struct{ server.Store }

func (panicOnUpload) CreateUpload(context.Context, server.Upload) error { panic("upload boom") }

// TestUploadPanicRecovered: a panic inside tusd's handling (here in the
// pre-create hook) reaches the server's recovery like any other handler's.
func TestUploadPanicRecovered(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.Store = panicOnUpload{c.Store} })
	f := newFile(10, 11)
	problemOf(t, e.tusCreate(t, len(f.data), f.meta(), nil), http.StatusInternalServerError, api.ProblemInternal)
	e.waitForLog(t, `"status":500`)
	if !strings.Contains(e.logs.String(), "upload boom") {
		t.Errorf("the log does not show the panic:\n%s", e.logs.String())
	}
	if r := e.get(t, api.PathHealth, nil); r.status != http.StatusOK {
		t.Errorf("after the panic healthz = %d, want 200", r.status)
	}
}
