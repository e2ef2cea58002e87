package api

import (
	"encoding/json"
	"time"
)

// SubmissionRequest is the body of POST /v1/submissions. The request carries
// an Idempotency-Key header; the server keeps the key with the result, so a
// repeat returns the first case, never a second one.
type SubmissionRequest struct {
	Service string          `json:"service"`
	Form    FormRef         `json:"form"`
	Data    json.RawMessage `json:"data,omitempty"`
	// Signature is the device's signature over SigningInput (seal.go).
	Signature *DeviceSignature `json:"signature,omitempty"`
	// Encrypted is, for a service with an encryption key, the data as a
	// compact JWE (RSA-OAEP-256, A256GCM) to that key; Data is then
	// absent. The signature covers the plaintext data all the same.
	Encrypted string `json:"encrypted,omitempty"`
}

// Case statuses, in workflow order.
const (
	StatusReceived   = "received"
	StatusInReview   = "in_review"
	StatusInspection = "inspection"
	StatusDecided    = "decided"
	// StatusInfoNeeded: the town hall needs more from the citizen; the
	// timeline event's note says what. The case goes on (in review) when
	// the citizen answered.
	StatusInfoNeeded = "info_needed"
	// StatusClosed: done with, after the decision.
	StatusClosed = "closed"
)

// Case is what the backend made of a submission (201 Created, or the stored
// result repeated for a known idempotency key).
type Case struct {
	ID      string    `json:"id"`
	Number  string    `json:"number"` // human-facing case number, e.g. "2026-000042"
	Service string    `json:"service"`
	Form    FormRef   `json:"form"`
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
	// History is the case's timeline, oldest first (in the changes feed
	// and the staff API's answers).
	History []CaseEvent `json:"history,omitempty"`
	// KeyFingerprint is the fingerprint (KeyFingerprint in seal.go) of the
	// device key whose signature the backend verified; "" for an unsigned
	// case. For an encrypted case the signature is checked by the
	// authority after decrypting; the backend names the key it will check.
	KeyFingerprint string `json:"key_fingerprint,omitempty"`
}

// Health is the body of GET /healthz.
type Health struct {
	Status string `json:"status"`
}
