package portal

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"

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

// Answer sends the citizen's answer to a request for more information on
// a case, under its idempotency key, and returns the case as it goes on.
func (c *Client) Answer(ctx context.Context, key, caseID string, req api.SubmissionRequest) (api.Case, error) {
	var cs api.Case
	status, err := c.Call(ctx, http.MethodPost, api.PathCases+url.PathEscape(caseID)+api.AnswerSuffix, key, req, &cs)
	if err != nil {
		return cs, err
	}
	if cs.ID != caseID || cs.Number == "" {
		return cs, garbled(status, errors.New("the answer's case is not the case answered"))
	}
	return cs, nil
}
