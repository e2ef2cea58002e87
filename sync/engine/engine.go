// Package engine is the app's sync engine: it pushes the outbox to the
// backend exactly once per submission and pulls the catalog and forms. One
// goroutine (Run) owns the schedule; Sync runs one pass synchronously for
// tests and for "sync now".
package engine

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
	"rathaus/app/store"
	"rathaus/sync/portal"
)

// Store is what the engine needs of the local database.
type Store interface {
	Catalog(ctx context.Context) (api.Catalog, string, string, error)
	SaveCatalog(ctx context.Context, c api.Catalog, etag, source string) error
	HasForm(ctx context.Context, ref api.FormRef) (bool, error)
	SaveForm(ctx context.Context, ref api.FormRef, body []byte) error
	DueOutbox(ctx context.Context, now time.Time, all bool) ([]*citizen.OutboxItem, error)
	Acknowledge(ctx context.Context, itemID int64, c api.Case) error
	Reject(ctx context.Context, itemID int64, p *api.Problem, code, message string) error
	Retry(ctx context.Context, itemID int64, next time.Time, code, message string) error
}

// Portal is what the engine needs of the backend.
type Portal interface {
	Health(ctx context.Context) error
	Catalog(ctx context.Context, etag string) (api.Catalog, string, bool, error)
	Form(ctx context.Context, ref api.FormRef) ([]byte, error)
	Submit(ctx context.Context, key string, req api.SubmissionRequest) (api.Case, error)
}

var (
	_ Store  = (*store.Store)(nil)
	_ Portal = (*portal.Client)(nil)
)

// Engine syncs one store with one backend.
type Engine struct {
	store  Store
	portal Portal
	log    *slog.Logger
	now    func() time.Time

	interval    time.Duration // between passes when all is well
	backoff     Backoff       // between passes, and per item, after failures
	maxAttempts int           // transient failures before an item is parked

	kick   chan struct{}
	online chan struct{}
	passMu sync.Mutex // one pass at a time, from Run or from Sync

	mu        sync.Mutex
	status    Status
	listeners []func(Status)
}

// Option configures an Engine.
type Option func(*Engine)

// WithClock makes the engine read the time from now.
func WithClock(now func() time.Time) Option { return func(e *Engine) { e.now = now } }

// WithInterval sets the time between passes when nothing fails (default 2 min).
func WithInterval(d time.Duration) Option { return func(e *Engine) { e.interval = d } }

// WithBackoff sets the retry delays (default base 1 s, cap 5 min).
func WithBackoff(b Backoff) Option { return func(e *Engine) { e.backoff = b } }

// WithMaxAttempts sets how many transient failures an item may have before
// it is parked for the citizen to send again (default 30).
func WithMaxAttempts(n int) Option { return func(e *Engine) { e.maxAttempts = n } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(e *Engine) { e.log = l } }

// New returns an engine; call Run to start its schedule.
func New(st Store, p Portal, opts ...Option) *Engine {
	e := &Engine{
		store:       st,
		portal:      p,
		log:         slog.Default(),
		now:         time.Now,
		interval:    2 * time.Minute,
		backoff:     Backoff{Base: time.Second, Cap: 5 * time.Minute},
		maxAttempts: 30,
		kick:        make(chan struct{}, 1),
		online:      make(chan struct{}, 1),
	}
	for _, o := range opts {
		o(e)
	}
	e.status.State = Idle
	return e
}

// Status returns the engine's current status.
func (e *Engine) Status() Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.status
}

// OnChange registers f to be called (from the engine's goroutine) on every
// status change.
func (e *Engine) OnChange(f func(Status)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.listeners = append(e.listeners, f)
}

func (e *Engine) setStatus(st State, err error) {
	e.mu.Lock()
	e.status.State, e.status.Err = st, err
	if st == Idle {
		e.status.LastSuccess = e.now()
	}
	s, ls := e.status, append([]func(Status){}, e.listeners...)
	e.mu.Unlock()
	for _, f := range ls {
		f(s)
	}
}

// Kick tells the engine that a new outbox item waits; it never blocks.
func (e *Engine) Kick() { signal(e.kick) }

// ConnectivityBack tells the engine that the network returned: it retries
// every pending item at once, whatever their backoff.
func (e *Engine) ConnectivityBack() { signal(e.online) }

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Run owns the schedule until ctx ends: a pass at start, then one per
// interval, on Kick and on ConnectivityBack; after a failed pass it waits
// with backoff, and while offline it probes the backend's health cheaply
// before trying the outbox again.
func (e *Engine) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	failures := 0
	for {
		force := false
		select {
		case <-ctx.Done():
			return
		case <-e.kick:
		case <-e.online:
			force = true
		case <-timer.C:
			if e.Status().State == Offline {
				if err := e.portal.Health(ctx); err != nil {
					timer.Reset(e.probeDelay(failures))
					failures++
					continue
				}
				force = true // it is back: retry everything now
			}
		}
		err := e.pass(ctx, force)
		if ctx.Err() != nil {
			return
		}
		next := e.interval
		switch {
		case err != nil && isNetwork(err):
			next = e.probeDelay(failures)
			failures++
		case err != nil:
			next = e.backoff.Delay(failures)
			failures++
		default:
			failures = 0
		}
		timer.Reset(next)
	}
}

