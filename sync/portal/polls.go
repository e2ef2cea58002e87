package portal

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"rathaus/api"
)

// Polls fetches the polls (public).
func (c *Client) Polls(ctx context.Context) (api.Polls, error) {
	var p api.Polls
	_, err := c.Call(ctx, http.MethodGet, api.PathPolls, "", nil, &p)
	return p, err
}

// AnswerPoll sends the device's answer to a poll; it replaces the
// device's earlier one. A closed poll is a 409 with api.ProblemPollClosed.
func (c *Client) AnswerPoll(ctx context.Context, poll string, data map[string]any) (api.PollReceipt, error) {
	var r api.PollReceipt
	status, err := c.Call(ctx, http.MethodPut, api.PathPolls+url.PathEscape(poll)+"/answer", "", api.PollAnswer{Data: data}, &r)
	if err != nil {
		return r, err
	}
	if r.Poll != poll {
		return r, garbled(status, errors.New("a receipt for another poll"))
	}
	return r, nil
}

// PollResults fetches a closed poll's counts (public); a 409 while it is
// open.
func (c *Client) PollResults(ctx context.Context, poll string) (api.PollResults, error) {
	var r api.PollResults
	_, err := c.Call(ctx, http.MethodGet, api.PathPolls+url.PathEscape(poll)+"/results", "", nil, &r)
	return r, err
}
