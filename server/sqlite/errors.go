package sqlite

import (
	"errors"

	"github.com/mattn/go-sqlite3"

	"rathaus/server"
)

// classify marks SQLite's errors that the backend answers differently from
// a failure: a lock held too long (SQLITE_BUSY, SQLITE_LOCKED) is
// server.ErrBusy, a full disk or database (SQLITE_FULL) server.ErrFull.
// The message stays SQLite's. Every exported method passes its error
// through it.
func classify(err error) error {
	se, ok := errors.AsType[sqlite3.Error](err)
	if !ok {
		return err
	}
	switch se.Code {
	case sqlite3.ErrBusy, sqlite3.ErrLocked:
		return &marked{err: err, kind: server.ErrBusy}
	case sqlite3.ErrFull:
		return &marked{err: err, kind: server.ErrFull}
	}
	return err
}

// marked is an error that also is one of the server's kinds.
type marked struct{ err, kind error }

func (m *marked) Error() string   { return m.err.Error() }
func (m *marked) Unwrap() []error { return []error{m.err, m.kind} }
