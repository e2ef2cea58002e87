// Package engine is the app's sync engine: it registers the device, pushes
// the outbox to the backend (attachments by resumable upload, then the
// submission, exactly once; draft copies for the account's other devices)
// and pulls the catalog, forms and the changes feed. One goroutine (Run)
// owns the schedule; Sync runs one pass synchronously for tests and for
// "sync now".
package engine

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// Store is what the engine needs of the local database.
type Store interface {
	InstallID() string
	Catalog(ctx context.Context) (api.Catalog, string, string, error)
	SaveCatalog(ctx context.Context, c api.Catalog, etag, source string) error
	HasForm(ctx context.Context, ref api.FormRef) (bool, error)
	SaveForm(ctx context.Context, ref api.FormRef, body []byte) error
	SyncValue(ctx context.Context, key string) (string, error)
	SetSyncValue(ctx context.Context, key, value string) error
	ApplyChanges(ctx context.Context, changes []api.Change, cursor string) (bool, error)

	DueOutbox(ctx context.Context, now time.Time, all bool) ([]*citizen.OutboxItem, error)
	Acknowledge(ctx context.Context, itemID int64, c api.Case) error
	Reject(ctx context.Context, itemID int64, p *api.Problem, code, message string) error
	Retry(ctx context.Context, itemID int64, next time.Time, code, message string) error
	SetProgress(ctx context.Context, itemID, progress, total int64) error

	Attachments(ctx context.Context, draftID string) ([]*citizen.Attachment, error)
	AttachmentData(ctx context.Context, id string) ([]byte, error)
	SetAttachmentUpload(ctx context.Context, id, url string, offset int64, done bool) error

	DraftCopy(ctx context.Context, draftID string) (api.DraftCopy, bool, error)
	AckDraftCopy(ctx context.Context, itemID int64, sent, merged api.DraftCopy) error
}

// Portal is what the engine needs of the backend's portal API.
type Portal interface {
	Health(ctx context.Context) error
	Catalog(ctx context.Context, etag string) (api.Catalog, string, bool, error)
	Form(ctx context.Context, ref api.FormRef) ([]byte, error)
	Submit(ctx context.Context, key string, req api.SubmissionRequest) (api.Case, error)
	RegisterDevice(ctx context.Context, req api.DeviceRequest) (api.Device, error)
	SetToken(token string)
	Changes(ctx context.Context, cursor string, limit int) (api.Changes, error)
	PutDraft(ctx context.Context, d api.DraftCopy) (api.DraftCopy, error)
}

// Uploader sends attachments by the tus protocol.
type Uploader interface {
	Upload(ctx context.Context, f upload.File, save func(upload.Progress) error) (string, error)
}

// Secrets keeps the device credential (the OS keyring, or a key file
// where there is none); Get returns secrets.ErrNotFound for a missing one.
type Secrets interface {
	Get(name string) (string, error)
	Set(name, value string) error
}

var (
	_ Store    = (*store.Store)(nil)
	_ Portal   = (*portal.Client)(nil)
	_ Uploader = (*upload.Client)(nil)
	_ Secrets  = (*secrets.Keychain)(nil)
)

// Engine syncs one store with one backend.
type Engine struct {
	store    Store
	portal   Portal
	uploads  Uploader
	secrets  Secrets
	platform string // sent at device registration
	log      *slog.Logger
	now      func() time.Time

	interval    time.Duration // between passes when all is well
	backoff     Backoff       // between passes, and per item, after failures
	maxAttempts int           // transient failures before an item is parked
	parallel    int           // drafts whose items go out at once

	pace *pacer // spaces the uploads on the uplink (real time)

	unsaved api.Device // registered, but not yet in the secret store (guarded by passMu)

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

// WithParallel sets how many drafts' outbox items go out at once (default
// 4; items of one draft always go one after the other). On a weak link a
// few at once keep it busy while each request waits for its answer; one
// makes the engine strictly sequential.
func WithParallel(n int) Option { return func(e *Engine) { e.parallel = max(n, 1) } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(e *Engine) { e.log = l } }

// WithPlatform names the platform at device registration (default: GOOS).
func WithPlatform(p string) Option { return func(e *Engine) { e.platform = p } }

// New returns an engine syncing st with the backend behind p (portal API)
// and u (uploads), keeping the device credential in sec; call Run to start
// its schedule.
func New(st Store, p Portal, u Uploader, sec Secrets, opts ...Option) *Engine {
	e := &Engine{
		store:       st,
		portal:      p,
		uploads:     u,
		secrets:     sec,
		platform:    runtime.GOOS,
		log:         slog.Default(),
		now:         time.Now,
		interval:    2 * time.Minute,
		backoff:     Backoff{Base: time.Second, Cap: 5 * time.Minute},
		maxAttempts: 30,
		parallel:    4,
		pace:        newPacer(time.Now),
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
	err := e.ensureDevice(ctx)
	if err == nil {
		// The pull and the push go at once: neither needs the other, and
		// on a weak link the pull's round trips would otherwise keep the
		// push waiting. A failing catalog never holds back the citizen's
		// submissions.
		var pullErr, pushErr error
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			pullErr = e.pull(ctx)
		}()
		pushErr = e.push(ctx, force)
		wg.Wait()
		err = errors.Join(pullErr, pushErr)
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
	var ue *upload.Error
	return errors.As(err, &re) && re.Network || errors.As(err, &ue) && ue.Network
}

// isStatus reports whether err is the backend answering with status.
func isStatus(err error, status int) bool {
	var re *portal.ResponseError
	return errors.As(err, &re) && re.Status == status
}

func responseError(err error) *portal.ResponseError {
	var re *portal.ResponseError
	if errors.As(err, &re) {
		return re
	}
	return nil
}

// retryAfterOf is the wait the backend asked for, from either client.
func retryAfterOf(err error) time.Duration {
	if re := responseError(err); re != nil {
		return re.RetryAfter
	}
	var ue *upload.Error
	if errors.As(err, &ue) {
		return ue.RetryAfter
	}
	return 0
}
