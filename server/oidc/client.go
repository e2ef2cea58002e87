package oidc

import (
	"time"

	zo "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"rathaus/api"
)

// appClient is the app, registered at every start: a public native client
// (no secret, PKCE S256 required), loopback redirects on any port and any
// path (RFC 8252, 7.3), the code, refresh and device grants.
type appClient struct{}

var (
	_ op.Client           = appClient{}
	_ op.HasRedirectGlobs = appClient{}
)

func (appClient) GetID() string { return api.OIDCClientID }

// RedirectURIs: the library lets a native client's loopback redirect
// differ from these in its port only; RedirectURIGlobs adds any path.
func (appClient) RedirectURIs() []string {
	return []string{"http://127.0.0.1/", "http://[::1]/"}
}

// loopbackGlobs match http://127.0.0.1:PORT/... and http://[::1]:PORT/...
// with a port of 1 to 5 digits: a host part the glob spells out letter by
// letter, so that no user info or other host can slip in.
var loopbackGlobs = func() []string {
	var out []string
	port := ""
	for range 5 {
		port += "[0-9]"
		out = append(out, "http://127.0.0.1:"+port+"/**", `http://\[::1\]:`+port+"/**")
	}
	return out
}()

func (appClient) RedirectURIGlobs() []string           { return loopbackGlobs }
func (appClient) PostLogoutRedirectURIGlobs() []string { return loopbackGlobs }
func (appClient) PostLogoutRedirectURIs() []string     { return nil }
func (appClient) ApplicationType() op.ApplicationType  { return op.ApplicationTypeNative }
func (appClient) AuthMethod() zo.AuthMethod            { return zo.AuthMethodNone }
func (appClient) ResponseTypes() []zo.ResponseType     { return []zo.ResponseType{zo.ResponseTypeCode} }
func (appClient) GrantTypes() []zo.GrantType {
	return []zo.GrantType{zo.GrantTypeCode, zo.GrantTypeRefreshToken, zo.GrantTypeDeviceCode}
}
func (appClient) LoginURL(id string) string            { return PathLogin + "?authRequestID=" + id }
func (appClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (appClient) IDTokenLifetime() time.Duration       { return time.Hour }
func (appClient) DevMode() bool                        { return false }
func (appClient) IsScopeAllowed(string) bool           { return false }
func (appClient) IDTokenUserinfoClaimsAssertion() bool { return true }
func (appClient) ClockSkew() time.Duration             { return 0 }
func (appClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (appClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
