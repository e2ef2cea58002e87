package api

import "fmt"

// Problem is an RFC 9457 problem details object. Validation problems list the
// failing fields by JSON Pointer into the submitted data so that the app can
// show each message on its field.
type Problem struct {
	Type     string       `json:"type,omitempty"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Errors   []FieldError `json:"errors,omitempty"`
}

// FieldError names one failing field.
type FieldError struct {
	// Pointer is an RFC 6901 JSON Pointer into the submitted data ("/dog/name").
	Pointer string `json:"pointer"`
	// Code is the failing rule ("required", "pattern", "maxLength", ...).
	Code string `json:"code"`
	// Detail is the message in English, as RFC 9457 suggests.
	Detail string `json:"detail"`
	// Message is the message in every language the form provides.
	Message Text `json:"message,omitempty"`
}

// Problem types the backend uses.
const (
	ProblemValidation       = "https://rathaus.example/problems/validation"
	ProblemIdempotencyReuse = "https://rathaus.example/problems/idempotency-key-reuse"
	ProblemMissingKey       = "https://rathaus.example/problems/idempotency-key-missing"
	ProblemUnknownForm      = "https://rathaus.example/problems/unknown-form"
	ProblemBadRequest       = "https://rathaus.example/problems/bad-request"
	ProblemNotFound         = "https://rathaus.example/problems/not-found"
	ProblemTooLarge         = "https://rathaus.example/problems/too-large"
	ProblemInternal         = "https://rathaus.example/problems/internal"

	// ProblemUnauthorized: the Authorization header is missing where it is
	// required, or names no known device (or not the staff token).
	ProblemUnauthorized = "https://rathaus.example/problems/unauthorized"
	// ProblemRateLimited (429) comes with Retry-After in seconds.
	ProblemRateLimited = "https://rathaus.example/problems/rate-limited"
	// ProblemWorkflow (409): a case status may only move forward along
	// Statuses.
	ProblemWorkflow = "https://rathaus.example/problems/workflow"
	// ProblemChecksum (460, as in tus's checksum extension): the finished
	// upload's SHA-256 differs from its Upload-Metadata; the upload is gone
	// and must start over.
	ProblemChecksum = "https://rathaus.example/problems/checksum-mismatch"
	// ProblemConflict (409): the request conflicts with the resource's
	// state, for example terminating an upload that a case uses.
	ProblemConflict = "https://rathaus.example/problems/conflict"
	// ProblemUnavailable (503, with Retry-After): the server is overloaded,
	// its store is busy, or the request took too long. Nothing of the
	// request was stored; send it again after Retry-After (a submission
	// with the same Idempotency-Key).
	ProblemUnavailable = "https://rathaus.example/problems/unavailable"
	// ProblemStorageFull (507, with Retry-After): the server's disk or
	// database is full. Nothing of the request was stored (an upload keeps
	// the bytes before its offset); send it again later.
	ProblemStorageFull = "https://rathaus.example/problems/storage-full"
	// ProblemQuota (429, with Retry-After): the device or address holds, or
	// sent, as much as the town allows (open cases, drafts, submissions
	// per hour). Retry-After says when trying again may succeed.
	ProblemQuota = "https://rathaus.example/problems/quota-exceeded"
	// ProblemUnsupportedType (415): an upload's filetype is not one the
	// town takes, or the finished file's content is not of that type
	// (its first bytes are checked); the upload was ended.
	ProblemUnsupportedType = "https://rathaus.example/problems/unsupported-type"
	// ProblemLoginRequired (403): the service takes submissions only from
	// a device linked to an account (the catalog's requires_login).
	ProblemLoginRequired = "https://rathaus.example/problems/login-required"
)

// CodeAttachment is the FieldError code of an attachment value that names
// no finished upload, or one whose size or SHA-256 differs.
const CodeAttachment = "attachment"

func (p *Problem) Error() string {
	if p.Detail != "" {
		return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail)
	}
	return fmt.Sprintf("%d %s", p.Status, p.Title)
}
