package api

// Accounts: the reference backend is its own OpenID provider (issuer = its
// base URL). The app logs in as the public client OIDCClientID and then
// links its device to the account, so that the changes feed, drafts and
// cases of every device of the account follow the citizen.
const (
	// OIDCClientID is the app's fixed client id: public (no secret), PKCE
	// S256 required, loopback redirect URIs on any port (RFC 8252), the
	// device authorization grant (RFC 8628) allowed.
	OIDCClientID = "rathaus-app"
	// OIDCScopes are the scopes the app asks for; offline_access brings a
	// refresh token.
	OIDCScopes = "openid profile email offline_access"

	// PathAccountLink: POST with the device's credential in Authorization
	// and an AccountLinkRequest body puts the device into the account the
	// access token names; answers AccountLink.
	PathAccountLink = "/v1/account/link"
	// PathAccountUnlink: POST with the device's credential takes the device
	// out of its account (204); the account's data stays with the account.
	PathAccountUnlink = "/v1/account/unlink"
)

// Roles an account may hold (the "roles" claim of its tokens).
const (
	RoleCitizen = "citizen"
	RoleStaff   = "staff"
)

// AccountLinkRequest carries the access token the provider issued to the
// app, so the backend can tell which account the device joins.
type AccountLinkRequest struct {
	AccessToken string `json:"access_token"`
}

// AccountLink is the answer to a link: the account (its subject) and the
// name to show.
type AccountLink struct {
	Account string `json:"account"`
	Name    string `json:"name"`
	Email   string `json:"email,omitempty"`
}
