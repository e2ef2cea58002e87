// Package casework is the town hall's side of a case: its workflow (which
// status may follow which), the staff actions on a case (take it, move it
// on, ask for more information, decide, write to the citizen), each one
// written to an append-only audit log, and the case list staff search. The
// staff console (server/console), the command line (rathaus-server cases)
// and the staff API all act through it, so the rules hold whichever way a
// clerk works.
package casework

import (
	"fmt"
	"slices"

	"rathaus/api"
)

// next lists, per status, the statuses a case may move to. Forward along
// api.Statuses, skipping allowed; more information needed from any open
// status, and back to review (or on) from it; closed only after decided.
var next = map[string][]string{
	api.StatusReceived:   {api.StatusInReview, api.StatusInspection, api.StatusInfoNeeded, api.StatusDecided},
	api.StatusInReview:   {api.StatusInspection, api.StatusInfoNeeded, api.StatusDecided},
	api.StatusInspection: {api.StatusInfoNeeded, api.StatusDecided},
	api.StatusInfoNeeded: {api.StatusInReview, api.StatusInspection, api.StatusDecided},
	api.StatusDecided:    {api.StatusClosed},
	api.StatusClosed:     nil,
}

// Next returns the statuses a case in status from may move to, in
// workflow order.
func Next(from string) []string { return next[from] }

// Known reports whether s is a case status.
func Known(s string) bool { return slices.Contains(api.Statuses, s) }

// Open reports whether a case in status s still waits for the town hall
// or the citizen (it counts as overdue when it waits too long).
func Open(s string) bool { return s != api.StatusDecided && s != api.StatusClosed }

// MoveError says that a case cannot move from one status to another.
type MoveError struct{ From, To string }

func (e *MoveError) Error() string {
	if e.From == e.To {
		return fmt.Sprintf("the case is already %s", e.To)
	}
	if len(next[e.From]) == 0 {
		return fmt.Sprintf("a case that is %s cannot move any more", e.From)
	}
	return fmt.Sprintf("a case that is %s can move to %v, not to %s", e.From, next[e.From], e.To)
}

// CheckMove says whether a case may move from one status to another: nil,
// or a *MoveError.
func CheckMove(from, to string) error {
	if !slices.Contains(next[from], to) {
		return &MoveError{From: from, To: to}
	}
	return nil
}
