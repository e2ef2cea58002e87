package server

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"rathaus/api"
)

// resource is a fixed body with its strong ETag, computed once.
type resource struct {
	body []byte
	etag string
}

func newResource(body []byte) resource {
	sum := sha256.Sum256(body)
	return resource{body: body, etag: `"` + hex.EncodeToString(sum[:])[:32] + `"`}
}

// serve answers 304 without a body when the client already holds this
// version, else 200 with the body.
func (res *resource) serve(w http.ResponseWriter, r *http.Request, cacheControl string) {
	h := w.Header()
	h.Set("ETag", res.etag)
	h.Set("Cache-Control", cacheControl)
	if etagMatches(r.Header.Values("If-None-Match"), res.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", api.ContentTypeJSON)
	_, _ = w.Write(res.body)
}

// etagMatches reports whether any If-None-Match header lists etag or "*".
// If-None-Match uses the weak comparison (RFC 9110, 13.1.2): a W/ prefix on
// either side is ignored.
func etagMatches(headers []string, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	for _, h := range headers {
		for {
			h = strings.TrimLeft(h, " \t,")
			if h == "" {
				break
			}
			if h[0] == '*' {
				return true
			}
			h = strings.TrimPrefix(h, "W/")
			if h == "" || h[0] != '"' {
				break // malformed: ignore the rest of this header
			}
			end := strings.IndexByte(h[1:], '"')
			if end < 0 {
				break
			}
			if h[:end+2] == want {
				return true
			}
			h = h[end+2:]
		}
	}
	return false
}

func (s *Server) handleCatalog(w http.ResponseWriter, r *http.Request) {
	// no-cache: clients may keep it but must revalidate, which costs one 304.
	cat := s.pub.Load().catalog
	cat.serve(w, r, "no-cache")
}

func (s *Server) handleForm(w http.ResponseWriter, r *http.Request) {
	// The key uses the canonical version number, so "01" or "x" find nothing
	// and an immutable form has exactly one URL.
	f := s.pub.Load().forms[r.PathValue("id")+"/"+r.PathValue("version")]
	if f == nil {
		writeProblem(w, notFound("No such form or version."))
		return
	}
	f.serve(w, r, "public, max-age=31536000, immutable")
}
