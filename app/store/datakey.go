package store

import (
	"context"
	"database/sql"
	"errors"

	"rathaus/app/citizen"
	"rathaus/app/secrets"
)

// WithNewKeyIfLost makes Open start afresh when the secret store has no
// data key for this database: a new key seals what comes next, and what
// the lost key sealed stays locked. Only for when the citizen chose that.
func WithNewKeyIfLost() Option { return func(s *Store) { s.newKey = true } }

// dataKey sets the install id and returns its data key. A new database's
// key is stored before its install id is committed, so that an install id
// never exists without its key: a database whose key is missing is then
// always a loss to report (a key for an id that a crash left uncommitted
// is an unused entry, nothing more).
func (s *Store) dataKey(ctx context.Context, keys KeySource) ([]byte, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'install_id'`).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return s.newInstall(ctx, keys)
	case err != nil:
		return nil, storageError("reading the install id", err)
	}
	s.installID = id
	key, err := keys.DataKey(id)
	if errors.Is(err, secrets.ErrNotFound) && s.newKey {
		key, err = keys.NewDataKey(id)
	}
	return key, keyError(err)
}

func (s *Store) newInstall(ctx context.Context, keys KeySource) ([]byte, error) {
	id := citizen.NewID()
	key, err := keys.NewDataKey(id)
	if err != nil {
		return nil, keyError(err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT OR IGNORE INTO meta (key, value) VALUES ('install_id', ?)`, id); err != nil {
		return nil, storageError("writing the install id", err)
	}
	// Another process may have made the database at the same moment.
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'install_id'`).Scan(&s.installID); err != nil {
		return nil, storageError("reading the install id", err)
	}
	if s.installID != id {
		key, err = keys.DataKey(s.installID)
	}
	return key, keyError(err)
}

// keyError tells the citizen why the data cannot be opened. The secret
// store's own errors (a keyring that does not answer, a damaged key file)
// say it best; a key that is simply not there is a loss.
func keyError(err error) error {
	var ce *citizen.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, secrets.ErrNotFound):
		return &citizen.Error{Code: citizen.ELOCKED, Err: err,
			Message: "The key to this app's data is gone from its secret store (it was wiped or reset), so the drafts and submissions saved on this device can no longer be read. Start afresh: the old data is deleted and the app starts empty. If the key is in a keyring that is not running now, start the keyring and try again first."}
	case errors.As(err, &ce):
		return err
	}
	return &citizen.Error{Code: citizen.ESECRETS, Message: "The data key could not be read from the secret store.", Err: err}
}
