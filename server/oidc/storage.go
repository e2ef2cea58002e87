package oidc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	zo "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"rathaus/api"
	"rathaus/server/accounts"
)

// Lifetimes of what the provider hands out.
const (
	authRequestTTL = 10 * time.Minute
	codeTTL        = 2 * time.Minute
	accessTTL      = 15 * time.Minute
	refreshTTL     = 30 * 24 * time.Hour
	deviceGrace    = time.Hour
)

// Grant kinds, and the prefixes of their ids.
const (
	kindAuth    = "auth_request" // ar:ID
	kindCode    = "code"         // code:SHA-256(code)
	kindAccess  = "access"       // at:ID (the token itself is sealed, see Keys)
	kindRefresh = "refresh"      // rt:SHA-256(token)
	kindDevice  = "device"       // dc:SHA-256(device code)
	kindUser    = "user_code"    // uc:USERCODE, pointing to the device grant
	kindUsed    = "used_refresh" // ru:SHA-256(token) of a rotated one, naming its family
	kindFamily  = "family"       // rf:FAMILY, naming the family's live refresh token
)

// storage is op.Storage over accounts.Store: everything the provider hands
// out is a grant in the store, so a restart, or another process on the
// same database, finds it. Only the device grant's last poll (slow_down)
// is kept in this process's memory.
type storage struct {
	store   accounts.Store
	keys    *Keys
	kid     string
	now     func() time.Time
	devices *deviceConfig

	mu       sync.Mutex
	lastPoll map[string]time.Time
}

var (
	_ op.Storage                    = (*storage)(nil)
	_ op.DeviceAuthorizationStorage = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest  = (*storage)(nil)
)

// deviceConfig is the device grant's polling interval (slow_down below it).
type deviceConfig struct{ interval time.Duration }

func secretID(prefix, secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return prefix + hex.EncodeToString(sum[:])
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// authRequest is an authorization request as the store keeps it, and the
// op.AuthRequest the library works with.
type authRequest struct {
	ID              string          `json:"id"`
	Created         time.Time       `json:"created"`
	Client          string          `json:"client"`
	RedirectURI     string          `json:"redirect_uri"`
	State           string          `json:"state,omitempty"`
	Nonce           string          `json:"nonce,omitempty"`
	Scopes          []string        `json:"scopes"`
	ResponseType    zo.ResponseType `json:"response_type"`
	ResponseMode    zo.ResponseMode `json:"response_mode,omitempty"`
	Challenge       string          `json:"challenge"`
	ChallengeMethod string          `json:"challenge_method"`
	UILocales       []string        `json:"ui_locales,omitempty"`
	Subject         string          `json:"subject,omitempty"`
	AuthTime        time.Time       `json:"auth_time"`
	IsDone          bool            `json:"done,omitempty"`
}

func (a *authRequest) GetID() string         { return a.ID }
func (a *authRequest) GetACR() string        { return "" }
func (a *authRequest) GetAudience() []string { return []string{a.Client} }
func (a *authRequest) GetAuthTime() time.Time {
	return a.AuthTime
}
func (a *authRequest) GetClientID() string { return a.Client }
func (a *authRequest) GetCodeChallenge() *zo.CodeChallenge {
	if a.Challenge == "" {
		return nil
	}
	return &zo.CodeChallenge{Challenge: a.Challenge, Method: zo.CodeChallengeMethod(a.ChallengeMethod)}
}
func (a *authRequest) GetNonce() string                 { return a.Nonce }
func (a *authRequest) GetRedirectURI() string           { return a.RedirectURI }
func (a *authRequest) GetResponseType() zo.ResponseType { return a.ResponseType }
func (a *authRequest) GetResponseMode() zo.ResponseMode { return a.ResponseMode }
func (a *authRequest) GetScopes() []string              { return a.Scopes }
func (a *authRequest) GetState() string                 { return a.State }
func (a *authRequest) GetSubject() string               { return a.Subject }
func (a *authRequest) Done() bool                       { return a.IsDone }
func (a *authRequest) GetAMR() []string                 { return amr(a.IsDone) }
func amr(done bool) []string {
	if done {
		return []string{"pwd"}
	}
	return nil
}

// token is an access or refresh token as the store keeps it.
type token struct {
	Subject  string    `json:"subject"`
	Client   string    `json:"client"`
	Scopes   []string  `json:"scopes"`
	Audience []string  `json:"audience"`
	AuthTime time.Time `json:"auth_time"`
	AMR      []string  `json:"amr,omitempty"`
	// Access names the access token of a refresh token (revoked with it);
	// Refresh the refresh token's grant id of an access token.
	Access  string `json:"access,omitempty"`
	Refresh string `json:"refresh,omitempty"`
	// Family names the chain of refresh tokens one login began; the
	// pointer grant "rf:"+Family names its live member.
	Family string `json:"family,omitempty"`
}

// refreshRequest is op.RefreshTokenRequest.
type refreshRequest struct {
	token
	id string // the grant's id
}

func (r *refreshRequest) GetAMR() []string             { return r.AMR }
func (r *refreshRequest) GetAudience() []string        { return r.Audience }
func (r *refreshRequest) GetAuthTime() time.Time       { return r.AuthTime }
func (r *refreshRequest) GetClientID() string          { return r.Client }
func (r *refreshRequest) GetScopes() []string          { return r.Scopes }
func (r *refreshRequest) GetSubject() string           { return r.Subject }
func (r *refreshRequest) SetCurrentScopes(sc []string) { r.Scopes = sc }

// device is a device authorization as the store keeps it.
type device struct {
	op.DeviceAuthorizationState
	UserCode string `json:"user_code"`
}

func (s *storage) put(ctx context.Context, id, kind, subject, client string, v any, expires time.Time) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.store.PutGrant(ctx, accounts.Grant{ID: id, Kind: kind, Subject: subject, Client: client, Data: b, Expires: expires})
}

