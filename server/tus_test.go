package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/server"
)

// A minimal tus 1.0 client for the tests: creation (with or without
// bytes), PATCH, HEAD and DELETE, each one plain HTTP request.

var uploadURL = regexp.MustCompile(`/v1/uploads/(u_[0-9a-f]{32})$`)

// file is the bytes of an upload and what its metadata says about them.
type file struct {
	data []byte
	name string
	typ  string
	sha  string
}

// newFile makes n bytes of deterministic noise that start as a JPEG does
// (the backend checks a file's first bytes against its type).
func newFile(n int, seed uint64) file {
	rnd := rand.New(rand.NewPCG(seed, 42))
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(rnd.Uint32())
	}
	copy(data, []byte{0xFF, 0xD8, 0xFF})
	sum := sha256.Sum256(data)
	return file{data: data, name: fmt.Sprintf("foto-%d.jpg", seed), typ: "image/jpeg", sha: hex.EncodeToString(sum[:])}
}

// as is the file declared as typ, its first bytes made that type's (the
// backend checks them): a signature for PDF, JPEG and PNG, text for
// text/plain.
func (f file) as(typ string) file {
	data := slices.Clone(f.data)
	switch typ {
	case "application/pdf":
		copy(data, "%PDF-1.7\n")
	case "image/png":
		copy(data, "\x89PNG\r\n\x1a\n")
	case "image/jpeg":
		copy(data, []byte{0xFF, 0xD8, 0xFF})
	case "text/plain":
		for i := range data {
			data[i] = 'a' + data[i]%26
		}
	}
	sum := sha256.Sum256(data)
	return file{data: data, name: f.name, typ: typ, sha: hex.EncodeToString(sum[:])}
}

// withText lets a test backend take text/plain files too.
func withText(c *server.Config) {
	c.UploadTypes = append(slices.Clone(server.DefaultUploadTypes), "text/plain")
}

// meta is the file's Upload-Metadata header.
func (f file) meta() string {
	return metaHeader(map[string]string{api.MetaFilename: f.name, api.MetaFiletype: f.typ, api.MetaSHA256: f.sha})
}

func metaHeader(m map[string]string) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, k+" "+base64.StdEncoding.EncodeToString([]byte(v)))
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

func tusHeader(kv ...string) http.Header {
	h := http.Header{"Tus-Resumable": {"1.0.0"}}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// tusCreate sends POST /v1/uploads/ with Upload-Length and Upload-Metadata,
// and with first bytes when given (creation-with-upload).
func (e *env) tusCreate(t *testing.T, length int, meta string, first []byte) response {
	t.Helper()
	h := tusHeader("Upload-Length", strconv.Itoa(length))
	if meta != "" {
		h.Set("Upload-Metadata", meta)
	}
	if first != nil {
		h.Set("Content-Type", "application/offset+octet-stream")
	}
	return e.do(t, http.MethodPost, api.PathUploads, h, bytes.NewReader(first))
}

// location returns the path of the upload a creation answered, checking
// that it is an absolute URL on this server.
func (e *env) location(t *testing.T, r response) string {
	t.Helper()
	if r.status != http.StatusCreated {
		t.Fatalf("create upload: status %d, want 201; body %s", r.status, r.body)
	}
	loc := r.header.Get("Location")
	if !strings.HasPrefix(loc, e.srv.URL+api.PathUploads) || !uploadURL.MatchString(loc) {
		t.Fatalf("Location = %q, want %s%su_<32 hex>", loc, e.srv.URL, api.PathUploads)
	}
	return strings.TrimPrefix(loc, e.srv.URL)
}

func (e *env) tusPatch(t *testing.T, path string, offset int, chunk []byte) response {
	t.Helper()
	h := tusHeader("Upload-Offset", strconv.Itoa(offset), "Content-Type", "application/offset+octet-stream")
	return e.do(t, http.MethodPatch, path, h, bytes.NewReader(chunk))
}

func (e *env) tusHead(t *testing.T, path string) response {
	t.Helper()
	return e.do(t, http.MethodHead, path, tusHeader(), nil)
}

// offsetOf reads Upload-Offset from an answer.
func offsetOf(t *testing.T, r response) int {
	t.Helper()
	n, err := strconv.Atoi(r.header.Get("Upload-Offset"))
	if err != nil {
		t.Fatalf("Upload-Offset %q: %v (status %d, body %s)", r.header.Get("Upload-Offset"), err, r.status, r.body)
	}
	return n
}

// upload sends the whole file in chunks of chunkSize bytes and returns the
// upload's id.
func (e *env) upload(t *testing.T, f file, chunkSize int) string {
	t.Helper()
	path := e.location(t, e.tusCreate(t, len(f.data), f.meta(), nil))
	for off := 0; off < len(f.data); off += chunkSize {
		end := min(off+chunkSize, len(f.data))
		r := e.tusPatch(t, path, off, f.data[off:end])
		if r.status != http.StatusNoContent || offsetOf(t, r) != end {
			t.Fatalf("PATCH at %d: status %d, offset %q; want 204 and %d; body %s",
				off, r.status, r.header.Get("Upload-Offset"), end, r.body)
		}
	}
	return uploadURL.FindStringSubmatch(path)[1]
}

// attachment is the value of a file field for an upload of f.
func attachment(id string, f file) api.Attachment {
	return api.Attachment{ID: "local-" + f.name, Upload: id, Name: f.name, Type: f.typ, Size: int64(len(f.data)), SHA256: f.sha}
}
