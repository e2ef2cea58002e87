// Package polls serves the polls (Bürgerbeteiligung): each a form open for
// a time, answered once per device, counted after it closed.
package polls

import (
	"context"
	"time"
)

// Store keeps the answers. server.Store embeds it; server/sqlite and
// server/postgres implement it, and server/storetest holds them to it.
type Store interface {
	// PutPollAnswer stores the device's answer to the poll, replacing the
	// one it gave before (one answer per device and poll).
	PutPollAnswer(ctx context.Context, poll, device string, data []byte, at time.Time) error
	// PollAnswers returns the answers to the poll (their data as stored),
	// one per citizen, in no promised order: one per device that belongs to
	// no account, and per account the latest of its devices' answers (so
	// a citizen who answered on phone and tablet counts once, also when the
	// devices were linked after they answered).
	PollAnswers(ctx context.Context, poll string) ([][]byte, error)
}
