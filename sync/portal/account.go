package portal

import (
	"context"
	"errors"
	"net/http"

	"rathaus/api"
)

// LinkAccount puts this device into the account that accessToken names
// (POST api.PathAccountLink with the device credential). The access token
// travels in the body only; it is never kept by the client.
func (c *Client) LinkAccount(ctx context.Context, accessToken string) (api.AccountLink, error) {
	var l api.AccountLink
	status, err := c.Call(ctx, http.MethodPost, api.PathAccountLink, "", api.AccountLinkRequest{AccessToken: accessToken}, &l)
	if err != nil {
		return l, err
	}
	if l.Account == "" {
		return l, garbled(status, errors.New("account link without an account"))
	}
	return l, nil
}

// UnlinkAccount takes this device out of its account (POST
// api.PathAccountUnlink with the device credential, 204). The account's
// data stays with the account.
func (c *Client) UnlinkAccount(ctx context.Context) error {
	resp, err := c.r(ctx).Post(api.PathAccountUnlink)
	if err != nil {
		return networkError(ctx, err)
	}
	switch resp.StatusCode() {
	case http.StatusNoContent, http.StatusOK:
		return nil
	}
	return statusError(resp)
}
