package portal

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	"rathaus/api"
)

// Notice fetches the notice (Bescheid) of a decided case of this device,
// a PDF. A 404 means the backend has none for it.
func (c *Client) Notice(ctx context.Context, caseID string) ([]byte, error) {
	resp, err := c.r(ctx).SetPathParam("id", caseID).Get(api.PathCases + "{id}" + api.NoticeSuffix)
	if err != nil {
		return nil, networkError(ctx, err)
	}
	if resp.StatusCode() != http.StatusOK {
		return nil, statusError(resp)
	}
	body := resp.Body()
	if !bytes.HasPrefix(body, []byte("%PDF-")) {
		return nil, garbled(resp.StatusCode(), errors.New("the notice is not a PDF"))
	}
	return body, nil
}
