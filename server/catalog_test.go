package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"rathaus/api"
	"rathaus/api/formschema"
)

var strongETag = regexp.MustCompile(`^"[0-9a-f]{32}"$`)

func TestCatalog(t *testing.T) {
	e := newEnv(t)
	r := e.get(t, api.PathCatalog, nil)
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", r.status, r.body)
	}
	etag := r.header.Get("ETag")
	sum := sha256.Sum256(r.body)
	if want := `"` + hex.EncodeToString(sum[:])[:32] + `"`; etag != want {
		t.Errorf("ETag = %s, want %s (sha256 of the body)", etag, want)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control = %q, want no-cache", cc)
	}
	if ct := r.header.Get("Content-Type"); ct != api.ContentTypeJSON {
		t.Errorf("Content-Type = %q, want %q", ct, api.ContentTypeJSON)
	}
	var got api.Catalog
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("catalog body: %v", err)
	}
	if len(got.Services) != len(e.catalog.Services) || got.Municipality.AGS != e.catalog.Municipality.AGS {
		t.Errorf("catalog has %d services of %s, want %d of %s",
			len(got.Services), got.Municipality.AGS, len(e.catalog.Services), e.catalog.Municipality.AGS)
	}

	tests := []struct {
		name        string
		ifNoneMatch []string
		want        int
	}{
		{"same", []string{etag}, http.StatusNotModified},
		{"weak", []string{"W/" + etag}, http.StatusNotModified},
		{"list", []string{`"0000", W/"1111",` + etag + ` , "2222"`}, http.StatusNotModified},
		{"list without spaces", []string{`"a,b",` + etag}, http.StatusNotModified},
		{"second header", []string{`"0000"`, etag}, http.StatusNotModified},
		{"star", []string{"*"}, http.StatusNotModified},
		{"other", []string{`"0123456789abcdef0123456789abcdef"`}, http.StatusOK},
		{"unquoted", []string{etag[1 : len(etag)-1]}, http.StatusOK},
		{"prefix only", []string{etag[:10] + `"`}, http.StatusOK},
		{"empty", []string{""}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(t, api.PathCatalog, http.Header{"If-None-Match": tt.ifNoneMatch})
			if r.status != tt.want {
				t.Fatalf("If-None-Match %q: status = %d, want %d", tt.ifNoneMatch, r.status, tt.want)
			}
			if got := r.header.Get("ETag"); got != etag {
				t.Errorf("ETag = %s, want %s", got, etag)
			}
			if tt.want == http.StatusNotModified && len(r.body) != 0 {
				t.Errorf("304 body has %d bytes, want 0", len(r.body))
			}
			if tt.want == http.StatusOK && !bytes.Equal(r.body, e.get(t, api.PathCatalog, nil).body) {
				t.Errorf("200 body differs from the catalog")
			}
		})
	}
}

func TestForms(t *testing.T) {
	e := newEnv(t)
	if len(e.forms) == 0 {
		t.Fatal("no demo forms")
	}
	for name, raw := range e.forms {
		f, err := formschema.Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		path := api.PathForms + f.Def.ID + "/" + strconv.Itoa(f.Def.Version)
		t.Run(name, func(t *testing.T) {
			r := e.get(t, path, nil)
			if r.status != http.StatusOK {
				t.Fatalf("GET %s = %d, want 200", path, r.status)
			}
			if !bytes.Equal(r.body, raw) {
				t.Errorf("GET %s body is not the form file byte for byte", path)
			}
			if cc := r.header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
				t.Errorf("Cache-Control = %q, want immutable for a year", cc)
			}
			etag := r.header.Get("ETag")
			if !strongETag.MatchString(etag) {
				t.Fatalf("ETag = %q, want a strong 32-hex tag", etag)
			}
			r = e.get(t, path, http.Header{"If-None-Match": {etag}})
			if r.status != http.StatusNotModified || len(r.body) != 0 {
				t.Errorf("revalidation = %d with %d bytes, want 304 with none", r.status, len(r.body))
			}
		})
	}

	svc := e.catalog.Services[0]
	for _, path := range []string{
		api.PathForms + "no-such-form/1",
		api.PathForms + svc.Form.ID + "/999",
		api.PathForms + svc.Form.ID + "/0",
		api.PathForms + svc.Form.ID + "/x",
		api.PathForms + svc.Form.ID + "/0" + strconv.Itoa(svc.Form.Version),
		api.PathForms + svc.Form.ID + "/-1",
	} {
		t.Run(path, func(t *testing.T) {
			problemOf(t, e.get(t, path, nil), http.StatusNotFound, api.ProblemNotFound)
		})
	}
}
