package portal

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"rathaus/api"
)

// RegisterDevice registers this device at first contact and returns its id
// and credential (which the caller keeps in the keyring).
func (c *Client) RegisterDevice(ctx context.Context, req api.DeviceRequest) (api.Device, error) {
	var d api.Device
	resp, err := c.r(ctx).SetHeader("Content-Type", api.ContentTypeJSON).SetBody(req).Post(api.PathDevices)
	if err != nil {
		return d, networkError(ctx, err)
	}
	if resp.StatusCode() != http.StatusCreated && resp.StatusCode() != http.StatusOK {
		return d, statusError(resp)
	}
	if err := decode(resp, &d); err != nil {
		return d, err
	}
	if d.ID == "" || d.Token == "" {
		return d, garbled(resp.StatusCode(), errors.New("device without id or token"))
	}
	return d, nil
}

// Changes fetches a page of the changes feed after cursor ("" from the
// start).
func (c *Client) Changes(ctx context.Context, cursor string, limit int) (api.Changes, error) {
	var ch api.Changes
	req := c.r(ctx).SetQueryParam("limit", strconv.Itoa(limit))
	if cursor != "" {
		req.SetQueryParam("since", cursor)
	}
	resp, err := req.Get(api.PathChanges)
	if err != nil {
		return ch, networkError(ctx, err)
	}
	if resp.StatusCode() != http.StatusOK {
		return ch, statusError(resp)
	}
	if err := decode(resp, &ch); err != nil {
		return ch, err
	}
	if ch.Cursor == "" && len(ch.Changes) > 0 {
		return ch, garbled(resp.StatusCode(), errors.New("changes without a cursor"))
	}
	for _, x := range ch.Changes {
		if (x.Kind == api.ChangeCase && x.Case == nil) || (x.Kind == api.ChangeDraft && x.Draft == nil) ||
			(x.Kind == api.ChangeBooking && x.Booking == nil) || (x.Kind == api.ChangeReport && x.Report == nil) {
			return ch, garbled(resp.StatusCode(), errors.New("change "+x.Kind+" without its content"))
		}
	}
	return ch, nil
}

// PutDraft sends a draft copy for the account's other devices and returns
// the backend's merged copy.
func (c *Client) PutDraft(ctx context.Context, d api.DraftCopy) (api.DraftCopy, error) {
	var merged api.DraftCopy
	status, err := c.Call(ctx, http.MethodPut, api.PathDrafts+url.PathEscape(d.ID), "", d, &merged)
	if err != nil {
		return merged, err
	}
	if merged.ID != d.ID {
		return merged, garbled(status, errors.New("merged draft has another id"))
	}
	return merged, nil
}

// RegisterDeviceKey registers the signing key of a device that was
// registered without one (an app from before signing keys).
func (c *Client) RegisterDeviceKey(ctx context.Context, req api.DeviceKeyRequest) error {
	resp, err := c.r(ctx).SetHeader("Content-Type", api.ContentTypeJSON).SetBody(req).Post(api.PathDeviceKey)
	if err != nil {
		return networkError(ctx, err)
	}
	if resp.StatusCode() != http.StatusNoContent && resp.StatusCode() != http.StatusOK {
		return statusError(resp)
	}
	return nil
}