// get reads a grant that has not expired into v.
func (s *storage) get(ctx context.Context, id string, v any) (accounts.Grant, error) {
	g, err := s.store.Grant(ctx, id)
	if err != nil {
		return g, err
	}
	if !s.now().Before(g.Expires) {
		return g, accounts.ErrNotFound
	}
	return g, json.Unmarshal(g.Data, v)
}

// CreateAuthRequest refuses a request of the app without PKCE S256 (the
// library alone would take a plain challenge, or none until the code
// exchange).
func (s *storage) CreateAuthRequest(ctx context.Context, req *zo.AuthRequest, userID string) (op.AuthRequest, error) {
	if len(req.Prompt) == 1 && req.Prompt[0] == zo.PromptNone {
		return nil, zo.ErrLoginRequired()
	}
	if req.CodeChallenge == "" || req.CodeChallengeMethod != zo.CodeChallengeMethodS256 {
		return nil, zo.ErrInvalidRequest().WithDescription("PKCE with code_challenge_method=S256 is required.")
	}
	a := &authRequest{
		ID: randomToken(), Created: s.now().UTC(), Client: req.ClientID, RedirectURI: req.RedirectURI,
		State: req.State, Nonce: req.Nonce, Scopes: req.Scopes, ResponseType: req.ResponseType,
		ResponseMode: req.ResponseMode, Challenge: req.CodeChallenge, ChallengeMethod: string(req.CodeChallengeMethod),
	}
	for _, t := range req.UILocales {
		a.UILocales = append(a.UILocales, t.String())
	}
	if err := s.put(ctx, "ar:"+a.ID, kindAuth, "", a.Client, a, s.now().Add(authRequestTTL)); err != nil {
		return nil, err
	}
	return a, nil
}

func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	return s.authRequest(ctx, id)
}

func (s *storage) authRequest(ctx context.Context, id string) (*authRequest, error) {
	a := new(authRequest)
	if _, err := s.get(ctx, "ar:"+id, a); err != nil {
		return nil, fmt.Errorf("auth request: %w", err)
	}
	return a, nil
}

// completeLogin marks the auth request done by the account.
func (s *storage) completeLogin(ctx context.Context, id string, acc accounts.Account) error {
	a, err := s.authRequest(ctx, id)
	if err != nil {
		return err
	}
	a.Subject, a.AuthTime, a.IsDone = acc.ID, s.now().UTC().Truncate(time.Second), true
	return s.put(ctx, "ar:"+a.ID, kindAuth, acc.ID, a.Client, a, a.Created.Add(authRequestTTL))
}

// AuthRequestByCode takes the code: a code works once, also when two
// exchanges race (the second, and any replay, get invalid_grant).
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	g, err := s.store.TakeGrant(ctx, secretID("code:", code))
	if err != nil {
		return nil, fmt.Errorf("code: %w", err)
	}
	if !s.now().Before(g.Expires) {
		return nil, errors.New("code expired")
	}
	return s.authRequest(ctx, string(g.Data))
}

func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.store.PutGrant(ctx, accounts.Grant{ID: secretID("code:", code), Kind: kindCode,
		Data: []byte(id), Expires: s.now().Add(codeTTL)})
}

