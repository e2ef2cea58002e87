package login

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/client"
	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"rathaus/api"
	"rathaus/app/citizen"
)

// DeviceGrant is a kiosk's login under way (RFC 8628): the screen shows
// UserCode and VerificationURI (and VerificationURIComplete as a QR code);
// someone enters the code there on another device, and Wait returns.
type DeviceGrant struct {
	UserCode                string
	VerificationURI         string
	VerificationURIComplete string
	Expires                 time.Time

	m        *Manager
	party    rp.RelyingParty
	code     string
	interval time.Duration
	staff    bool // a kiosk's staff sign-in (see StartStaffDevice)
}

// minInterval is RFC 8628's default poll interval (3.2) when the provider
// names none.
const minInterval = 5 * time.Second

// slowDown is what a slow_down answer adds to the interval (RFC 8628 3.5).
const slowDown = 5 * time.Second

// StartDevice asks the provider for a user code.
func (m *Manager) StartDevice(ctx context.Context) (*DeviceGrant, error) {
	party, err := m.party(ctx, "")
	if err != nil {
		return nil, err
	}
	resp, err := rp.DeviceAuthorization(ctx, strings.Fields(api.OIDCScopes), party, nil)
	if err != nil {
		return nil, refused(ctx, err)
	}
	if resp.DeviceCode == "" || resp.UserCode == "" || resp.VerificationURI == "" {
		return nil, citizen.Transient(citizen.EUNAVAILABLE, "The town hall's answer to the login could not be read.",
			errors.New("device authorization without a code or address"))
	}
	g := &DeviceGrant{UserCode: resp.UserCode, VerificationURI: resp.VerificationURI,
		VerificationURIComplete: resp.VerificationURIComplete,
		Expires:                 m.cfg.Now().Add(time.Duration(resp.ExpiresIn) * time.Second),
		m:                       m, party: party, code: resp.DeviceCode,
		interval: time.Duration(resp.Interval) * time.Second}
	if g.interval <= 0 {
		g.interval = minInterval
	}
	return g, nil
}

// Interval is the wait before the next poll (it grows on slow_down).
func (g *DeviceGrant) Interval() time.Duration { return g.interval }

// Wait polls the token endpoint, waiting the interval before each poll and
// 5 s more after every slow_down, until the code was entered (the tokens
// are kept and the device linked; for a staff sign-in, the roles checked
// and the tokens revoked instead), denied or expired, or ctx ends (the
// staff cancelled).
func (g *DeviceGrant) Wait(ctx context.Context) (Account, error) {
	req := &client.DeviceAccessTokenRequest{
		DeviceAccessTokenRequest: oidc.DeviceAccessTokenRequest{GrantType: oidc.GrantTypeDeviceCode, DeviceCode: g.code},
		ClientCredentialsRequest: &oidc.ClientCredentialsRequest{ClientID: api.OIDCClientID},
	}
	for {
		if err := g.m.cfg.Sleep(ctx, g.interval); err != nil {
			return Account{}, err
		}
		resp, err := client.CallDeviceAccessTokenEndpointWithAuthFn(ctx, req, tokenCaller{g.party}, nil)
		if err == nil && g.staff {
			return g.m.staffCheck(ctx, g.party, resp.AccessToken, resp.RefreshToken, resp.IDToken)
		}
		if err == nil {
			return g.m.finish(ctx, g.party, resp.AccessToken, resp.RefreshToken, resp.IDToken, resp.TokenType,
				g.m.expiry(resp.ExpiresIn))
		}
		if ctx.Err() != nil {
			return Account{}, ctx.Err()
		}
		var oe *oidc.Error
		if !errors.As(err, &oe) {
			// No answer: the connection may come back before the code
			// expires; RFC 8628 3.5 asks for a longer wait then.
			if g.m.cfg.Now().After(g.Expires) {
				return Account{}, unreachable(ctx, err)
			}
			g.interval += slowDown
			continue
		}
		switch oe.ErrorType {
		case oidc.AuthorizationPending:
		case oidc.SlowDown:
			g.interval += slowDown
		case oidc.ExpiredToken:
			return Account{}, &citizen.Error{Code: citizen.EAUTH, Message: "The code has expired. Please start again.", Err: err}
		default: // access_denied and the like
			return Account{}, &citizen.Error{Code: citizen.EAUTH, Message: "The town hall did not accept the login.", Err: err}
		}
	}
}

// tokenCaller is the relying party as the token endpoint's caller.
type tokenCaller struct{ rp.RelyingParty }

func (t tokenCaller) TokenEndpoint() string { return t.OAuthConfig().Endpoint.TokenURL }
