package kiosk

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/kiosk"
	"rathaus/sync/engine"
	"rathaus/ui/kit"
)

// PIN is the staff PIN that leaves kiosk mode (app/kiosk.PIN).
type PIN interface {
	IsSet(ctx context.Context) (bool, error)
	Set(ctx context.Context, pin string) error
	Check(ctx context.Context, pin string) error
}

// Sessions starts the citizens' sessions (app/kiosk.Sessions), and ends
// those an earlier end could not finish.
type Sessions interface {
	Start(ctx context.Context) (*kiosk.Session, error)
	Sweep(ctx context.Context) error
}

// Handoffs is the backend's side of a handoff to a phone (the portal
// client).
type Handoffs interface {
	CreateHandoff(ctx context.Context, ciphertext []byte) (api.Handoff, error)
	HandoffState(ctx context.Context, id string) (api.Handoff, error)
}

// StaffLogin is the staff's sign-in with the device grant (RFC 8628):
// the code and address to show, and a wait that returns once staff
// confirmed on their own device. StaffAccount (sync/login's staff
// sign-in) provides it; without it, the staff PIN is the only way out.
type StaffLogin interface {
	StartDeviceLogin(ctx context.Context) (StaffCode, func(context.Context) error, error)
}

// StaffCode is what the staff sign-in shows: the code, the address to
// type it at and, for the QR code, the address that carries it ("" when
// the provider gives none).
type StaffCode struct {
	UserCode, VerificationURI, VerificationURIComplete string
}

// Engine is the kiosk's sync engine, which sends what citizens submitted
// (carried into the kiosk's own database) and whose other services the
// session's screens use.
type Engine interface {
	Kick()
	SyncNow()
	Status() engine.Status
	OnChange(func(engine.Status))
	OnNews(func([]citizen.News))
	RefreshReports(ctx context.Context) error
	RefreshAppointments(ctx context.Context, service, office string) error
	RefreshOpenData(ctx context.Context) error
	RefreshReportHistory(ctx context.Context, reportID string) (changed bool, err error)
	// The polls and their results are fetched into the kiosk's database,
	// not a session's: a session's Mitreden shows none (answers made in a
	// session would be deleted with it anyway).
	RefreshPolls(ctx context.Context) error
	RefreshPollResults(ctx context.Context, poll string) error
}

var _ Engine = (*engine.Engine)(nil)

// Screens builds the app's screens on a session's store into the kiosk's
// window, each content wrapped by frame (the session bar); stop saves what
// waits and stops them. main wires it to ui.New.
type Screens func(s *kiosk.Session, sync *SessionSync, w fyne.Window, frame func(fyne.CanvasObject) fyne.CanvasObject) (stop func())

// Deps are what kiosk mode is built on.
type Deps struct {
	Window   fyne.Window
	PIN      PIN
	Sessions Sessions
	Engine   Engine
	Handoffs Handoffs
	Screens  Screens
	// Staff, when set, offers the device-grant sign-in beside the PIN.
	Staff StaffLogin
	// Idle ends a session without a touch (kiosk.DefaultIdle if 0).
	Idle time.Duration
	// Now is the clock of the countdown (nil: time.Now).
	Now func() time.Time
	// SwitchLanguage switches the app's language (kit.SetLanguage if nil).
	SwitchLanguage func(code string) error
	// SendWait is how long "Done" waits for the case numbers (5 s if 0).
	SendWait time.Duration
	// OnLeave is called when staff left kiosk mode with the PIN.
	OnLeave func()
	// Tick, when false, starts no ticker: tests call Tick themselves.
	NoTicker bool
}

// Kiosk runs kiosk mode in its window: the PIN's setup on the first start,
// the start screen, one citizen session at a time, the receipt.
type Kiosk struct {
	d   Deps
	win fyne.Window

	mu      sync.Mutex
	session *kiosk.Session
	sync    *SessionSync
	stop    func()
	idle    *kiosk.Idle
	bar     *Bar
	warning *Warning
	receipt *Receipt
	ending  bool
	// homeLang is the kiosk's language at its start: each session ends
	// back in it, so that the next citizen does not meet the last one's.
	homeLang string
}

