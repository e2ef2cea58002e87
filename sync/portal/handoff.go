package portal

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"rathaus/api"
	"rathaus/app/citizen"
)

// CreateHandoff stores a kiosk's sealed draft (the device's credential is
// needed); the answer's id goes into the QR code with the key.
func (c *Client) CreateHandoff(ctx context.Context, ciphertext []byte) (api.Handoff, error) {
	var h api.Handoff
	status, err := c.Call(ctx, http.MethodPost, api.PathHandoffs, "", api.NewHandoff{Ciphertext: ciphertext}, &h)
	if err == nil && h.ID == "" {
		err = garbled(status, errors.New("a handoff without id"))
	}
	return h, err
}

// HandoffState tells the kiosk whether its handoff was claimed.
func (c *Client) HandoffState(ctx context.Context, id string) (api.Handoff, error) {
	var h api.Handoff
	_, err := c.Call(ctx, http.MethodGet, api.PathHandoffs+url.PathEscape(id), "", nil, &h)
	return h, err
}

// ClaimHandoff takes the sealed draft, once. A second claim, an expired
// one and an unknown id are refusals with a message that says which.
func (c *Client) ClaimHandoff(ctx context.Context, id string) ([]byte, error) {
	var out api.HandoffClaim
	_, err := c.Call(ctx, http.MethodPost, api.PathHandoffs+url.PathEscape(id)+"/claim", "", nil, &out)
	var re *ResponseError
	if errors.As(err, &re) && !re.Network {
		switch {
		case re.Problem != nil && re.Problem.Type == api.ProblemHandoffClaimed:
			re.Err = &citizen.Error{Code: citizen.EREJECTED, Err: re.Err,
				Message: "This draft was taken over already. Ask at the kiosk for a new code."}
		case re.Problem != nil && re.Problem.Type == api.ProblemHandoffExpired:
			re.Err = &citizen.Error{Code: citizen.EREJECTED, Err: re.Err,
				Message: "This code expired (a handoff waits 30 minutes). Ask at the kiosk for a new code."}
		case re.Status == http.StatusNotFound:
			re.Err = &citizen.Error{Code: citizen.ENOTFOUND, Err: re.Err,
				Message: "There is no draft for this code. Check the code."}
		}
	}
	return out.Ciphertext, err
}
