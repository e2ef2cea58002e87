package api

// Attachment is the value of a file or photo field in the form data. The
// bytes travel separately, by the tus resumable upload protocol at
// /v1/uploads/; the submission names the finished upload. On the device, ID
// names the local copy until it is uploaded.
type Attachment struct {
	// ID is the device's own id of the file (not sent to the backend's
	// checks; the backend ignores it).
	ID string `json:"id,omitempty"`
	// Upload is the id of the finished tus upload (the last segment of its
	// URL); set by the app just before the submission is sent.
	Upload string `json:"upload,omitempty"`
	Name   string `json:"name"`
	Type   string `json:"type"`   // media type, e.g. "image/jpeg"
	Size   int64  `json:"size"`   // bytes
	SHA256 string `json:"sha256"` // hex, lower case
}

// Signature is the value of a signature field: the strokes drawn on a
// canvas of Width x Height points, each stroke a list of [x, y] points
// (vector data, so it stays small and sharp at any size); or, for those
// who cannot draw (keyboard, screen reader), the full name Typed instead,
// under the same declaration. A value has one or the other.
type Signature struct {
	Width   float64        `json:"width,omitempty"`
	Height  float64        `json:"height,omitempty"`
	Strokes [][][2]float64 `json:"strokes,omitempty"`
	Typed   string         `json:"typed,omitempty"`
}

// MaxTypedSignature bounds a typed signature, in characters.
const MaxTypedSignature = 200

// Upload limits and the tus Upload-Metadata keys both sides use.
const (
	PathUploads = "/v1/uploads/"

	// MetaFilename, MetaFiletype and MetaSHA256 are Upload-Metadata keys;
	// the backend checks the finished file against MetaSHA256.
	MetaFilename = "filename"
	MetaFiletype = "filetype"
	MetaSHA256   = "sha256"

	// MaxUploadSize bounds one file; MaxSubmissionAttachments bounds the
	// sum of a submission's files.
	MaxUploadSize            = 10 << 20
	MaxSubmissionAttachments = 25 << 20
)
