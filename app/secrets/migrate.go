package secrets

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"rathaus/app/citizen"
)

// Moving the secrets between the key file and the keyring. Each move has
// one commit point: the rename that replaces the record (writeRecord).
// Until then the old place is complete and the record points at it, so a
// crash (or a failure) at any step loses nothing and the next Open starts
// the move again; after it, the new place is complete and verified.
//
// The one move that cannot be made is out of a keyring that no longer
// answers (a desktop whose Secret Service is gone, a backup restored on a
// phone): Open says so (ErrKeyringUnavailable) rather than guess.

// toKeyring moves the key file's secrets into the keyring: each is stored
// and read back, and only when all came back as written does the record
// switch to the keyring, dropping the secrets from the file.
func toKeyring(path string, r ring, from *record) (*record, error) {
	names := slices.Sorted(maps.Keys(from.Secrets))
	for _, n := range names {
		want := from.Secrets[n]
		if err := r.set(n, want); err != nil {
			return nil, fmt.Errorf("storing %s: %w", n, err)
		}
		got, err := r.get(n)
		if err != nil {
			return nil, fmt.Errorf("reading %s back: %w", n, err)
		}
		if got != want {
			return nil, fmt.Errorf("reading %s back: the keyring returned another value", n)
		}
	}
	to := &record{Store: inKeyring, Service: r.service, Names: names}
	if err := writeRecord(path, clone(to)); err != nil {
		return nil, err
	}
	return to, nil
}

// toFile moves the keyring's secrets into the key file: all are read,
// the file is written with them (the commit), and only then are they
// deleted from the keyring. A crash before those deletions leaves copies
// in the keyring, never the only one; the next move into the keyring
// overwrites them.
func toFile(path string, r ring, from *record) (*record, error) {
	secrets := map[string]string{}
	for _, n := range from.Names {
		v, err := r.get(n)
		if errors.Is(err, ErrNotFound) {
			continue // listed before it was stored, or deleted after
		}
		if err != nil {
			return nil, &citizen.Error{Code: citizen.ESECRETS, Transient: true,
				Message: "The app's keys cannot be moved into a key file: the system keyring that holds them does not answer. Start or unlock the keyring, then try again.",
				Err:     fmt.Errorf("%w: reading %s: %w", ErrKeyringUnavailable, n, err)}
		}
		secrets[n] = v
	}
	to := &record{Store: inFile, Secrets: secrets}
	if err := writeRecord(path, clone(to)); err != nil {
		return nil, err
	}
	for n := range secrets {
		if err := r.delete(n); err != nil {
			slog.Warn("secrets: a moved secret stays in the keyring too", "name", n, "err", err)
		}
	}
	return to, nil
}
