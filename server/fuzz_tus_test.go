package server_test

// Fuzz targets of the tus side: metadata of a new upload, and upload ids.

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"rathaus/api"
)

// tusMeta encodes Upload-Metadata as the tus protocol does.
func tusMeta(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, kv[i]+" "+base64.StdEncoding.EncodeToString([]byte(kv[i+1])))
	}
	return strings.Join(parts, ",")
}

var uploadLocation = regexp.MustCompile(`(^|/)v1/uploads/u_[0-9a-f]{32}$`)

func FuzzTusMetadata(f *testing.F) {
	e := newFzEnv(f)
	const sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" // of nothing
	for _, s := range []struct{ length, meta string }{
		{"10", tusMeta("filename", "foto.jpg", "filetype", "image/jpeg", "sha256", strings.Repeat("a", 64))},
		{"0", tusMeta("filename", "leer.txt", "filetype", "text/plain", "sha256", sha)},
		{"-1", tusMeta("filename", "foto.jpg", "filetype", "image/jpeg", "sha256", strings.Repeat("a", 64))},
		{"99999999999999999999", tusMeta("filename", "foto.jpg", "filetype", "image/jpeg", "sha256", strings.Repeat("a", 64))},
		{strconv.Itoa(api.MaxUploadSize + 1), tusMeta("filename", "foto.jpg", "filetype", "image/jpeg", "sha256", strings.Repeat("a", 64))},
		{"10", tusMeta("filename", "../../../etc/passwd", "filetype", "image/jpeg", "sha256", strings.Repeat("a", 64))},
		{"10", tusMeta("filename", "a\x00b", "filetype", "image/jpeg", "sha256", strings.Repeat("a", 64))},
		{"10", tusMeta("filename", "\xff\xfe", "filetype", "image/jpeg", "sha256", strings.Repeat("a", 64))},
		{"10", tusMeta("filename", "foto.jpg", "filetype", "image/jpeg; charset=\"", "sha256", strings.Repeat("a", 64))},
		{"10", "filename,filetype,sha256"},
		{"10", "filename !!!notbase64!!!"},
		{"10", ""},
		{"", tusMeta("filename", "foto.jpg")},
	} {
		f.Add(s.length, s.meta, []byte(nil))
		f.Add(s.length, s.meta, []byte("0123456789"))
	}
	f.Fuzz(func(t *testing.T, length, meta string, body []byte) {
		if !validHeader(length) || !validHeader(meta) {
			t.Skip("not a header value HTTP can carry")
		}
		r := httptest.NewRequest(http.MethodPost, api.PathUploads, strings.NewReader(string(body)))
		r.Header.Set("Tus-Resumable", "1.0.0")
		r.Header.Set("Authorization", "Bearer "+e.token)
		r.Header.Set("Upload-Length", length)
		r.Header.Set("Upload-Metadata", meta)
		if len(body) > 0 {
			r.Header.Set("Content-Type", "application/offset+octet-stream")
		}
		before := e.rows(t)
		rec := e.serve(r)
		after := e.rows(t)
		switch {
		case rec.Code == http.StatusCreated:
			if loc := rec.Header().Get("Location"); !uploadLocation.MatchString(loc) {
				t.Fatalf("201 with Location %q", loc)
			}
			if after["uploads"] != before["uploads"]+1 {
				t.Fatalf("201, but %d uploads recorded (were %d)", after["uploads"], before["uploads"])
			}
		case rec.Code >= 400 && rec.Code < 500 || rec.Code == 501:
			checkProblem(t, rec)
			// A creation refused after tusd recorded it (its body longer
			// than Upload-Length, a checksum that does not match) leaves
			// nothing behind either.
			unchanged(t, "a refused upload", before, after)
		default:
			t.Fatalf("Upload-Length %q, Upload-Metadata %q: status %d: %.500s", length, meta, rec.Code, rec.Body)
		}
		checkUploadDir(t, e.uploadDir)
	})
}

// checkUploadDir fails if the upload folder holds anything but tusd's
// files of uploads with ids of the backend's making, or if anything was
// written beside it.
func checkUploadDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile(`^u_[0-9a-f]{32}(\.info)?$`)
	for _, en := range entries {
		if !name.MatchString(en.Name()) || en.IsDir() {
			t.Fatalf("the upload folder holds %q", en.Name())
		}
	}
	parent, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, en := range parent {
		names = append(names, en.Name())
	}
	slices.Sort(names)
	for _, n := range names {
		if n != "uploads" && !strings.HasPrefix(n, "rathaus.db") {
			t.Fatalf("something was written beside the upload folder: %v", names)
		}
	}
}

func FuzzUploadID(f *testing.F) {
	e := newFzEnv(f)
	for _, id := range []string{
		"u_0123456789abcdef0123456789abcdef", "u_0123456789ABCDEF0123456789ABCDEF", "../rathaus.db", "..%2frathaus.db",
		"u_0123456789abcdef0123456789abcdef.info", "u_0123456789abcdef0123456789abcdef/../../rathaus.db", "", ".", "..",
		"%00", "u_" + strings.Repeat("0", 1000),
	} {
		for m := range byte(5) {
			f.Add(m, id, "0", []byte("x"))
		}
	}
	f.Fuzz(func(t *testing.T, m byte, id, offset string, body []byte) {
		if !validHeader(offset) {
			t.Skip("not a header value HTTP can carry")
		}
		method := []string{http.MethodHead, http.MethodPatch, http.MethodDelete, http.MethodGet, http.MethodOptions}[int(m)%5]
		r := httptest.NewRequest(method, api.PathUploads+"x", strings.NewReader(string(body)))
		r.URL.Path = api.PathUploads + id
		if m&0x80 == 0 {
			r.URL.RawPath = api.PathUploads + url.PathEscape(id) // "/" and ".." inside one segment
		}
		r.Header.Set("Tus-Resumable", "1.0.0")
		r.Header.Set("Authorization", "Bearer "+e.token)
		r.Header.Set("Upload-Offset", offset)
		r.Header.Set("Content-Type", "application/offset+octet-stream")
		before := e.rows(t)
		rec := e.serve(r)
		unchanged(t, method+" of an upload that does not exist", before, e.rows(t))
		switch {
		case method == http.MethodOptions && rec.Code < 300:
			// tus discovery answers anywhere below the base path
		case rec.Code == http.StatusMovedPermanently || rec.Code == http.StatusTemporaryRedirect:
			// the router cleans "." and ".." segments by a redirect
		case rec.Code >= 400 && rec.Code < 500:
			if method != http.MethodHead {
				checkProblem(t, rec)
			}
		default:
			t.Fatalf("%s %q: status %d: %.500s", method, r.URL.EscapedPath(), rec.Code, rec.Body)
		}
		checkUploadDir(t, e.uploadDir)
	})
}
