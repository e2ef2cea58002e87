package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	tusd "github.com/tus/tusd/v2/pkg/handler"

	"rathaus/api"
)

// DefaultUploadTypes are the media types the backend takes when
// Config.UploadTypes is empty: what the forms' file fields and the
// reports' photos accept.
var DefaultUploadTypes = []string{"application/pdf", "image/jpeg", "image/png", "image/heic", "image/heif"}

// AnyUploadType in Config.UploadTypes takes any type and checks no content
// (test backends whose clients send made-up bytes).
const AnyUploadType = "*"

// uploadTypes is what the uploads may be: the declared filetype must be
// one of them (checked at creation, before any byte), and the finished
// file's first bytes must be that type's (checked with its SHA-256, before
// the client hears that it arrived). A client's claim alone is never
// trusted: a staff member opens these files.
type uploadTypes struct {
	any     bool
	allowed []string // media types, lower case, without parameters
}

func newUploadTypes(types []string) (uploadTypes, error) {
	if len(types) == 0 {
		types = DefaultUploadTypes
	}
	var t uploadTypes
	for _, typ := range types {
		if typ == AnyUploadType {
			return uploadTypes{any: true}, nil
		}
		mt, _, err := mime.ParseMediaType(typ)
		if err != nil || strings.HasSuffix(mt, "/*") {
			return t, fmt.Errorf("server: upload type %q is no media type such as image/png", typ)
		}
		t.allowed = append(t.allowed, mt)
	}
	return t, nil
}

// declared is the media type of a filetype, lower case, without
// parameters ("" when it is none).
func declared(filetype string) string {
	mt, _, err := mime.ParseMediaType(filetype)
	if err != nil {
		return ""
	}
	return mt
}

// allows reports whether a file declared as filetype may be uploaded.
func (t uploadTypes) allows(filetype string) bool {
	return t.any || slices.Contains(t.allowed, declared(filetype))
}

// typeProblem is the 415 of an upload whose type is not taken, or whose
// content is not of its declared type.
func (t uploadTypes) typeProblem(detail string) *api.Problem {
	return problem(http.StatusUnsupportedMediaType, api.ProblemUnsupportedType, "Unsupported Media Type",
		detail+" The town takes "+strings.Join(t.allowed, ", ")+".")
}

// heifBrands are the ISO BMFF brands of HEIC and HEIF images (ISO/IEC
// 23008-12): a phone's photo is "heic" or "mif1".
var heifBrands = []string{"heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1", "avif"}

// sniffLen is how much of a file the check reads: net/http sniffs 512
// bytes, and a HEIF's brands sit in its first box.
const sniffLen = 512

// contentIs reports whether a file that starts with head is of media type
// mt: by the signatures of the types the forms take (PDF, JPEG, PNG,
// HEIC/HEIF), else by net/http's sniffing (WHATWG MIME sniffing).
func contentIs(mt string, head []byte) bool {
	switch mt {
	case "application/pdf":
		// Readers find the header within the first KiB; the check wants
		// it at the start, as every PDF writer puts it.
		return bytes.HasPrefix(head, []byte("%PDF-"))
	case "image/jpeg":
		return bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF})
	case "image/png":
		return bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n"))
	case "image/heic", "image/heif":
		return isHEIF(head)
	}
	return declared(http.DetectContentType(head)) == mt
}

// isHEIF reads an ISO BMFF "ftyp" box: size, "ftyp", the major brand, a
// version, then compatible brands.
func isHEIF(head []byte) bool {
	if len(head) < 16 || string(head[4:8]) != "ftyp" {
		return false
	}
	size := int(head[0])<<24 | int(head[1])<<16 | int(head[2])<<8 | int(head[3])
	end := min(max(size, 16), len(head))
	if slices.Contains(heifBrands, string(head[8:12])) {
		return true
	}
	for i := 16; i+4 <= end; i += 4 {
		if slices.Contains(heifBrands, string(head[i:i+4])) {
			return true
		}
	}
	return false
}

// contentMatches reads the start of a stored upload and checks it against
// the declared filetype.
func (t uploadTypes) contentMatches(ctx context.Context, up tusd.Upload, filetype string) (bool, error) {
	if t.any {
		return true, nil
	}
	r, err := up.GetReader(ctx)
	if err != nil {
		return false, err
	}
	defer r.Close()
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return false, err
	}
	return contentIs(declared(filetype), head[:n]), nil
}
