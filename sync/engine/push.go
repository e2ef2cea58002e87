package engine

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"

	"rathaus/api"
	"rathaus/app/citizen"
)

// The push's scheduling: which items go when, how many at once, and what
// a failure means for the rest. It knows no kind: each kind of outgoing
// item has a Sender in a file of its own (submission.go, draftcopy.go).

// A Sender sends the outbox items of one kind: what goes to the backend,
// how its answer is recorded in the store, and which failures end the
// item. The engine has one per kind (New, WithSender).
type Sender interface {
	// Send sends the item and records the backend's answer in the store.
	// It calls step for every part of the item the backend confirmed
	// before the last (an upload's chunk): the evidence that the link
	// works while a long item goes. It returns what it changed in the
	// store, also when it fails.
	Send(ctx context.Context, it *citizen.OutboxItem, step func()) (Changed, error)
	// Permanent reports whether a failure of Send ends the item (a refusal
	// the citizen has to act on); any other is tried again with backoff.
	// It is asked only about the backend's answers and ELOCKED: a failure
	// of the device itself never ends an item (push.go).
	Permanent(err error) bool
	// Refuse records that the item ended without success: refused for
	// good, or failed too often.
	Refuse(ctx context.Context, it *citizen.OutboxItem, r Refusal) (Changed, error)
}

// A Preparer is a Sender that can do part of an item's work before the
// item's turn: work that the backend keeps to itself until the item is
// sent (a submission's uploads). Send finds it done, in the store.
type Preparer interface {
	Prepare(ctx context.Context, it *citizen.OutboxItem, step func()) (Changed, error)
}

// Refusal is why an item ended without success, for the citizen.
type Refusal struct {
	Problem *api.Problem // the backend's problem details, if it sent any
	Code    string       // a citizen.Error code
	Message string       // for people, in English
}

// pushPass is the state one push shares between its workers.
type pushPass struct {
	// progress counts the steps the backend confirmed in this pass (items
	// done, upload chunks stored): the evidence that the link works.
	progress atomic.Int64
	// stop is set once the backend was not reached: no further item
	// starts.
	stop atomic.Bool

	mu      sync.Mutex
	errs    []error // transient failures of single items
	netErr  error   // the first failure to reach the backend
	fatal   error   // a failure of the store: the pass ends
	sent    map[citizen.OutboxKind]int
	failed  int
	changed Changed
}

