package engine

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/sync/upload"
)

// pushPass is the state one push shares between its workers.
type pushPass struct {
	// progress counts the steps the backend confirmed in this pass (items
	// done, upload chunks stored): the evidence that the link works.
	progress atomic.Int64
	// stop is set once the backend was not reached: no further item
	// starts.
	stop atomic.Bool

	mu     sync.Mutex
	errs   []error // transient failures of single items
	netErr error   // the first failure to reach the backend
	fatal  error   // a failure of the store: the pass ends
}

func (p *pushPass) record(err error, network bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case network && p.netErr == nil:
		p.netErr = err
	case network:
	default:
		p.errs = append(p.errs, err)
	}
}

func (p *pushPass) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fatal == nil {
		p.fatal = err
	}
	p.stop.Store(true)
}

// push sends the due outbox items. Items of one draft go out in order, one
// after the other; up to e.parallel drafts go out at once, so that a weak
// link stays busy while a request waits for its answer, and a slow or
// failing item never holds up the others. A permanent refusal stops only
// its own item; a transient one stops the rest of its draft until the next
// pass. When the backend cannot be reached at all, no further item starts
// (the rest would fail the same way) and the pass reports it.
func (e *Engine) push(ctx context.Context, force bool) error {
	items, err := e.store.DueOutbox(ctx, e.now(), force)
	if err != nil || len(items) == 0 {
		return err
	}
	var drafts [][]*citizen.OutboxItem
	index := map[string]int{}
	for _, it := range items {
		i, ok := index[it.DraftID]
		if !ok {
			i = len(drafts)
			index[it.DraftID] = i
			drafts = append(drafts, nil)
		}
		drafts[i] = append(drafts[i], it)
	}
	p := &pushPass{}
	work := make(chan []*citizen.OutboxItem)
	var wg sync.WaitGroup
	for w := 0; w < min(e.parallel, len(drafts)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				e.pushDraft(ctx, p, d)
			}
		}()
	}
	for _, d := range drafts {
		if p.stop.Load() || ctx.Err() != nil {
			break
		}
		work <- d
	}
	close(work)
	wg.Wait()
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case p.fatal != nil:
		return p.fatal
	}
	return errors.Join(append([]error{p.netErr}, p.errs...)...)
}

// pushDraft sends one draft's items in order. The files of a submission
// start going up at once, beside the draft's earlier items (its copy for
// the account's other devices): an upload changes nothing at the backend
// until the submission names it, so the order of the items holds, and the
// link does not wait for an earlier item's round trip.
func (e *Engine) pushDraft(ctx context.Context, p *pushPass, items []*citizen.OutboxItem) {
	ahead := map[int64]*uploadAhead{}
	var wg sync.WaitGroup
	defer wg.Wait()
	for i, it := range items {
		if i == 0 || it.Kind != citizen.OutboxSubmission || it.LastCode == citizen.ELOCKED || len(it.Request.Data) == 0 {
			continue
		}
		u := &uploadAhead{done: make(chan struct{}), before: p.progress.Load()}
		ahead[it.ID] = u
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(u.done)
			u.data, u.err = e.uploadAttachments(ctx, it, func() { u.steps.Add(1); p.progress.Add(1) })
		}()
	}
	for _, it := range items {
		if p.stop.Load() || ctx.Err() != nil {
			return
		}
		if it.LastCode == citizen.ELOCKED && it.Kind == citizen.OutboxSubmission {
			msg := "This submission was saved with a key this device no longer has; please fill in the form again."
			if err := e.store.Reject(ctx, it.ID, nil, citizen.ELOCKED, msg); err != nil {
				p.fail(err)
				return
			}
			continue
		}
		err := e.sendItem(ctx, p, it, ahead[it.ID])
		if err == nil {
			p.progress.Add(1)
			continue
		}
		if ctx.Err() != nil {
			return
		}
		if isNetwork(err) {
			// Not the item's fault: no attempt is counted, and it goes
			// out as soon as the backend is back.
			p.record(err, true)
			p.stop.Store(true)
			return
		}
		if citizen.IsTransient(err) {
			// A refusal is the item's own business (the citizen sees it
			// on the item); only a failing backend makes the pass fail.
			p.record(err, false)
		}
		if err := e.fail(ctx, it, err); err != nil {
			p.fail(err)
			return
		}
		if citizen.IsTransient(err) {
			return // the draft's later items wait for this one
		}
	}
}

