// Package engine is the app's sync engine: it registers the device, pushes
// the outbox to the backend (each kind of item by its Sender: submissions
// with their attachments, exactly once; draft copies for the account's
// other devices) and pulls the catalog, forms and the changes feed. One
// goroutine (Run) owns the schedule; SyncNow asks it for a pass, and Sync
// runs one synchronously for tests.
package engine

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// Store is what the engine needs of the local database: the schedule's
// part here, each kind's in its file.
type Store interface {
	InstallID() string
	Catalog(ctx context.Context) (cat api.Catalog, etag, source string, err error)
	SaveCatalog(ctx context.Context, c api.Catalog, etag, source string) error
	HasForm(ctx context.Context, ref api.FormRef) (bool, error)
	SaveForm(ctx context.Context, ref api.FormRef, body []byte) error
	SyncValue(ctx context.Context, key string) (string, error)
	SetSyncValue(ctx context.Context, key, value string) error
	ApplyChanges(ctx context.Context, changes []api.Change, cursor string) (applied store.Applied, err error)

	DueOutbox(ctx context.Context, now time.Time, all bool) ([]*citizen.OutboxItem, error)
	Retry(ctx context.Context, itemID int64, next time.Time, code, message string) error

	submissionStore
	draftCopyStore
	reportStore
	noticeStore
	bookingStore
	openDataStore
	pollAnswerStore
}

// Portal is what the engine needs of the backend's portal API: the
// schedule's and the pull's part here, each kind's in its file.
type Portal interface {
	Health(ctx context.Context) error
	Catalog(ctx context.Context, etag string) (cat api.Catalog, newETag string, changed bool, err error)
	Form(ctx context.Context, ref api.FormRef) ([]byte, error)
	RegisterDevice(ctx context.Context, req api.DeviceRequest) (api.Device, error)
	RegisterDeviceKey(ctx context.Context, req api.DeviceKeyRequest) error
	SetToken(token string)
	Changes(ctx context.Context, cursor string, limit int) (api.Changes, error)

	submissionPortal
	draftCopyPortal
	reportPortal
	noticePortal
	bookingPortal
	openDataPortal
	pollAnswerPortal
}

