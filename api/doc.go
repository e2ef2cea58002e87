// Package api is the wire contract between the Rathaus app and the municipal
// backend: the Go types both sides marshal, and openapi.yaml, which describes
// every endpoint the reference backend serves. It imports nothing of the
// project so that outside clients can depend on it alone.
package api

import _ "embed"

// OpenAPI is the contract document, served by the backend at /v1/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Paths and headers that both sides must agree on.
const (
	PathHealth      = "/healthz"
	PathCatalog     = "/v1/catalog"
	PathForms       = "/v1/forms/" // + {id}/{version}
	PathSubmissions = "/v1/submissions"
	PathOpenAPI     = "/v1/openapi.yaml"

	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderReplayed is set to "true" on a response that repeats the stored
	// result of an earlier request with the same idempotency key.
	HeaderReplayed = "Idempotent-Replayed"

	ContentTypeJSON    = "application/json"
	ContentTypeProblem = "application/problem+json"
)
