// Package citizen holds the app's domain: drafts, submissions, the outbox,
// cases, and the errors they produce. It knows neither Fyne nor SQL, so that
// the store, the sync engine and the screens all speak the same language.
package citizen

import (
	"errors"
	"fmt"
)

// Error codes. Each tells the caller what kind of failure it is, whatever
// part of the app produced it.
const (
	ECONFLICT    = "conflict"    // the action conflicts with the current state
	EINTERNAL    = "internal"    // a bug or an unexpected failure
	EINVALID     = "invalid"     // the input is wrong; the citizen can fix it
	ENOTFOUND    = "not_found"   // the thing does not exist
	EUNAVAILABLE = "unavailable" // the backend cannot be reached or is overloaded
	ELOCKED      = "locked"      // sealed data whose key is gone
	EREJECTED    = "rejected"    // the backend refused it for good (a 4xx)
	ESTORAGE     = "storage"     // the device's storage failed (disk full, read-only)
	ESECRETS     = "secrets"     // the secret store (keyring or key file) cannot be used
	EAUTH        = "auth"        // a login was refused, denied, expired or not finished
	EINSECURE    = "insecure"    // the connection is not safe (plain http, a pin that does not match)
	EFORBIDDEN   = "forbidden"   // the account lacks the role the action needs (a citizen at a kiosk's staff sign-in)
)

// Error is a domain error: a code for programs, a message for people and,
// when the failure may go away by itself, Transient set so that the sync
// engine retries instead of asking the citizen.
type Error struct {
	Code      string
	Message   string // for people, in English; the UI translates it
	Transient bool
	Err       error // the underlying cause, for logs
}

func (e *Error) Error() string {
	switch {
	case e.Err != nil && e.Message != "":
		return e.Message + ": " + e.Err.Error()
	case e.Err != nil:
		return e.Code + ": " + e.Err.Error()
	case e.Message != "":
		return e.Message
	}
	return e.Code
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns a permanent Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Transient wraps err as a failure worth retrying.
func Transient(code, message string, err error) *Error {
	return &Error{Code: code, Message: message, Transient: true, Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message for people of the first *Error in err's
// chain, or a generic one.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "Something went wrong."
}

// IsTransient reports whether err may go away by itself when retried.
func IsTransient(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Transient
}
