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
)

func (p *Problem) Error() string {
	if p.Detail != "" {
		return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail)
	}
	return fmt.Sprintf("%d %s", p.Status, p.Title)
}