// uploadAhead is the upload of a submission's files, started before the
// submission's turn.
type uploadAhead struct {
	done   chan struct{}
	before int64        // the pass's progress when it started
	steps  atomic.Int64 // upload steps the backend confirmed
	data   json.RawMessage
	err    error
}

// sendItem sends one item (with its files uploaded ahead, if so). A
// connection that drops while other requests of the pass go through is a
// cut, not a lost network: the item is tried again at once, once (an
// upload resumes where the backend stands). A request that timed out is
// not: the link stalled for all of the timeout, and trying again at once
// would only wait as long again.
func (e *Engine) sendItem(ctx context.Context, p *pushPass, it *citizen.OutboxItem, ahead *uploadAhead) error {
	for retried := false; ; retried = true {
		before := p.progress.Load()
		var own int64
		step := func() { own++; p.progress.Add(1) }
		var err error
		switch it.Kind {
		case citizen.OutboxSubmission:
			var pre *uploadAhead
			if !retried {
				pre = ahead
			}
			err = e.sendSubmission(ctx, it, step, pre)
			if pre != nil {
				// The attempt began when its upload did.
				before = min(before, pre.before)
				own += pre.steps.Load()
			}
		case citizen.OutboxDraft:
			err = e.sendDraftCopy(ctx, it)
		}
		if err == nil || retried || !isNetwork(err) || isTimeout(err) || ctx.Err() != nil || p.stop.Load() {
			return err
		}
		if others := p.progress.Load() - before - own; others <= 0 {
			return err
		}
		e.log.Debug("a connection dropped while others went through; trying again at once", "item", it.ID, "err", err)
	}
}

// isTimeout reports whether err is a request that timed out.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// sendSubmission uploads the attachments the submission names (resuming
// where an earlier attempt stopped), or takes them from ahead, puts their
// upload ids into the data, and sends the submission under its idempotency
// key. step is called for every upload step the backend confirmed.
func (e *Engine) sendSubmission(ctx context.Context, it *citizen.OutboxItem, step func(), ahead *uploadAhead) error {
	req := it.Request
	if len(req.Data) > 0 {
		var data json.RawMessage
		var err error
		if ahead != nil {
			<-ahead.done
			data, err = ahead.data, ahead.err
		} else {
			data, err = e.uploadAttachments(ctx, it, step)
		}
		if err != nil {
			return err
		}
		req.Data = data
	}
	start := time.Now()
	cs, err := e.portal.Submit(ctx, it.IdempotencyKey, req)
	if err != nil {
		return err
	}
	e.pace.observeRTT(time.Since(start))
	return e.store.Acknowledge(ctx, it.ID, cs)
}

// uploadAttachments returns the submission's data with every attachment it
// names uploaded and its upload id filled in. The data keeps its shape, so a
// retry sends the same bytes and the backend sees the same request.
func (e *Engine) uploadAttachments(ctx context.Context, it *citizen.OutboxItem, step func()) (json.RawMessage, error) {
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
		if err := e.uploadOne(ctx, it, a, done, total, step); err != nil {
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

func (e *Engine) uploadOne(ctx context.Context, it *citizen.OutboxItem, a *citizen.Attachment, before, total int64, step func()) (err error) {
	// Its turn on the uplink first; only then its bytes into memory.
	done, err := e.pace.start(ctx, a.Size-a.UploadOffset)
	if err != nil {
		return err
	}
	defer func() { done(err == nil) }()
	b, err := e.store.AttachmentData(ctx, a.ID)
	if err != nil {
		return err
	}
	f := upload.File{Name: a.Name, Type: a.Type, SHA256: a.SHA256, Data: b, URL: a.UploadURL}
	u, err := e.uploads.Upload(ctx, f, func(p upload.Progress) error {
		step()
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
	start := time.Now()
	merged, err := e.portal.PutDraft(ctx, sent)
	if err != nil {
		return err
	}
	e.pace.observeRTT(time.Since(start))
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
