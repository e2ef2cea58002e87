package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/server"
)

// The type an upload claims is checked against its content: the finished
// file's first bytes must be its declared type's (PDF, JPEG, PNG, HEIC by
// signature, others by net/http's sniffing), and the type must be one the
// town takes. A mismatch is 415 with a problem, and the upload is gone.
func TestUploadContentMatchesType(t *testing.T) {
	pad := func(head string, n int) []byte {
		b := append([]byte(head), bytes.Repeat([]byte{0x42}, n)...)
		return b
	}
	heic := pad("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", 300)
	heifMif1 := pad("\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1miafMiHB", 300)
	mp4 := pad("\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isomiso2", 300)
	for _, tt := range []struct {
		name     string
		typ      string
		data     []byte
		created  int // status of the creation (without bytes)
		finished int // status of the PATCH that completes it
	}{
		{"a PDF", "application/pdf", pad("%PDF-1.7\n", 2000), 201, 204},
		{"a JPEG", "image/jpeg", pad("\xFF\xD8\xFF\xE0\x00\x10JFIF", 2000), 201, 204},
		{"a PNG", "image/png", pad("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 2000), 201, 204},
		{"a HEIC photo", "image/heic", heic, 201, 204},
		{"a HEIF image", "image/heif", heifMif1, 201, 204},
		{"a type with parameters", "image/jpeg; q=1", pad("\xFF\xD8\xFF\xE1", 100), 201, 204},
		{"HTML posing as a JPEG", "image/jpeg", pad("<!DOCTYPE html><script>alert(1)</script>", 500), 201, 415},
		{"a PDF posing as a PNG", "image/png", pad("%PDF-1.4\n", 500), 201, 415},
		{"a PNG posing as a PDF", "application/pdf", pad("\x89PNG\r\n\x1a\n", 500), 201, 415},
		{"a video posing as HEIC", "image/heic", mp4, 201, 415},
		{"an executable posing as a JPEG", "image/jpeg", pad("MZ\x90\x00", 500), 201, 415},
		{"a PDF header late in the file", "application/pdf", pad("junk\n%PDF-1.7\n", 500), 201, 415},
		{"HTML declared as HTML", "text/html", pad("<html>", 10), 415, 0},
		{"an SVG", "image/svg+xml", pad("<svg/>", 10), 415, 0},
		{"no type in particular", "application/octet-stream", pad("\x00\x01", 10), 415, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.register(t)
			sum := sha256.Sum256(tt.data)
			f := file{data: tt.data, name: "anhang", typ: tt.typ, sha: hex.EncodeToString(sum[:])}
			r := e.tusAs(t, &d, http.MethodPost, api.PathUploads, nil,
				"Upload-Length", strconv.Itoa(len(f.data)), "Upload-Metadata", f.meta())
			if r.status != tt.created {
				t.Fatalf("creation = %d, want %d; %s", r.status, tt.created, r.body)
			}
			if tt.created != http.StatusCreated {
				problemOf(t, r, http.StatusUnsupportedMediaType, api.ProblemUnsupportedType)
				return
			}
			path := e.location(t, r)
			r = e.tusAs(t, &d, http.MethodPatch, path, f.data, "Upload-Offset", "0", "Content-Type", "application/offset+octet-stream")
			if r.status != tt.finished {
				t.Fatalf("PATCH = %d, want %d; %s", r.status, tt.finished, r.body)
			}
			head := e.tusAs(t, &d, http.MethodHead, path, nil)
			if tt.finished == http.StatusNoContent {
				if head.status != http.StatusOK {
					t.Errorf("HEAD of the finished upload = %d, want 200", head.status)
				}
				return
			}
			problemOf(t, r, http.StatusUnsupportedMediaType, api.ProblemUnsupportedType)
			notFoundForTus(t, head) // ended: bytes and record
			if exists, _ := e.uploadState(t, uploadURL.FindStringSubmatch(path)[1]); exists {
				t.Error("the refused upload's record is still there")
			}
		})
	}
}

// TestUploadContentInOneRequest: a creation that carries the whole file
// is checked the same way.
func TestUploadContentInOneRequest(t *testing.T) {
	e := newEnv(t)
	bad := newFile(1000, 5)
	copy(bad.data, "<html>")
	sum := sha256.Sum256(bad.data)
	bad.sha = hex.EncodeToString(sum[:])
	problemOf(t, e.tusCreate(t, len(bad.data), bad.meta(), bad.data), http.StatusUnsupportedMediaType, api.ProblemUnsupportedType)
	good := newFile(1000, 6)
	e.location(t, e.tusCreate(t, len(good.data), good.meta(), good.data))
}

// TestUploadTypesConfig: a town may take other types (checked by
// sniffing), or any, unchecked; a malformed type is a configuration error.
func TestUploadTypesConfig(t *testing.T) {
	text := newFile(100, 7).as("text/plain")
	e := newEnv(t, withText)
	e.location(t, e.tusCreate(t, len(text.data), text.meta(), text.data))
	fake := text
	fake.typ = "image/png"
	problemOf(t, e.tusCreate(t, len(fake.data), fake.meta(), fake.data), http.StatusUnsupportedMediaType, api.ProblemUnsupportedType)

	anyType := newEnv(t, func(c *server.Config) { c.UploadTypes = []string{server.AnyUploadType} })
	anyType.location(t, anyType.tusCreate(t, len(fake.data), fake.meta(), fake.data))

	cat, forms := demoAssets(t)
	for _, bad := range [][]string{{"image/*"}, {"a picture"}} {
		cfg := server.Config{Store: e.db, Catalog: cat, Forms: forms, UploadDir: t.TempDir(), UploadTypes: bad}
		s, err := server.New(cfg)
		if err == nil {
			_ = s.Close()
		}
		if err == nil || !strings.Contains(err.Error(), "upload type") {
			t.Errorf("New with UploadTypes %q = %v, want an error naming the upload type", bad, err)
		}
	}
}

// TestSubmitLostFinishWrongContent: when the answer to the last PATCH was
// lost, the submission is the first to check the upload; content that is
// not of its type is the attachment's error (422), not a failure, and the
// upload is ended.
func TestSubmitLostFinishWrongContent(t *testing.T) {
	e := newProofEnv(t)
	data := e.proofData(t)
	photo := data["photo"].(map[string]any)
	id := photo["upload"].(string)
	// The bytes on disk become a web page of the same length, and the
	// record is unfinished with their SHA-256: as if the check at the
	// last PATCH had not run.
	path := filepath.Join(e.uploadDir, id)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	copy(b, "<html><script>alert(1)</script>")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	photo["sha256"] = hex.EncodeToString(sum[:])
	if _, err := e.rawDB(t).Exec("UPDATE uploads SET finished = NULL, sha256 = $1 WHERE id = $2", photo["sha256"], id); err != nil {
		t.Fatal(err)
	}
	p := problemOf(t, e.submit(t, "k", proofBody(t, data)), http.StatusUnprocessableEntity, api.ProblemValidation)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/photo" || !strings.Contains(p.Errors[0].Detail, "not accepted") {
		t.Errorf("errors = %+v, want the photo's type refused", p.Errors)
	}
	if exists, _ := e.uploadState(t, id); exists {
		t.Error("the upload with the wrong content is still recorded")
	}
}