// New takes over the window: full screen, no way to close it without the
// staff PIN, large type (the session's screens), the start screen or, on
// the first start, the PIN's setup.
func New(d Deps) *Kiosk {
	if d.Idle == 0 {
		d.Idle = kiosk.DefaultIdle
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.SendWait == 0 {
		d.SendWait = 5 * time.Second
	}
	if d.SwitchLanguage == nil {
		d.SwitchLanguage = kit.SetLanguage
	}
	k := &Kiosk{d: d, win: d.Window, homeLang: kit.Lang()}
	k.win.SetFullScreen(true)
	k.win.SetCloseIntercept(k.onClose)
	// The kiosk's engine tells every pass to the session on screen.
	d.Engine.OnChange(func(st engine.Status) {
		k.mu.Lock()
		s := k.sync
		k.mu.Unlock()
		if s != nil {
			s.changed(st)
		}
	})
	d.Engine.OnNews(func(n []citizen.News) {
		k.mu.Lock()
		s := k.sync
		k.mu.Unlock()
		if s != nil {
			s.news(n)
		}
	})
	return k
}

// Show puts the first screen up: the PIN's setup if staff set none yet,
// else the start screen.
func (k *Kiosk) Show() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	set, err := k.d.PIN.IsSet(ctx)
	if err != nil {
		slog.Error("kiosk: the staff PIN cannot be read", "err", err)
	}
	if !set {
		applyTextSize(sessionTextSize)
		setup := NewPINSetup(k.d.PIN, k.showStart)
		k.win.SetContent(setup.Content())
		setup.Focus(k.win.Canvas())
		return
	}
	k.showStart()
}

// Run ticks the countdown every second until ctx ends.
func (k *Kiosk) Run(ctx context.Context) {
	if k.d.NoTicker {
		return
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fyne.Do(k.Tick)
		}
	}
}

func (k *Kiosk) showStart() {
	applyTextSize(sessionTextSize) // a session's look may have stayed
	k.win.SetContent(NewStart(k.onLanguage, k.onStart, k.onStaff).Content())
}

func (k *Kiosk) onLanguage(code string) {
	if err := k.d.SwitchLanguage(code); err != nil {
		kit.ShowMessage(lang.L("Language"), kit.Wrapped(kit.ErrorText(err)), lang.L("OK"), k.win)
		return
	}
	k.showStart()
}

// onStart begins a citizen's session and puts the app's screens up.
func (k *Kiosk) onStart() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// A session whose end failed (its submission could not be carried)
	// is tried again first.
	if err := k.d.Sessions.Sweep(ctx); err != nil {
		slog.Error("kiosk: an earlier session could not be ended", "err", err)
	}
	s, err := k.d.Sessions.Start(ctx)
	if err != nil {
		slog.Error("kiosk: a session cannot start", "err", err)
		kit.ShowMessage(lang.L("The session cannot start"), kit.Wrapped(kit.ErrorText(err)), lang.L("OK"), k.win)
		return
	}
	// Large type by default; the session's settings are the citizen's.
	_ = s.Store.SetSetting(ctx, settingTextSize, "150")
	k.mu.Lock()
	k.session = s
	k.sync = newSessionSync(k.d.Engine, s, k.touch)
	k.idle = kiosk.NewIdle(k.d.Idle, k.d.Now)
	k.ending = false
	sync := k.sync
	k.mu.Unlock()
	k.warning = nil
	k.stop = k.d.Screens(s, sync, k.win, k.frame)
}

// settingTextSize is ui/settings' key of the text size, in percent.
const settingTextSize = "ui.text_size"

// frame wraps the app's screens in the session bar: built anew with every
// content (a language switch builds the screens again).
func (k *Kiosk) frame(content fyne.CanvasObject) fyne.CanvasObject {
	k.bar = NewBar(k.win, k.d.Handoffs, k.session, k.onDone, k.touch)
	return k.bar.Frame(content, k.touch)
}

// touch restarts the countdown (any input of the citizen).
func (k *Kiosk) touch() {
	k.mu.Lock()
	idle := k.idle
	k.mu.Unlock()
	if idle != nil {
		idle.Touch()
	}
}

// Tick checks the countdown: the warning in its last seconds, the end of
// the session at zero. On the UI goroutine.
func (k *Kiosk) Tick() {
	k.mu.Lock()
	idle, ending := k.idle, k.ending
	k.mu.Unlock()
	if idle == nil || ending {
		return
	}
	phase, left := idle.Check()
	if k.receipt != nil { // the receipt goes quietly, after a while
		if phase == kiosk.Expired {
			k.onReceiptDone()
		}
		return
	}
	switch phase {
	case kiosk.Active:
		if k.warning != nil {
			k.warning.Hide()
			k.warning = nil
		}
	case kiosk.Warning:
		if k.warning == nil {
			k.warning = ShowWarning(k.win, func() { k.touch(); k.Tick() })
		}
		k.warning.SetLeft(left)
	case kiosk.Expired:
		if k.warning != nil {
			k.warning.Hide()
			k.warning = nil
		}
		k.endSession()
	}
}

