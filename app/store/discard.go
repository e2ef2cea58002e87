package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"rathaus/app/citizen"
)

// discardedSuffix marks a database moved aside to be deleted.
const discardedSuffix = ".discarded"

// Discard deletes the database at path, with its WAL and shared memory, for
// a fresh start once its data key is lost for good (the secret store was
// wiped): sealed with that key, nothing in it can be read any more, and a
// list of locked drafts that never open helps no one. The next Open makes a
// new database with a new key.
//
// The files are first moved aside, the WAL and shared memory before the
// database, so that a crash midway never leaves a database beside another's
// WAL (SQLite would replay it), then deleted; what an earlier crash left
// aside goes too. They are deleted, not overwritten: what they hold is
// sealed with the lost key.
func Discard(path string) error {
	var errs []error
	for _, p := range []string{path + "-wal", path + "-shm", path} {
		if err := os.Rename(p, p+discardedSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	aside, err := filepath.Glob(globQuote(path) + "*" + discardedSuffix)
	if err != nil {
		errs = append(errs, err)
	}
	for _, p := range aside {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return &citizen.Error{Code: citizen.ESTORAGE, Message: "The app's old data could not be deleted.", Err: fmt.Errorf("discarding %s: %w", path, err)}
	}
	return nil
}

// globQuote escapes the pattern characters of a path for filepath.Glob.
func globQuote(p string) string {
	out := make([]rune, 0, len(p))
	for _, r := range p {
		switch r {
		case '*', '?', '[', '\\':
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}
