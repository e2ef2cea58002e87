// Package handoff serves the handoff of a draft from a kiosk to a
// citizen's phone: the kiosk stores the draft sealed with a key only its
// QR code carries, the phone claims it once within 30 minutes, the kiosk
// sees when. The backend holds ciphertext it cannot open, and forgets it
// at the claim.
package handoff

import (
	"context"
	"errors"
	"time"
)

// Handoff is one handed-over draft as the store keeps it.
type Handoff struct {
	ID         string
	Device     string // the kiosk's device, which alone may see its state
	Ciphertext []byte // empty once claimed
	Created    time.Time
	Expires    time.Time
	Claimed    time.Time // zero until claimed
}

// Store keeps the handoffs. server.Store embeds it; server/sqlite and
// server/postgres implement it, and server/storetest holds them to it.
type Store interface {
	// CreateHandoff stores a new handoff (its id is new).
	CreateHandoff(ctx context.Context, h Handoff) error
	// Handoff returns a handoff's state, without its ciphertext;
	// ErrNotFound for an unknown id.
	Handoff(ctx context.Context, id string) (Handoff, error)
	// ClaimHandoff gives the ciphertext once, at at: in one step it marks
	// the handoff claimed and drops the ciphertext. ErrNotFound for an
	// unknown id, ErrClaimed for a second claim, ErrExpired at or after
	// Expires (then nothing changes).
	ClaimHandoff(ctx context.Context, id string, at time.Time) ([]byte, error)
	// DeleteHandoffs removes the handoffs that expired before t, claimed
	// or not, and returns how many (the janitor's).
	DeleteHandoffs(ctx context.Context, before time.Time) (int, error)
}

// Errors of the Store.
var (
	ErrNotFound = errors.New("no such handoff")
	ErrClaimed  = errors.New("the handoff was claimed already")
	ErrExpired  = errors.New("the handoff expired")
)
