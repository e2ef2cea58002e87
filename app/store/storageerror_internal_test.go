package store

import (
	"errors"
	"syscall"
	"testing"

	"github.com/mattn/go-sqlite3"

	"rathaus/app/citizen"
)

// TestStorageError: a database failure becomes the message the citizen
// can act on. No space is a full disk whichever way SQLite reports it:
// SQLITE_FULL when a write finds no room, an I/O error with ENOSPC when
// the database opens on a full disk and its wal-index cannot be allocated.
func TestStorageError(t *testing.T) {
	const full = "The device's storage is full. Free some space; nothing was saved."
	const unwritable = "The app's data cannot be written."
	tests := []struct {
		name     string
		err      error
		wantCode string
		wantMsg  string
	}{
		{"SQLITE_FULL", sqlite3.Error{Code: sqlite3.ErrFull}, citizen.ESTORAGE, full},
		{"an I/O error for want of space", sqlite3.Error{Code: sqlite3.ErrIoErr, SystemErrno: syscall.ENOSPC}, citizen.ESTORAGE, full},
		{"another I/O error", sqlite3.Error{Code: sqlite3.ErrIoErr, SystemErrno: syscall.EIO}, citizen.ESTORAGE, unwritable},
		{"a read-only file", sqlite3.Error{Code: sqlite3.ErrReadonly}, citizen.ESTORAGE, unwritable},
		{"a busy database", sqlite3.Error{Code: sqlite3.ErrBusy}, citizen.EINTERNAL, "The app's database failed."},
		{"not SQLite's", errors.New("boom"), citizen.EINTERNAL, "The app's database failed."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := storageError("saving a draft", tt.err)
			if got := citizen.ErrorCode(err); got != tt.wantCode {
				t.Errorf("code %s, want %s", got, tt.wantCode)
			}
			if got := citizen.ErrorMessage(err); got != tt.wantMsg {
				t.Errorf("message %q, want %q", got, tt.wantMsg)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("%v does not wrap %v", err, tt.err)
			}
		})
	}
}
