package engine

import (
	"context"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
)

// The draft copy: a draft's changed fields (or its deletion) for the
// account's other devices. The copy is built when it is sent, so edits made
// while it waited ride on it; the backend answers its merged copy, which
// may bring later fields from another device.

// draftCopyStore is what a draft copy needs of the store.
type draftCopyStore interface {
	DraftCopy(ctx context.Context, draftID string) (copy api.DraftCopy, ok bool, err error)
	AckDraftCopy(ctx context.Context, itemID int64, sent, merged api.DraftCopy) error
	Fail(ctx context.Context, itemID int64, code, message string) error
}

// draftCopyPortal is what a draft copy needs of the backend.
type draftCopyPortal interface {
	PutDraft(ctx context.Context, d api.DraftCopy) (api.DraftCopy, error)
}

type draftCopySender struct {
	store  draftCopyStore
	portal draftCopyPortal
	pace   *pacer
}

var _ Sender = (*draftCopySender)(nil)

// Send sends the draft's fields the backend does not have (or its
// tombstone) and applies the merged copy. A copy whose payload is locked
// carries nothing of its own: it goes as a copy of changes. (A locked
// tombstone is lost so: its draft is gone, and so is the key.)
func (s *draftCopySender) Send(ctx context.Context, it *citizen.OutboxItem, _ func()) (Changed, error) {
	sent := api.DraftCopy{ID: it.DraftID}
	if p, ok := it.Payload.(*citizen.DraftCopyPayload); ok && p.Tombstone != nil {
		sent = *p.Tombstone
	} else {
		c, ok, err := s.store.DraftCopy(ctx, it.DraftID)
		if err != nil && citizen.ErrorCode(err) != citizen.ENOTFOUND {
			return 0, err
		}
		if !ok {
			// Nothing new (or the draft is gone): done without a request.
			return 0, s.store.AckDraftCopy(ctx, it.ID, sent, api.DraftCopy{ID: it.DraftID})
		}
		sent = c
	}
	start := time.Now()
	merged, err := s.portal.PutDraft(ctx, sent)
	if err != nil {
		return 0, err
	}
	s.pace.observeRTT(time.Since(start))
	// What the merged copy brings from the account's other devices comes
	// through the changes feed too, which marks the drafts changed; a
	// deletion from elsewhere is marked here, as it removes a listed draft.
	var changed Changed
	if merged.Deleted != nil && sent.Deleted == nil {
		changed = ChangedDrafts
	}
	return changed, s.store.AckDraftCopy(ctx, it.ID, sent, merged)
}

// Permanent: the backend's refusals (4xx).
func (s *draftCopySender) Permanent(err error) bool { return !citizen.IsTransient(err) }

// Refuse fails the item; the draft stays as it is on this device.
func (s *draftCopySender) Refuse(ctx context.Context, it *citizen.OutboxItem, r Refusal) (Changed, error) {
	return 0, s.store.Fail(ctx, it.ID, r.Code, r.Message)
}
