package api

import "time"

// PathHandoffs is where a kiosk hands a draft over to a citizen's phone:
// POST stores the draft, end-to-end encrypted (the key travels only in the
// QR code the kiosk shows), GET {id} tells the kiosk whether it was
// claimed, POST {id}/claim gives the ciphertext to the phone, once.
const PathHandoffs = "/v1/handoffs/"

// HandoffTTL is how long a handoff waits to be claimed.
const HandoffTTL = 30 * time.Minute

// HandoffMaxBytes bounds a handoff's ciphertext (a draft's values; its
// files stay at the kiosk).
const HandoffMaxBytes = 256 << 10

// NewHandoff is the body of POST /v1/handoffs/: the sealed draft
// (AES-256-GCM, nonce first), which the backend cannot open.
type NewHandoff struct {
	Ciphertext []byte `json:"ciphertext"`
}

// Handoff is a handoff's state as its kiosk sees it (no ciphertext).
type Handoff struct {
	ID      string     `json:"id"`
	Expires time.Time  `json:"expires"`
	Claimed *time.Time `json:"claimed,omitempty"`
}

// HandoffClaim is the answer of POST /v1/handoffs/{id}/claim.
type HandoffClaim struct {
	ID         string `json:"id"`
	Ciphertext []byte `json:"ciphertext"`
}

// Problem types of the handoff.
const (
	// ProblemHandoffClaimed: the draft was taken over already (410).
	ProblemHandoffClaimed = "https://rathaus.example/problems/handoff-claimed"
	// ProblemHandoffExpired: the handoff waited longer than HandoffTTL (410).
	ProblemHandoffExpired = "https://rathaus.example/problems/handoff-expired"
)
