package engine

import (
	"math/rand/v2"
	"time"
)

// State is what the sync indicator shows.
type State int

const (
	// Idle: the last pass reached the backend and everything due went out.
	Idle State = iota
	// Syncing: a pass is running.
	Syncing
	// Offline: the backend cannot be reached; the engine probes for it.
	Offline
	// Error: the backend answered, but with failures worth retrying
	// (5xx, 429, a garbled answer).
	Error
)

var stateNames = [...]string{"idle", "syncing", "offline", "error"}

func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return "unknown"
	}
	return stateNames[s]
}

// Status is a snapshot of the engine for the UI.
type Status struct {
	State State
	// Err is the failure of the last pass, nil after a clean one.
	Err error
	// LastSuccess is when a pass last reached the backend without failure.
	LastSuccess time.Time
}

// Backoff computes retry delays: exponential from Base, capped at Cap, with
// full jitter (a uniform draw between 0 and the exponential value), so that
// many devices coming back at once do not hit the backend in step.
type Backoff struct {
	Base time.Duration
	Cap  time.Duration
	// Rand returns a float in [0, 1); nil means math/rand/v2.
	Rand func() float64
}

// Delay returns the wait before retry number attempt (0 for the first retry).
func (b Backoff) Delay(attempt int) time.Duration {
	ceiling := b.Cap
	if attempt < 62 {
		if d := b.Base << attempt; d > 0 && d < b.Cap {
			ceiling = d
		}
	}
	r := rand.Float64
	if b.Rand != nil {
		r = b.Rand
	}
	return time.Duration(r() * float64(ceiling))
}