// onDone is the citizen's "Done".
func (k *Kiosk) onDone() { k.endSession() }

// endSession carries what was submitted to the kiosk and gives the
// kiosk's engine a few seconds to get the case numbers, then wipes the
// session and shows the receipt (if there is something to take away) or
// the start screen. The waiting runs off the UI goroutine.
func (k *Kiosk) endSession() {
	k.mu.Lock()
	s, stop := k.session, k.stop
	if s == nil || k.ending {
		k.mu.Unlock()
		return
	}
	k.ending = true
	k.sync = nil // the engine's passes no longer reach the closing session
	k.mu.Unlock()
	if stop != nil {
		stop()
	}
	k.win.SetContent(container.NewCenter(kit.Heading(lang.L("One moment: your session is being closed …"))))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		k.awaitCases(ctx, s)
		receipts, err := s.End(ctx)
		if err != nil {
			slog.Error("kiosk: the session did not end cleanly", "err", err)
		}
		k.d.Engine.Kick()
		fyne.Do(func() { k.ended(receipts) })
	}()
}

// awaitCases carries what was submitted and waits up to SendWait for the
// kiosk's engine to bring its case numbers (when online, a second or two).
func (k *Kiosk) awaitCases(ctx context.Context, s *kiosk.Session) {
	if err := s.Carry(ctx); err != nil {
		return
	}
	rs, err := s.Receipts(ctx)
	if err != nil || len(rs) == 0 {
		return
	}
	k.d.Engine.SyncNow()
	deadline := k.d.Now().Add(k.d.SendWait)
	for {
		rs, err := s.Receipts(ctx)
		waiting := err != nil
		for _, r := range rs {
			waiting = waiting || r.CaseNumber == ""
		}
		if !waiting || !k.d.Now().Before(deadline) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (k *Kiosk) ended(receipts []kiosk.Receipt) {
	k.mu.Lock()
	k.session, k.sync, k.stop, k.idle, k.bar = nil, nil, nil, nil, nil
	k.mu.Unlock()
	if len(receipts) == 0 {
		k.restoreLanguage()
		k.showStart()
		return
	}
	// The receipt stays until tapped away, or for as long as a session
	// would without a touch.
	k.mu.Lock()
	k.idle = kiosk.NewIdle(k.d.Idle, k.d.Now)
	k.ending = false
	k.mu.Unlock()
	k.receipt = NewReceipt(receipts, k.onReceiptDone)
	k.win.SetContent(k.receipt.Content())
}

func (k *Kiosk) onReceiptDone() {
	k.mu.Lock()
	k.idle = nil
	k.mu.Unlock()
	k.receipt = nil
	k.restoreLanguage()
	k.showStart()
}

// restoreLanguage goes back to the kiosk's language after a session (the
// receipt is still in the citizen's).
func (k *Kiosk) restoreLanguage() {
	if kit.Lang() == k.homeLang {
		return
	}
	if err := k.d.SwitchLanguage(k.homeLang); err != nil {
		slog.Warn("kiosk: the kiosk's language cannot be restored", "err", err)
	}
}

// onClose: the window's close button (or the system's) asks for the
// staff PIN instead of closing.
func (k *Kiosk) onClose() { k.onStaff() }

// onStaff asks for the staff PIN; the right one leaves kiosk mode.
func (k *Kiosk) onStaff() {
	ShowLeave(k.win, k.d.PIN, k.d.Staff, func() {
		k.mu.Lock()
		s, stop := k.session, k.stop
		k.mu.Unlock()
		if s != nil {
			if stop != nil {
				stop()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if _, err := s.End(ctx); err != nil {
				slog.Error("kiosk: the session did not end cleanly", "err", err)
			}
			cancel()
		}
		k.win.SetFullScreen(false)
		if k.d.OnLeave != nil {
			k.d.OnLeave()
		}
	})
}

// Session is the session on screen (nil on the start screen), for tests.
func (k *Kiosk) Session() *kiosk.Session {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.session
}
