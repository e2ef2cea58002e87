package engine

import (
	"math/rand/v2"
	"strings"
	"time"

	"rathaus/app/citizen"
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
	// Err is the failure of the last pass or probe, nil after a clean one.
	Err error
	// LastSuccess is when a pass last reached the backend without failure.
	LastSuccess time.Time
	// LastAttempt is when the last pass or health probe ended, whatever
	// came of it.
	LastAttempt time.Time
	// Last sums up the last pass that ended (zero before the first).
	Last PassSummary
	// Changed is what changed in the store since the status before: set
	// on the status that ends a pass, so that a screen reloads only when
	// its data changed.
	Changed Changed
	// Requested is set from SyncNow until the pass it asked for starts.
	Requested bool
}

// PassSummary is what one pass did.
type PassSummary struct {
	// Sent counts the outbox items the backend acknowledged, by kind.
	Sent map[citizen.OutboxKind]int
	// Failed counts the items that failed, to be tried again or for good.
	Failed int
	// Received counts the changes applied from the changes feed.
	Received int
}

// Changed names what a pass changed in the store, as bit flags.
type Changed uint8

const (
	// ChangedOutbox: items on their way (their state, error, progress).
	ChangedOutbox Changed = 1 << iota
	// ChangedDrafts: drafts (their state and case number, or their values
	// from the account's other devices).
	ChangedDrafts
	// ChangedCases: the mirror of the cases and their timelines.
	ChangedCases
	// ChangedCatalog: the catalog and the forms it names.
	ChangedCatalog
	// ChangedAppointments: the device's appointments (booked, taken,
	// cancelled).
	ChangedAppointments
	// ChangedReports: the device's reports (the town's steps on them).
	ChangedReports
)

// Any reports whether any of the flags in of is set.
func (c Changed) Any(of Changed) bool { return c&of != 0 }

var changedNames = [...]string{"outbox", "drafts", "cases", "catalog", "appointments", "reports"}

func (c Changed) String() string {
	var out []string
	for i, n := range changedNames {
		if c&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return "nothing"
	}
	return strings.Join(out, "|")
}

// outcome is what the pull or the push did, for the pass's summary.
type outcome struct {
	sent     map[citizen.OutboxKind]int
	failed   int
	received int
	changed  Changed
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
