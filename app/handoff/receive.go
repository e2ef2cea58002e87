package handoff

import (
	"context"
	"time"

	"rathaus/app/citizen"
)

// Claimer takes a handoff's ciphertext from the backend, once (the portal
// client's ClaimHandoff).
type Claimer interface {
	ClaimHandoff(ctx context.Context, id string) ([]byte, error)
}

// DraftCreator stores a new draft (the app's store).
type DraftCreator interface {
	CreateDraft(ctx context.Context, d *citizen.Draft) error
}

// Receive is the phone's side: it reads the link or code, claims the
// handoff, opens it with the key and stores it as a new draft of this
// device, which the citizen continues in "My applications". The input is
// checked before the claim, so that a typo does not use the handoff up.
// A claimed handoff whose key does not open it is lost: the kiosk must
// hand it over again (the message says so).
func Receive(ctx context.Context, input string, c Claimer, st DraftCreator, now time.Time) (*citizen.Draft, error) {
	id, key, err := Parse(input)
	if err != nil {
		return nil, err
	}
	ct, err := c.ClaimHandoff(ctx, id)
	if err != nil {
		return nil, err
	}
	d, err := Open(ct, key)
	if err != nil {
		return nil, citizen.Errorf(citizen.EINVALID, "The draft was fetched but its key does not open it. Ask at the kiosk for a new code.")
	}
	draft := &citizen.Draft{ID: citizen.NewID(), Service: d.Service, Form: d.Form, Values: d.Values, Step: d.Step,
		State: citizen.DraftEditing, Created: now, Updated: now}
	if draft.Values == nil {
		draft.Values = map[string]any{}
	}
	if err := st.CreateDraft(ctx, draft); err != nil {
		return nil, err
	}
	return draft, nil
}
