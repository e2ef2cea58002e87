package portal

import (
	"context"
	"net/http"

	"rathaus/api"
)

// OpenData fetches one dataset of the town's open data as JSON
// (api.DatasetCases, ...).
func (c *Client) OpenData(ctx context.Context, dataset string) (api.OpenData, error) {
	var d api.OpenData
	resp, err := c.r(ctx).Get(api.PathOpenData + dataset + ".json")
	if err != nil {
		return d, networkError(ctx, err)
	}
	if resp.StatusCode() != http.StatusOK {
		return d, statusError(resp)
	}
	return d, decode(resp, &d)
}
