package login

import (
	"context"
	"errors"

	"rathaus/app/citizen"
	"rathaus/app/secrets"
)

// link puts the device into the account of the tokens kept and runs a
// sync pass, so that the account's drafts and cases arrive. Offline, the
// login still holds and Resume links later; the Account says Linked.
func (m *Manager) link(ctx context.Context) (Account, error) {
	m.mu.Lock()
	r, err := m.load()
	m.mu.Unlock()
	if err != nil || r == nil {
		return Account{}, err
	}
	if m.portal == nil || m.device == nil || r.Linked {
		return r.account(), nil
	}
	if err := m.device.EnsureDevice(ctx); err != nil {
		return r.account(), err
	}
	token, err := m.Token(ctx)
	if err != nil {
		return r.account(), err
	}
	l, err := m.portal.LinkAccount(ctx, token)
	if err != nil {
		return r.account(), err
	}
	m.mu.Lock()
	r, err = m.load()
	if err == nil && r != nil {
		r.Linked = true
		if r.Name == "" {
			r.Name = l.Name
		}
		if r.Email == "" {
			r.Email = l.Email
		}
		err = m.save(r)
	}
	m.mu.Unlock()
	if err != nil || r == nil {
		return Account{}, err
	}
	// The account's data: a failed pass is the engine's to retry.
	_ = m.device.Sync(ctx)
	return r.account(), nil
}

// unlink takes the device out of its account after a logout; the mark
// stays until the backend has taken it.
func (m *Manager) unlink(ctx context.Context) error {
	if _, err := m.sec.Get(keyUnlink); errors.Is(err, secrets.ErrNotFound) {
		return nil
	}
	if m.portal == nil || m.device == nil {
		return m.sec.Delete(keyUnlink)
	}
	if err := m.device.EnsureDevice(ctx); err != nil {
		return err
	}
	if err := m.portal.UnlinkAccount(ctx); err != nil {
		return err
	}
	if err := m.sec.Delete(keyUnlink); err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return secretsError(err)
	}
	return nil
}

// Resume finishes what waited for the connection: a device link after a
// login, or a revocation and an unlink after a logout. The app calls it at start and when
// the connection returns; it does nothing when nothing waits.
func (m *Manager) Resume(ctx context.Context) error {
	if err := errors.Join(m.revokeLater(ctx), m.unlink(ctx)); err != nil {
		return err
	}
	a, ok, err := m.Account()
	if err != nil || !ok || a.Linked {
		return err
	}
	_, err = m.link(ctx)
	return err
}

// IsPending reports whether err left a login or logout waiting for the
// connection (Resume finishes it).
func IsPending(err error) bool {
	return citizen.IsTransient(err) && citizen.ErrorCode(err) == citizen.EUNAVAILABLE
}