// record counts an item that failed; one that failed for now (the
// backend not reached, or failing) also makes the pass fail.
func (p *pushPass) record(err error, network, transient bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failed++
	switch {
	case network && p.netErr == nil:
		p.netErr = err
	case network || !transient:
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

func (p *pushPass) change(c Changed) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.changed |= c
}

func (p *pushPass) done(k citizen.OutboxKind) {
	p.progress.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent[k]++
}

// push sends the due outbox items. Items of one draft go out in order, one
// after the other; up to e.parallel drafts go out at once, so that a weak
// link stays busy while a request waits for its answer, and a slow or
// failing item never holds up the others. A permanent refusal stops only
// its own item; a transient one stops the rest of its draft until the next
// pass. When the backend cannot be reached at all, no further item starts
// (the rest would fail the same way) and the pass reports it.
func (e *Engine) push(ctx context.Context, force bool) (outcome, error) {
	p := &pushPass{sent: map[citizen.OutboxKind]int{}}
	items, err := e.store.DueOutbox(ctx, e.now(), force)
	if err != nil || len(items) == 0 {
		return outcome{}, err
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
	out := outcome{sent: p.sent, failed: p.failed, changed: p.changed}
	switch {
	case ctx.Err() != nil:
		return out, ctx.Err()
	case p.fatal != nil:
		return out, p.fatal
	}
	return out, errors.Join(append([]error{p.netErr}, p.errs...)...)
}

// pushDraft sends one draft's items in order. What an item can do ahead
// (a submission's uploads) starts at once, beside the draft's earlier
// items: the backend keeps it to itself until the item names it, so the
// order of the items holds, and the link does not wait for an earlier
// item's round trip.
func (e *Engine) pushDraft(ctx context.Context, p *pushPass, items []*citizen.OutboxItem) {
	ahead := map[int64]*prepared{}
	var wg sync.WaitGroup
	defer wg.Wait()
	for i, it := range items {
		prep, ok := e.senders[it.Kind].(Preparer)
		if i == 0 || !ok || it.Locked {
			continue
		}
		u := &prepared{done: make(chan struct{}), before: p.progress.Load()}
		ahead[it.ID] = u
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(u.done)
			u.changed, u.err = prep.Prepare(ctx, it, func() { u.steps.Add(1); p.progress.Add(1) })
		}()
	}
	for _, it := range items {
		if p.stop.Load() || ctx.Err() != nil {
			return
		}
		s := e.senders[it.Kind]
		if s == nil {
			// Queued by a newer version of the app: it waits for one
			// that knows it, and so do the draft's later items.
			e.log.Warn("outbox: no sender for the item's kind; it waits", "item", it.ID, "kind", it.Kind)
			return
		}
		err := e.sendItem(ctx, p, s, it, ahead[it.ID])
		if err == nil {
			p.done(it.Kind)
			continue
		}
		if ctx.Err() != nil {
			return
		}
		if isNetwork(err) {
			// Not the item's fault: no attempt is counted, and it goes
			// out as soon as the backend is back.
			p.record(err, true, true)
			p.stop.Store(true)
			return
		}
		if !refusable(err) {
			// Only the backend's answer, or a payload this device can no
			// longer open, may end an item. A failure of the device itself
			// (its storage full or busy, a bug) may come after the backend
			// took the item, while its answer is recorded: refusing it
			// would park what the backend holds. The pass ends; the item
			// stays as it was, and its key gets the same case once the
			// device works again.
			p.fail(err)
			return
		}
		// A refusal is the item's own business (the citizen sees it on
		// the item); only a failing backend makes the pass fail.
		permanent := s.Permanent(err)
		p.record(err, false, !permanent)
		changed, err := e.fail(ctx, s, it, err, permanent)
		p.change(changed)
		if err != nil {
			p.fail(err)
			return
		}
		if !permanent {
			return // the draft's later items wait for this one
		}
	}
}

// prepared is what an item did ahead of its turn (Preparer).
type prepared struct {
	done    chan struct{}
	before  int64        // the pass's progress when it started
	steps   atomic.Int64 // steps the backend confirmed
	changed Changed
	err     error
}

// sendItem sends one item (with what it prepared ahead, if so). A
// connection that drops while other requests of the pass go through is a
// cut, not a lost network: the item is tried again at once, once (an
// upload resumes where the backend stands). A request that timed out is
// not: the link stalled for all of the timeout, and trying again at once
// would only wait as long again.
func (e *Engine) sendItem(ctx context.Context, p *pushPass, s Sender, it *citizen.OutboxItem, ahead *prepared) error {
	for retried := false; ; retried = true {
		before := p.progress.Load()
		var own int64
		var err error
		if ahead != nil && !retried {
			<-ahead.done
			// The attempt began when its preparation did.
			before = min(before, ahead.before)
			own += ahead.steps.Load()
			p.change(ahead.changed)
			err = ahead.err
		}
		if err == nil {
			var changed Changed
			changed, err = s.Send(ctx, it, func() { own++; p.progress.Add(1) })
			p.change(changed)
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

// fail records a failed attempt: refused at once if permanent, retried
// later with backoff (at least what the backend asked for) if not, and
// refused after too many.
func (e *Engine) fail(ctx context.Context, s Sender, it *citizen.OutboxItem, err error, permanent bool) (Changed, error) {
	code, msg := citizen.ErrorCode(err), citizen.ErrorMessage(err)
	if permanent {
		var p *api.Problem
		if re := responseError(err); re != nil {
			p = re.Problem
		}
		return s.Refuse(ctx, it, Refusal{Problem: p, Code: code, Message: msg})
	}
	if it.Attempts+1 >= e.maxAttempts {
		return s.Refuse(ctx, it, Refusal{Code: code,
			Message: "The town hall's server kept failing; the app stopped trying. Please send it again later."})
	}
	wait := max(e.backoff.Delay(it.Attempts), retryAfterOf(err))
	return ChangedOutbox, e.store.Retry(ctx, it.ID, e.now().Add(wait), code, msg)
}
