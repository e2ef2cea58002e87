package login

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"rathaus/app/citizen"
	"rathaus/app/secrets"
)

// ErrLoggedOut is returned by Token when nobody is logged in.
var ErrLoggedOut = &citizen.Error{Code: citizen.EAUTH, Message: "Nobody is logged in."}

// Token returns a valid access token, refreshing it (and keeping the
// rotated refresh token) when it has expired.
func (m *Manager) Token(ctx context.Context) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, err := m.load()
	if err != nil {
		return "", err
	}
	if r == nil {
		return "", ErrLoggedOut
	}
	if r.Expiry.IsZero() || m.cfg.Now().Before(r.Expiry) {
		return r.Access, nil
	}
	if err := m.refresh(ctx, r); err != nil {
		return "", err
	}
	return r.Access, nil
}

// refresh renews r's tokens and keeps them; the caller holds m.mu.
func (m *Manager) refresh(ctx context.Context, r *record) error {
	if r.Refresh == "" {
		return &citizen.Error{Code: citizen.EAUTH, Message: "The login has expired. Please log in again."}
	}
	party, err := m.party(ctx, "")
	if err != nil {
		return err
	}
	t, err := rp.RefreshTokens[*oidc.IDTokenClaims](ctx, party, r.Refresh, "", "")
	if err != nil {
		err = refused(ctx, err)
		if citizen.ErrorCode(err) == citizen.EAUTH {
			err = &citizen.Error{Code: citizen.EAUTH, Message: "The login has expired. Please log in again.", Err: errors.Unwrap(err)}
		}
		return err
	}
	r.Access, r.Expiry = t.AccessToken, t.Expiry
	if t.RefreshToken != "" { // rotated
		r.Refresh = t.RefreshToken
	}
	if t.IDToken != "" {
		r.ID = t.IDToken
	}
	return m.save(r)
}

// revoke revokes a refresh token and an access token (RFC 7009); "" is
// skipped. The refresh token goes first: revoking it takes its access
// tokens along at most providers.
func (m *Manager) revoke(ctx context.Context, refresh, access string) error {
	party, err := m.party(ctx, "")
	if err != nil {
		return err
	}
	var errs error
	if refresh != "" {
		errs = rp.RevokeToken(ctx, party, refresh, "refresh_token")
	}
	if access != "" {
		errs = errors.Join(errs, rp.RevokeToken(ctx, party, access, "access_token"))
	}
	return errs
}

// revokeLater revokes the tokens of a logout made offline (see Logout).
func (m *Manager) revokeLater(ctx context.Context) error {
	raw, err := m.sec.Get(keyRevoke)
	if errors.Is(err, secrets.ErrNotFound) {
		return nil
	}
	if err != nil {
		return secretsError(err)
	}
	var r record
	if json.Unmarshal([]byte(raw), &r) == nil {
		if err := m.revoke(ctx, r.Refresh, r.Access); err != nil {
			return refused(ctx, err)
		}
	}
	if err := m.sec.Delete(keyRevoke); err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return secretsError(err)
	}
	return nil
}

// revokeTimeout bounds the revocation at logout.
const revokeTimeout = 10 * time.Second

// Logout revokes the tokens at the provider (RFC 7009), forgets them and
// takes the device out of the account. The tokens are forgotten whatever
// the provider or the backend answer: a citizen who logs out on a shared
// device must be out, online or not. A revocation or an unlink that did
// not reach the backend is tried again by Resume.
func (m *Manager) Logout(ctx context.Context) error {
	m.mu.Lock()
	r, err := m.load()
	if err != nil {
		m.mu.Unlock()
		return err
	}
	if r == nil {
		m.mu.Unlock()
		return nil
	}
	// The citizen waits for the logout: a provider that does not answer
	// soon is told nothing (the tokens are forgotten all the same).
	rctx, cancel := context.WithTimeout(ctx, revokeTimeout)
	defer cancel()
	revokeErr := m.revoke(rctx, r.Refresh, r.Access)
	if revokeErr != nil {
		// Offline: the tokens would stay good at the provider until they
		// expire. They wait, in the secret store only, for Resume to
		// revoke them; the login itself is gone.
		raw, _ := json.Marshal(record{Access: r.Access, Refresh: r.Refresh})
		if err := m.sec.Set(keyRevoke, string(raw)); err != nil {
			m.mu.Unlock()
			return secretsError(err)
		}
	}
	linked := r.Linked
	if err := m.sec.Set(keyUnlink, "1"); err != nil && linked {
		m.mu.Unlock()
		return secretsError(err)
	}
	if err := m.sec.Delete(KeyTokens); err != nil {
		m.mu.Unlock()
		return secretsError(err)
	}
	m.mu.Unlock()
	unlinkErr := m.unlink(ctx)
	if revokeErr != nil {
		return refused(ctx, revokeErr)
	}
	return unlinkErr
}