// Uploader sends attachments by the tus protocol, with the device's
// credential once there is one (SetToken), as the portal client: the
// backend lets only the device that created an upload resume it or name
// it in a submission.
type Uploader interface {
	Upload(ctx context.Context, f upload.File, save func(upload.Progress) error) (string, error)
	SetToken(token string)
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
	store   Store
	portal  Portal
	uploads Uploader
	secrets Secrets
	log     *slog.Logger
	now     func() time.Time

	interval    time.Duration // between passes when all is well
	backoff     Backoff       // between passes, and per item, after failures
	maxAttempts int           // transient failures before an item is parked
	parallel    int           // drafts whose items go out at once

	pace    *pacer // spaces the uploads on the uplink (real time)
	senders map[citizen.OutboxKind]Sender

	unsaved api.Device // registered, but not yet in the secret store (guarded by passMu)
	signer  *signer    // the device's signing key, once the backend knows it

	kick   chan struct{} // a new item waits
	force  chan struct{} // the citizen asked for a pass (SyncNow)
	passMu sync.Mutex    // one pass at a time, from Run or from Sync

	notifyMu  sync.Mutex // listeners see the statuses in order
	mu        sync.Mutex
	status    Status
	listeners []func(Status)
	news      []func([]citizen.News)
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

// WithSender makes s send the outbox items of kind k (beside, or instead
// of, the engine's own senders of submissions and draft copies).
func WithSender(k citizen.OutboxKind, s Sender) Option { return func(e *Engine) { e.senders[k] = s } }

// New returns an engine syncing st with the backend behind p (portal API)
// and u (uploads), keeping the device credential in sec; call Run to start
// its schedule.
func New(st Store, p Portal, u Uploader, sec Secrets, opts ...Option) *Engine {
	e := &Engine{
		store:       st,
		portal:      p,
		uploads:     u,
		secrets:     sec,
		log:         slog.Default(),
		now:         time.Now,
		interval:    2 * time.Minute,
		backoff:     Backoff{Base: time.Second, Cap: 5 * time.Minute},
		maxAttempts: 30,
		parallel:    4,
		pace:        newPacer(time.Now),
		signer:      new(signer),
		senders:     map[citizen.OutboxKind]Sender{},
		kick:        make(chan struct{}, 1),
		force:       make(chan struct{}, 1),
	}
	for _, o := range opts {
		o(e)
	}
	own := map[citizen.OutboxKind]Sender{
		citizen.OutboxSubmission:    &submissionSender{store: st, portal: p, uploads: u, pace: e.pace, signer: e.signer},
		citizen.OutboxDraft:         &draftCopySender{store: st, portal: p, pace: e.pace},
		citizen.OutboxReport:        &reportSender{store: st, portal: p, uploads: u, pace: e.pace},
		citizen.OutboxBooking:       &bookingSender{store: st, portal: p},
		citizen.OutboxBookingCancel: &bookingCancelSender{store: st, portal: p},
		citizen.OutboxPollAnswer:    &pollAnswerSender{store: st, portal: p},
	}
	for k, s := range own {
		if e.senders[k] == nil {
			e.senders[k] = s
		}
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

// OnChange registers f to be called on every status change, in order,
// from the goroutine that made it (the engine's, or SyncNow's caller): f
// must not block, nor call SyncNow.
func (e *Engine) OnChange(f func(Status)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.listeners = append(e.listeners, f)
}

// OnNews registers f to be told the steps the town took on the device's
// cases and reports, once each, as the changes feed brought them (after
// they are stored): for notifications. f must not block.
func (e *Engine) OnNews(f func([]citizen.News)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.news = append(e.news, f)
}

// tellNews hands news to OnNews's listeners.
func (e *Engine) tellNews(news []citizen.News) {
	e.mu.Lock()
	fs := append([]func([]citizen.News){}, e.news...)
	e.mu.Unlock()
	for _, f := range fs {
		f(news)
	}
}

// update changes the status and tells the listeners.
func (e *Engine) update(change func(*Status)) {
	e.notifyMu.Lock()
	defer e.notifyMu.Unlock()
	e.mu.Lock()
	change(&e.status)
	s, ls := e.status, append([]func(Status){}, e.listeners...)
	e.mu.Unlock()
	for _, f := range ls {
		f(s)
	}
}

// Kick tells the engine that a new outbox item waits; it never blocks.
func (e *Engine) Kick() { signal(e.kick) }

// SyncNow asks the engine's loop (Run) for a pass now, with every pending
// item whatever its backoff, as the citizen's "Sync now"; it never blocks.
// The status says Requested until that pass starts.
func (e *Engine) SyncNow() {
	e.update(func(s *Status) { s.Requested, s.Changed = true, 0 })
	signal(e.force)
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Run owns the schedule until ctx ends: a pass at start, then one per
// interval, on Kick and on SyncNow; after a failed pass it waits with
// backoff, and while offline it probes the backend's health cheaply before
// trying the outbox again (every pending item at once, when it is back).
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
		case <-e.force:
			force = true
		case <-timer.C:
			if e.Status().State == Offline {
				err := e.portal.Health(ctx)
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					e.update(func(s *Status) { s.Err, s.LastAttempt, s.Changed = err, e.now(), 0 })
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
// and returns when it is done: for tests, beside or instead of Run.
func (e *Engine) Sync(ctx context.Context) error { return e.pass(ctx, true) }

func (e *Engine) pass(ctx context.Context, force bool) error {
	e.passMu.Lock()
	defer e.passMu.Unlock()
	e.update(func(s *Status) {
		s.State, s.Changed = Syncing, 0
		if force {
			s.Requested = false
		}
	})
	var pulled, pushed outcome
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
			pulled, pullErr = e.pull(ctx)
		}()
		pushed, pushErr = e.push(ctx, force)
		wg.Wait()
		err = errors.Join(pullErr, pushErr)
	}
	e.update(func(s *Status) {
		now := e.now()
		s.Err, s.LastAttempt, s.Changed = err, now, pulled.changed|pushed.changed
		s.Last = PassSummary{Sent: pushed.sent, Failed: pushed.failed, Received: pulled.received}
		switch {
		case err == nil:
			s.State, s.LastSuccess = Idle, now
		case isNetwork(err):
			s.State = Offline
		default:
			s.State = Error
		}
	})
	return err
}

// isNetwork reports whether err means the backend was not reached at all.
func isNetwork(err error) bool {
	var re *portal.ResponseError
	var ue *upload.Error
	return errors.As(err, &re) && re.Network || errors.As(err, &ue) && ue.Network
}

// refusable reports whether a failure may end an item: the backend
// answered (a refusal, or trouble worth a retry with backoff), or the
// item's sealed data cannot be opened on this device any more.
func refusable(err error) bool {
	var re *portal.ResponseError
	var ue *upload.Error
	return errors.As(err, &re) || errors.As(err, &ue) || citizen.ErrorCode(err) == citizen.ELOCKED
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
