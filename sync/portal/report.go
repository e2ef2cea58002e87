package portal

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"rathaus/api"
)

// PostReport sends an issue report under its idempotency key and returns
// the report as the backend keeps it.
func (c *Client) PostReport(ctx context.Context, key string, req api.ReportRequest) (api.Report, error) {
	var rep api.Report
	status, err := c.Call(ctx, http.MethodPost, api.PathReports, key, req, &rep)
	if err != nil {
		return rep, err
	}
	if rep.ID == "" || rep.ServiceCode == "" {
		return rep, garbled(status, errors.New("report without id or service"))
	}
	return rep, nil
}

// VoteReport sends a "+1" to the report with the id.
func (c *Client) VoteReport(ctx context.Context, key, id string) (api.Report, error) {
	var rep api.Report
	status, err := c.Call(ctx, http.MethodPost, api.PathReports+"/"+url.PathEscape(id)+"/votes", key, struct{}{}, &rep)
	if err != nil {
		return rep, err
	}
	if rep.ID != id {
		return rep, garbled(status, errors.New("vote answered with another report"))
	}
	return rep, nil
}

// ReportHistory fetches a report's timeline: its receipt and the town's
// steps with their messages.
func (c *Client) ReportHistory(ctx context.Context, id string) (api.ReportHistory, error) {
	var h api.ReportHistory
	status, err := c.Call(ctx, http.MethodGet, api.PathReports+"/"+url.PathEscape(id)+"/history", "", nil, &h)
	if err != nil {
		return h, err
	}
	if h.Report != id {
		return h, garbled(status, errors.New("history answered for another report"))
	}
	return h, nil
}

// ReportFeed fetches the public feed of reports.
func (c *Client) ReportFeed(ctx context.Context) (api.ReportFeed, error) {
	var feed api.ReportFeed
	resp, err := c.r(ctx).Get(api.PathReports)
	if err != nil {
		return feed, networkError(ctx, err)
	}
	if resp.StatusCode() != http.StatusOK {
		return feed, statusError(resp)
	}
	return feed, decode(resp, &feed)
}
