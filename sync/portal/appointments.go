package portal

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"rathaus/api"
	"rathaus/app/citizen"
)

// SlotTakenError is the backend's 409 to a booking whose slot someone else
// booked first, with the nearest free slots it offers instead. It unwraps
// to the *ResponseError (a permanent refusal).
type SlotTakenError struct {
	*ResponseError
	Alternatives []api.Slot
}

func (e *SlotTakenError) Unwrap() error { return e.ResponseError }

// Offices fetches the offices that hold appointments.
func (c *Client) Offices(ctx context.Context) (api.Offices, error) {
	var o api.Offices
	resp, err := c.r(ctx).Get(api.PathOffices)
	if err != nil {
		return o, networkError(ctx, err)
	}
	if resp.StatusCode() != http.StatusOK {
		return o, statusError(resp)
	}
	return o, decode(resp, &o)
}

// Slots fetches the free slots of a service at an office.
func (c *Client) Slots(ctx context.Context, service, office string) (api.Slots, error) {
	var s api.Slots
	q := url.Values{"service": {service}, "office": {office}}
	resp, err := c.r(ctx).Get(api.PathSlots + "?" + q.Encode())
	if err != nil {
		return s, networkError(ctx, err)
	}
	if resp.StatusCode() != http.StatusOK {
		return s, statusError(resp)
	}
	return s, decode(resp, &s)
}

// Book sends a booking under its idempotency key and returns the booking
// the backend made of it (now, or on an earlier attempt with the key). A
// slot someone else holds is a *SlotTakenError.
func (c *Client) Book(ctx context.Context, key string, req api.BookingRequest) (api.Booking, error) {
	var b api.Booking
	resp, err := c.r(ctx).SetHeader("Content-Type", api.ContentTypeJSON).SetHeader(api.HeaderIdempotencyKey, key).
		SetBody(req).Post(api.PathBookings)
	if err != nil {
		return b, networkError(ctx, err)
	}
	switch st := resp.StatusCode(); st {
	case http.StatusOK, http.StatusCreated:
		if err := decode(resp, &b); err != nil {
			return b, err
		}
		if b.ID == "" || b.Code == "" {
			return b, garbled(st, errors.New("booking without id or code"))
		}
		return b, nil
	}
	err = statusError(resp)
	re, _ := errors.AsType[*ResponseError](err)
	if re != nil && re.Status == http.StatusConflict && re.Problem != nil && re.Problem.Type == api.ProblemSlotTaken {
		re.Err = &citizen.Error{Code: citizen.EREJECTED, Message: "Someone else booked this appointment first.", Err: re.Problem}
		return b, &SlotTakenError{ResponseError: re, Alternatives: slotAlternatives(resp.Body())}
	}
	return b, err
}

// CancelBooking cancels a booking of this device; cancelling it again
// answers it unchanged.
func (c *Client) CancelBooking(ctx context.Context, id string) (api.Booking, error) {
	var b api.Booking
	status, err := c.Call(ctx, http.MethodPost, api.PathBookings+"/"+url.PathEscape(id)+"/cancel", "", nil, &b)
	if err != nil {
		return b, err
	}
	if b.ID != id {
		return b, garbled(status, errors.New("the answer names another booking"))
	}
	return b, nil
}

// slotAlternatives reads the alternatives of a slot-taken problem.
func slotAlternatives(body []byte) []api.Slot {
	var p api.SlotTakenProblem
	if json.Unmarshal(body, &p) != nil {
		return nil
	}
	return p.Alternatives
}
