package login

import (
	"context"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"rathaus/api"
	"rathaus/app/citizen"
)

// msgNotStaff is the staff sign-in's answer to an account without the
// staff role (code citizen.EFORBIDDEN).
const msgNotStaff = "This account is not a staff account. Please sign in with a staff account or use the staff PIN."

// StartStaffDevice starts a kiosk's staff sign-in: the device grant as
// StartDevice, but its Wait neither keeps the tokens nor links the device
// (citizens' submissions at the kiosk must not join the staff member's
// account). It checks the account's roles and revokes the tokens; an
// account without the staff role is refused with citizen.EFORBIDDEN.
func (m *Manager) StartStaffDevice(ctx context.Context) (*DeviceGrant, error) {
	g, err := m.StartDevice(ctx)
	if err != nil {
		return nil, err
	}
	g.staff = true
	return g, nil
}

// staffCheck reads who signed in and their roles (the ID token's "roles"
// claim), then revokes the tokens, staff or not: the kiosk needs them for
// nothing more. Account.Linked is false.
func (m *Manager) staffCheck(ctx context.Context, party rp.RelyingParty, access, refresh, idToken string) (Account, error) {
	defer func() {
		// Best effort: the tokens were never kept, so a revocation that
		// does not reach the provider leaves them only to expire there.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), revokeTimeout)
		defer cancel()
		_ = m.revoke(rctx, refresh, access)
	}()
	claims, err := rp.VerifyIDToken[*oidc.IDTokenClaims](ctx, idToken, party.IDTokenVerifier())
	if err != nil {
		return Account{}, &citizen.Error{Code: citizen.EAUTH, Message: "The town hall's answer to the login could not be checked.", Err: err}
	}
	// The backend's provider puts the roles into the ID token (server/oidc);
	// none at all is as good as no staff role.
	if !slices.Contains(rolesOf(claims.Claims), api.RoleStaff) {
		return Account{}, &citizen.Error{Code: citizen.EFORBIDDEN, Message: msgNotStaff}
	}
	return Account{Subject: claims.GetSubject(), Name: claims.Name, Email: claims.Email}, nil
}

// rolesOf reads the "roles" claim.
func rolesOf(claims map[string]any) []string {
	raw, _ := claims["roles"].([]any)
	var roles []string
	for _, r := range raw {
		if s, ok := r.(string); ok {
			roles = append(roles, s)
		}
	}
	return roles
}
