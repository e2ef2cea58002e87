package postgres

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"rathaus/server"
)

// SQLSTATE codes the store acts on.
const (
	codeSerializationFailure = "40001"
	codeDeadlock             = "40P01"
	codeForeignKeyViolation  = "23503"
	codeDiskFull             = "53100"
)

// busyCodes are the SQLSTATEs of a database that cannot do it now but may
// in a moment; the transaction they end changed nothing. Besides these,
// the classes 08 (the connection failed) and 53 (out of resources: too
// many connections, memory), except a full disk.
var busyCodes = map[string]bool{
	codeSerializationFailure: true, // once inTx's attempts are used up
	codeDeadlock:             true, // likewise
	"55P03":                  true, // lock_not_available: lock_timeout passed
	"57014":                  true, // query_canceled: statement_timeout passed
	"57P01":                  true, // admin_shutdown
	"57P02":                  true, // crash_shutdown
	"57P03":                  true, // cannot_connect_now: starting or stopping
}

// classify marks PostgreSQL's errors that the backend answers differently
// from a failure: one that passes in a moment (busyCodes, a database that
// cannot be reached, no free connection in the pool) is server.ErrBusy, a
// full disk (53100) server.ErrFull. The message stays PostgreSQL's, or
// pgx's. Every exported method passes its error through it.
func classify(err error) error {
	if err == nil || errors.Is(err, server.ErrBusy) || errors.Is(err, server.ErrFull) {
		return err
	}
	if kind := kindOf(err); kind != nil {
		return &marked{err: err, kind: kind}
	}
	return err
}

func kindOf(err error) error {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch c := pe.Code; {
		case c == codeDiskFull:
			return server.ErrFull
		case busyCodes[c], strings.HasPrefix(c, "08"), strings.HasPrefix(c, "53"):
			return server.ErrBusy
		}
		// Anything else PostgreSQL refused, also a refused login (class
		// 28) inside a ConnectError, is not going to pass by itself.
		return nil
	}
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return server.ErrBusy // no answer from the database: down, restarting, or the network
	}
	if pgconn.SafeToRetry(err) {
		return server.ErrBusy // failed before anything was sent
	}
	return nil
}

// marked is an error that also is one of the server's kinds.
type marked struct{ err, kind error }

func (m *marked) Error() string   { return m.err.Error() }
func (m *marked) Unwrap() []error { return []error{m.err, m.kind} }