func (s *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.store.DeleteGrants(ctx, "ar:"+id)
}

// info is what a token request carries beyond op.TokenRequest.
func info(req op.TokenRequest) (client string, authTime time.Time, amr []string) {
	switch r := req.(type) {
	case *authRequest:
		return r.Client, r.AuthTime, r.GetAMR()
	case *refreshRequest:
		return r.Client, r.AuthTime, r.AMR
	case *op.DeviceAuthorizationState:
		return r.ClientID, r.AuthTime, r.AMR
	}
	return "", time.Time{}, nil
}

func (s *storage) newAccess(ctx context.Context, req op.TokenRequest, refreshID string) (id string, exp time.Time, err error) {
	client, authTime, amr := info(req)
	id = randomToken()
	exp = s.now().Add(accessTTL).Truncate(time.Second)
	t := token{Subject: req.GetSubject(), Client: client, Scopes: req.GetScopes(), Audience: req.GetAudience(),
		AuthTime: authTime, AMR: amr, Refresh: refreshID}
	return id, exp, s.put(ctx, "at:"+id, kindAccess, t.Subject, client, t, exp)
}

func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	if err := s.activeAccount(ctx, req.GetSubject()); err != nil {
		return "", time.Time{}, err
	}
	return s.newAccess(ctx, req, "")
}

// CreateAccessAndRefreshTokens rotates: a refresh token is taken (deleted)
// when it is used, with the access token it came with, so an old one is
// refused after its first use.
func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	if err := s.activeAccount(ctx, req.GetSubject()); err != nil {
		return "", "", time.Time{}, err
	}
	refresh := randomToken()
	rid := secretID("rt:", refresh)
	family := rid
	if current != "" {
		old, err := s.store.TakeGrant(ctx, secretID("rt:", current))
		if err != nil {
			return "", "", time.Time{}, zo.ErrInvalidGrant().WithDescription("The refresh token was used or revoked.")
		}
		var t token
		if json.Unmarshal(old.Data, &t) == nil {
			if t.Access != "" {
				_ = s.store.DeleteGrants(ctx, "at:"+t.Access)
			}
			if t.Family != "" {
				family = t.Family
			}
		}
		// Remember the used token until it would have expired: a second
		// use means it was stolen, and ends the whole family.
		if err := s.store.PutGrant(ctx, accounts.Grant{ID: secretID("ru:", current), Kind: kindUsed, Subject: old.Subject,
			Client: old.Client, Data: []byte(family), Expires: old.Expires}); err != nil {
			return "", "", time.Time{}, err
		}
	}
	aid, exp, err := s.newAccess(ctx, req, rid)
	if err != nil {
		return "", "", time.Time{}, err
	}
	client, authTime, amr := info(req)
	t := token{Subject: req.GetSubject(), Client: client, Scopes: req.GetScopes(), Audience: req.GetAudience(),
		AuthTime: authTime, AMR: amr, Access: aid, Family: family}
	expires := s.now().Add(refreshTTL)
	if err := s.put(ctx, rid, kindRefresh, t.Subject, client, t, expires); err != nil {
		return "", "", time.Time{}, err
	}
	if err := s.store.PutGrant(ctx, accounts.Grant{ID: "rf:" + family, Kind: kindFamily, Subject: t.Subject, Client: client,
		Data: []byte(rid), Expires: expires}); err != nil {
		return "", "", time.Time{}, err
	}
	return aid, refresh, exp, nil
}

func (s *storage) TokenRequestByRefreshToken(ctx context.Context, refresh string) (op.RefreshTokenRequest, error) {
	r := &refreshRequest{id: secretID("rt:", refresh)}
	if _, err := s.get(ctx, r.id, &r.token); err != nil {
		s.endReusedFamily(ctx, refresh)
		return nil, fmt.Errorf("refresh token: %w", err)
	}
	return r, nil
}

// endReusedFamily ends the family of a refresh token used a second time
// after its rotation (OAuth 2.0 Security BCP, 4.14.2): the thief's or the
// citizen's copy, whichever came second, must not go on; both log in again.
func (s *storage) endReusedFamily(ctx context.Context, refresh string) {
	used, err := s.store.Grant(ctx, secretID("ru:", refresh))
	if err != nil {
		return
	}
	ptr, err := s.store.TakeGrant(ctx, "rf:"+string(used.Data))
	if err != nil {
		return
	}
	live, err := s.store.TakeGrant(ctx, string(ptr.Data))
	if err != nil {
		return
	}
	var t token
	if json.Unmarshal(live.Data, &t) == nil && t.Access != "" {
		_ = s.store.DeleteGrants(ctx, "at:"+t.Access)
	}
}