// maxProbeWait caps the wait between health probes while offline: a probe
// costs one tiny request, and the citizen waits for the outbox to go once
// the connection is back.
const maxProbeWait = 30 * time.Second

func (e *Engine) probeDelay(failures int) time.Duration {
	b := e.backoff
	b.Cap = min(b.Cap, maxProbeWait)
	return b.Delay(failures)
}

// Sync runs one pass now, retrying every pending item whatever its backoff,
// and returns when it is done.
func (e *Engine) Sync(ctx context.Context) error { return e.pass(ctx, true) }

func (e *Engine) pass(ctx context.Context, force bool) error {
	e.passMu.Lock()
	defer e.passMu.Unlock()
	e.setStatus(Syncing, nil)
	err := e.pull(ctx)
	if err == nil || !isNetwork(err) {
		// The catalog failing on the server's side must not hold back
		// the citizen's submissions.
		err = errors.Join(err, e.push(ctx, force))
	}
	switch {
	case err == nil:
		e.setStatus(Idle, nil)
	case isNetwork(err):
		e.setStatus(Offline, err)
	default:
		e.setStatus(Error, err)
	}
	return err
}

// isNetwork reports whether err means the backend was not reached at all.
func isNetwork(err error) bool {
	var re *portal.ResponseError
	return errors.As(err, &re) && re.Network
}

// pull refreshes the catalog (one 304 when unchanged) and fetches the forms
// it names that are not on the device yet; form versions never change, so a
// cached one is never fetched again. A form that failed to arrive is tried
// again on the next pass, even when the catalog is unchanged.
func (e *Engine) pull(ctx context.Context) error {
	cat, etag, source, err := e.store.Catalog(ctx)
	if err != nil && citizen.ErrorCode(err) != citizen.ENOTFOUND {
		return err
	}
	if source != store.SourceBackend {
		etag = "" // the demo catalog is no version of this backend's
	}
	fresh, newETag, changed, err := e.portal.Catalog(ctx, etag)
	if err != nil {
		return err
	}
	if changed {
		cat = fresh
	}
	var errs []error
	for _, s := range cat.Services {
		if err := e.fetchForm(ctx, s.Form); err != nil {
			if isNetwork(err) {
				return err
			}
			errs = append(errs, err)
		}
	}
	if changed {
		if err := e.store.SaveCatalog(ctx, cat, newETag, store.SourceBackend); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}

func (e *Engine) fetchForm(ctx context.Context, ref api.FormRef) error {
	has, err := e.store.HasForm(ctx, ref)
	if err != nil || has {
		return err
	}
	body, err := e.portal.Form(ctx, ref)
	if err != nil {
		return err
	}
	if _, err := formschema.Parse(body); err != nil {
		// A malformed form is refused; the rest of the catalog still works.
		e.log.Warn("refusing a malformed form", "form", ref.ID, "version", ref.Version, "err", err)
		return err
	}
	return e.store.SaveForm(ctx, ref, body)
}

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
		if it.LastCode == citizen.ELOCKED {
			msg := "This submission was saved with a key this device no longer has; please fill in the form again."
			if err := e.store.Reject(ctx, it.ID, nil, citizen.ELOCKED, msg); err != nil {
				return err
			}
			continue
		}
		cs, err := e.portal.Submit(ctx, it.IdempotencyKey, it.Request)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			if err := e.store.Acknowledge(ctx, it.ID, cs); err != nil {
				return err
			}
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

// fail records a failed attempt: retried later if transient, parked after
// too many, rejected at once if permanent.
func (e *Engine) fail(ctx context.Context, it *citizen.OutboxItem, err error) error {
	code, msg := citizen.ErrorCode(err), citizen.ErrorMessage(err)
	var re *portal.ResponseError
	errors.As(err, &re)
	if !citizen.IsTransient(err) {
		var p *api.Problem
		if re != nil {
			p = re.Problem
		}
		return e.store.Reject(ctx, it.ID, p, code, msg)
	}
	if it.Attempts+1 >= e.maxAttempts {
		return e.store.Reject(ctx, it.ID, nil, code,
			"The town hall's server kept failing; the app stopped trying. Please send it again later.")
	}
	wait := e.backoff.Delay(it.Attempts)
	if re != nil && re.RetryAfter > wait {
		wait = re.RetryAfter
	}
	return e.store.Retry(ctx, it.ID, e.now().Add(wait), code, msg)
}
