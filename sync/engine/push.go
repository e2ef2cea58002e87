package engine

import (
	"context"
	"encoding/json"
	"errors"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/sync/upload"
)

// push sends the due outbox items in order. A permanent refusal stops only
// its own item; a network failure stops the pass, since the rest would fail
// the same way.
func (e *Engine) push(ctx context.Context, force bool) error {
	items, err := e.store.DueOutbox(ctx, e.now(), force)
	if err != nil {
		return err
	}
	var errs []error
	for _, it := range items {
		if it.LastCode == citizen.ELOCKED && it.Kind == citizen.OutboxSubmission {
			msg := "This submission was saved with a key this device no longer has; please fill in the form again."
			if err := e.store.Reject(ctx, it.ID, nil, citizen.ELOCKED, msg); err != nil {
				return err
			}
			continue
		}
		var err error
		switch it.Kind {
		case citizen.OutboxSubmission:
			err = e.sendSubmission(ctx, it)
		case citizen.OutboxDraft:
			err = e.sendDraftCopy(ctx, it)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			continue
		}
		if isNetwork(err) {
			// Not the item's fault: no attempt is counted, and it goes
			// out as soon as the backend is back.
			return err
		}
		if citizen.IsTransient(err) {
			// A refusal is the item's own business (the citizen sees it
			// on the item); only a failing backend makes the pass fail.
			errs = append(errs, err)
		}
		if err := e.fail(ctx, it, err); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}

// sendSubmission uploads the attachments the submission names (resuming
// where an earlier attempt stopped), puts their upload ids into the data,
// and sends the submission under its idempotency key.
func (e *Engine) sendSubmission(ctx context.Context, it *citizen.OutboxItem) error {
	req := it.Request
	if len(req.Data) > 0 {
		data, err := e.uploadAttachments(ctx, it)
		if err != nil {
			return err
		}
		req.Data = data
	}
	cs, err := e.portal.Submit(ctx, it.IdempotencyKey, req)
	if err != nil {
		return err
	}
	return e.store.Acknowledge(ctx, it.ID, cs)
}

// uploadAttachments returns the submission's data with every attachment it
// names uploaded and its upload id filled in. The data keeps its shape, so a
// retry sends the same bytes and the backend sees the same request.
func (e *Engine) uploadAttachments(ctx context.Context, it *citizen.OutboxItem) (json.RawMessage, error) {
	atts, err := e.store.Attachments(ctx, it.DraftID)
	if err != nil || len(atts) == 0 {
		return it.Request.Data, err
	}
	byID := map[string]*citizen.Attachment{}
	for _, a := range atts {
		byID[a.ID] = a
	}
	var data any
	if err := json.Unmarshal(it.Request.Data, &data); err != nil {
		return nil, err
	}
	var named []*citizen.Attachment
	walkAttachments(data, func(m map[string]any) {
		if id, _ := m["id"].(string); byID[id] != nil {
			named = append(named, byID[id])
		}
	})
	if len(named) == 0 {
		return it.Request.Data, nil
	}
	var done, total int64
	for _, a := range named {
		total += a.Size
		if a.Uploaded {
			done += a.Size
		}
	}
	for _, a := range named {
		if a.Uploaded {
			continue
		}
		if err := e.uploadOne(ctx, it, a, done, total); err != nil {
			return nil, err
		}
		done += a.Size
	}
	walkAttachments(data, func(m map[string]any) {
		if id, _ := m["id"].(string); byID[id] != nil {
			m["upload"] = upload.ID(byID[id].UploadURL)
		}
	})
	return json.Marshal(data)
}

func (e *Engine) uploadOne(ctx context.Context, it *citizen.OutboxItem, a *citizen.Attachment, before, total int64) error {
	b, err := e.store.AttachmentData(ctx, a.ID)
	if err != nil {
		return err
	}
	f := upload.File{Name: a.Name, Type: a.Type, SHA256: a.SHA256, Data: b, URL: a.UploadURL}
	u, err := e.uploads.Upload(ctx, f, func(p upload.Progress) error {
		a.UploadURL = p.URL
		if err := e.store.SetAttachmentUpload(ctx, a.ID, p.URL, p.Offset, p.Offset == p.Size); err != nil {
			return err
		}
		return e.store.SetProgress(ctx, it.ID, before+p.Offset, total)
	})
	if err != nil {
		return err
	}
	a.UploadURL, a.Uploaded = u, true
	return e.store.SetAttachmentUpload(ctx, a.ID, u, a.Size, true)
}

// walkAttachments calls f for every JSON object in v that looks like an
// attachment value (it has an id and a sha256).
func walkAttachments(v any, f func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["sha256"].(string); ok {
			if _, ok := x["id"].(string); ok {
				f(x)
				return
			}
		}
		for _, c := range x {
			walkAttachments(c, f)
		}
	case []any:
		for _, c := range x {
			walkAttachments(c, f)
		}
	}
}

// sendDraftCopy sends a draft's changed fields (or its deletion) for the
// account's other devices and applies the backend's merged copy.
func (e *Engine) sendDraftCopy(ctx context.Context, it *citizen.OutboxItem) error {
	sent := api.DraftCopy{ID: it.DraftID}
	if it.Tombstone != nil {
		sent = *it.Tombstone
	} else {
		c, ok, err := e.store.DraftCopy(ctx, it.DraftID)
		if err != nil && citizen.ErrorCode(err) != citizen.ENOTFOUND {
			return err
		}
		if !ok {
			// Nothing new (or the draft is gone): done without a request.
			return e.store.AckDraftCopy(ctx, it.ID, sent, api.DraftCopy{ID: it.DraftID})
		}
		sent = c
	}
	merged, err := e.portal.PutDraft(ctx, sent)
	if err != nil {
		return err
	}
	return e.store.AckDraftCopy(ctx, it.ID, sent, merged)
}

// fail records a failed attempt: retried later if transient, parked after
// too many, rejected at once if permanent.
func (e *Engine) fail(ctx context.Context, it *citizen.OutboxItem, err error) error {
	code, msg := citizen.ErrorCode(err), citizen.ErrorMessage(err)
	var p *api.Problem
	var retryAfter = retryAfterOf(err)
	if re := responseError(err); re != nil {
		p = re.Problem
	}
	if !citizen.IsTransient(err) {
		return e.store.Reject(ctx, it.ID, p, code, msg)
	}
	if it.Attempts+1 >= e.maxAttempts {
		return e.store.Reject(ctx, it.ID, nil, code,
			"The town hall's server kept failing; the app stopped trying. Please send it again later.")
	}
	wait := e.backoff.Delay(it.Attempts)
	if retryAfter > wait {
		wait = retryAfter
	}
	return e.store.Retry(ctx, it.ID, e.now().Add(wait), code, msg)
}