// TerminateSession: the provider keeps no browser session, so there is
// nothing to end beyond what revocation does.
func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

// RevokeToken revokes an access token (by its id) or a refresh token (by
// itself, and its access token with it). An unknown token is no error
// (RFC 7009, 2.2).
func (s *storage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *zo.Error {
	for _, id := range []string{"at:" + tokenOrID, secretID("rt:", tokenOrID)} {
		g, err := s.store.Grant(ctx, id)
		if errors.Is(err, accounts.ErrNotFound) {
			continue
		}
		if err != nil {
			return zo.ErrServerError().WithParent(err)
		}
		if g.Client != clientID {
			return zo.ErrInvalidClient().WithDescription("The token was not issued to this client.")
		}
		ids := []string{id}
		var t token
		if json.Unmarshal(g.Data, &t) == nil {
			if t.Access != "" {
				ids = append(ids, "at:"+t.Access)
			}
		}
		if err := s.store.DeleteGrants(ctx, ids...); err != nil {
			return zo.ErrServerError().WithParent(err)
		}
		return nil
	}
	return nil
}

func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, refresh string) (string, string, error) {
	var t token
	id := secretID("rt:", refresh)
	if _, err := s.get(ctx, id, &t); err != nil {
		return "", "", op.ErrInvalidRefreshToken
	}
	return t.Subject, refresh, nil
}

// signingKey and publicKey are op.SigningKey and op.Key.
type signingKey struct {
	id  string
	key any
}

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return k.id }
func (k signingKey) Algorithm() jose.SignatureAlgorithm          { return jose.RS256 }
func (k signingKey) Use() string                                 { return "sig" }

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	return signingKey{id: s.kid, key: s.keys.Signing}, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{signingKey{id: s.kid, key: &s.keys.Signing.PublicKey}}, nil
}

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != api.OIDCClientID {
		return nil, errors.New("no such client")
	}
	return appClient{}, nil
}

// AuthorizeClientIDSecret: the only client is public; no secret works.
func (s *storage) AuthorizeClientIDSecret(context.Context, string, string) error {
	return errors.New("no client has a secret")
}

func (s *storage) SetUserinfoFromScopes(context.Context, *zo.UserInfo, string, string, []string) error {
	return nil
}

func (s *storage) SetUserinfoFromRequest(ctx context.Context, ui *zo.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return s.userinfo(ctx, ui, req.GetSubject(), scopes)
}

func (s *storage) SetUserinfoFromToken(ctx context.Context, ui *zo.UserInfo, tokenID, subject, _ string) error {
	var t token
	if _, err := s.get(ctx, "at:"+tokenID, &t); err != nil || t.Subject != subject {
		return errors.New("the access token is not active")
	}
	return s.userinfo(ctx, ui, subject, t.Scopes)
}

// userinfo sets the claims of the scopes, and the roles.
func (s *storage) userinfo(ctx context.Context, ui *zo.UserInfo, subject string, scopes []string) error {
	acc, err := s.store.Account(ctx, subject)
	if err != nil {
		return err
	}
	if acc.Disabled {
		return errors.New("the account is disabled")
	}
	ui.Subject = acc.ID
	for _, sc := range scopes {
		switch sc {
		case zo.ScopeEmail:
			ui.Email, ui.EmailVerified = acc.Email, zo.Bool(false)
		case zo.ScopeProfile:
			ui.Name, ui.PreferredUsername = acc.Name, acc.Email
		}
	}
	ui.AppendClaims("roles", acc.Roles)
	return nil
}

func (s *storage) SetIntrospectionFromToken(ctx context.Context, in *zo.IntrospectionResponse, tokenID, subject, clientID string) error {
	var t token
	g, err := s.get(ctx, "at:"+tokenID, &t)
	if err != nil || t.Subject != subject {
		return errors.New("the access token is not active")
	}
	ui := new(zo.UserInfo)
	if err := s.userinfo(ctx, ui, subject, t.Scopes); err != nil {
		return err
	}
	in.SetUserInfo(ui)
	in.Scope, in.ClientID, in.Expiration = t.Scopes, t.Client, zo.FromTime(g.Expires)
	return nil
}

func (s *storage) GetPrivateClaimsFromScopes(ctx context.Context, subject, _ string, _ []string) (map[string]any, error) {
	acc, err := s.store.Account(ctx, subject)
	if err != nil {
		return nil, err
	}
	return map[string]any{"roles": acc.Roles}, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("no client signs with a key")
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("the JWT profile grant is not offered")
}

func (s *storage) Health(context.Context) error { return nil }

// activeAccount refuses tokens for an account that is gone or disabled.
func (s *storage) activeAccount(ctx context.Context, subject string) error {
	acc, err := s.store.Account(ctx, subject)
	if err != nil {
		return zo.ErrInvalidGrant().WithDescription("The account does not exist.")
	}
	if acc.Disabled {
		return zo.ErrInvalidGrant().WithDescription("The account is disabled.")
	}
	return nil
}

// normalUserCode is a user code as typed: upper case, without dashes or
// spaces.
func normalUserCode(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(s)))
}

func (s *storage) StoreDeviceAuthorization(ctx context.Context, clientID, deviceCode, userCode string, expires time.Time, scopes []string) error {
	uc := "uc:" + normalUserCode(userCode)
	if _, err := s.store.Grant(ctx, uc); err == nil {
		return op.ErrDuplicateUserCode
	}
	dc := secretID("dc:", deviceCode)
	d := device{DeviceAuthorizationState: op.DeviceAuthorizationState{ClientID: clientID, Scopes: scopes, Expires: expires}, UserCode: userCode}
	// Kept past its end, so that a late poll hears expired_token.
	if err := s.put(ctx, dc, kindDevice, "", clientID, d, expires.Add(deviceGrace)); err != nil {
		return err
	}
	return s.store.PutGrant(ctx, accounts.Grant{ID: uc, Kind: kindUser, Client: clientID, Data: []byte(dc), Expires: expires})
}

// errTooFast makes the library answer slow_down (it maps a deadline).
var errTooFast = fmt.Errorf("polled before the interval: %w", context.DeadlineExceeded)

// GetDeviceAuthorizatonState answers the device's polls: slow_down when it
// polls faster than the interval, the tokens once (the grant is taken when
// it is done, so a repeat gets access_denied), expired_token after its
// time, access_denied when the citizen said no.
func (s *storage) GetDeviceAuthorizatonState(ctx context.Context, clientID, deviceCode string) (*op.DeviceAuthorizationState, error) {
	dc := secretID("dc:", deviceCode)
	now := s.now()
	s.mu.Lock()
	last, polled := s.lastPoll[dc]
	s.lastPoll[dc] = now
	for k, t := range s.lastPoll { // forget devices gone quiet
		if now.Sub(t) > time.Hour {
			delete(s.lastPoll, k)
		}
	}
	s.mu.Unlock()
	if polled && now.Sub(last) < s.devices.interval {
		return nil, errTooFast
	}
	g, err := s.store.Grant(ctx, dc)
	if err != nil {
		return nil, err
	}
	var d device
	if err := json.Unmarshal(g.Data, &d); err != nil {
		return nil, err
	}
	if d.ClientID != clientID {
		return nil, errors.New("the device code is another client's")
	}
	if d.Done || d.Denied {
		if _, err := s.store.TakeGrant(ctx, dc); err != nil {
			return nil, err // taken by a poll at the same moment
		}
		_ = s.store.DeleteGrants(ctx, "uc:"+normalUserCode(d.UserCode))
	}
	if d.Done {
		if err := s.activeAccount(ctx, d.Subject); err != nil {
			return nil, err
		}
	}
	return &d.DeviceAuthorizationState, nil
}

// deviceByUserCode finds the pending device authorization of a user code.
func (s *storage) deviceByUserCode(ctx context.Context, userCode string) (string, *device, error) {
	var dc string
	g, err := s.store.Grant(ctx, "uc:"+normalUserCode(userCode))
	if err != nil || !s.now().Before(g.Expires) {
		return "", nil, accounts.ErrNotFound
	}
	dc = string(g.Data)
	d := new(device)
	if _, err := s.get(ctx, dc, d); err != nil {
		return "", nil, err
	}
	if d.Done || d.Denied || !s.now().Before(d.Expires) {
		return "", nil, accounts.ErrNotFound
	}
	return dc, d, nil
}

// decideDevice records the citizen's answer for the user code.
func (s *storage) decideDevice(ctx context.Context, userCode string, acc accounts.Account, allow bool) error {
	dc, d, err := s.deviceByUserCode(ctx, userCode)
	if err != nil {
		return err
	}
	if allow {
		d.Done, d.Subject, d.AuthTime, d.AMR = true, acc.ID, s.now().UTC().Truncate(time.Second), amr(true)
	} else {
		d.Denied = true
	}
	return s.put(ctx, dc, kindDevice, acc.ID, d.ClientID, d, d.Expires.Add(deviceGrace))
}
