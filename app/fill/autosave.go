package fill

import (
	"context"
	"sync"
	"time"

	"rathaus/api/formschema"
)

// Saving while the citizen types. A change marks the draft dirty and arms
// a timer: the draft is saved once typing pauses for Quiet, and at the
// latest Max after the first change not yet saved, so that continuous
// typing is saved too. A move to another step, adding or removing an item,
// leaving the form, sending it, the app leaving the foreground and quitting
// save at once (Flush). "Saved" is reported only for what a durable commit
// covered.
//
// The timer's save runs on the timer's goroutine: typing never waits for
// the disk. There is one writer at a time (writeMu), and each copies the
// values it writes when it starts, so a save never lands after a newer one.
// The values change only under mu, which is what lets the writer copy them
// while the screen's goroutine goes on; everything else in a State stays
// the screen's alone.

// The delays a State saves by unless told otherwise (WithDelays).
const (
	DefaultQuiet = 400 * time.Millisecond
	DefaultMax   = 2 * time.Second
)

// Clock is the time a State saves by; tests move one by hand
// (app/fill/filltest).
type Clock interface {
	Now() time.Time
	// AfterFunc calls f after d, on a goroutine of its own, unless the
	// timer is stopped first.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a call that a Clock will make.
type Timer interface {
	// Stop keeps the call from being made; it reports whether it was
	// still waiting.
	Stop() bool
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Option changes how a State saves.
type Option func(*State)

// WithClock makes the State save by c instead of the real time.
func WithClock(c Clock) Option { return func(s *State) { s.clock = c } }

// WithDelays saves after quiet without a change, and at the latest max
// after the first unsaved change.
func WithDelays(quiet, max time.Duration) Option {
	return func(s *State) { s.quiet, s.max = quiet, max }
}

// SaveStatus is what there is to say about saving the draft.
type SaveStatus struct {
	// Saved is when the last save ended that worked (zero: none yet).
	Saved time.Time
	// Pending: there are changes that no save covers yet; Saved is older
	// than they are.
	Pending bool
	// Err is why the last save failed (a full disk), until one works. The
	// values stay in the State and go with the next change's save or the
	// next Flush.
	Err error
}

// autosave is a State's saving. Its fields are guarded by mu, except
// those set once in New.
type autosave struct {
	clock      Clock
	quiet, max time.Duration

	writeMu sync.Mutex // held by the one save under way
	mu      sync.Mutex // guards the values (their changes) and what follows

	notify   func()    // after a save the timer started
	gen      uint64    // changes so far
	savedGen uint64    // the changes the last save that worked covered
	first    time.Time // the first change no save has taken yet; zero if none
	due      time.Time // when the timer's save is due
	timer    Timer     // armed while a change waits for the timer
	armed    uint64    // counts timers, so that a stopped one that ran anyway does nothing
	saved    time.Time
	err      error
}

// edit changes the values under mu and arms the timer for their save.
func (s *State) edit(change func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	change()
	s.changedLocked()
	s.errs, s.view = nil, nil
}

// changedLocked records a change: the save falls due quiet from now, or
// max after the first change not yet taken by a save, whichever is first.
// A timer already armed fires no later than that (the due time only moves
// on) and arms itself again for the rest.
func (s *State) changedLocked() {
	s.gen++
	now := s.clock.Now()
	if s.first.IsZero() {
		s.first = now
	}
	s.due = now.Add(s.quiet)
	if latest := s.first.Add(s.max); latest.Before(s.due) {
		s.due = latest
	}
	if s.timer == nil {
		s.armLocked(s.due.Sub(now))
	}
}

func (s *State) armLocked(d time.Duration) {
	s.armed++
	id := s.armed
	s.timer = s.clock.AfterFunc(d, func() { s.fire(id) })
}

// fire is the timer's call, on its own goroutine: it saves if the save is
// due, or waits on for it.
func (s *State) fire(id uint64) {
	s.mu.Lock()
	if id != s.armed { // stopped by a Flush, but too late
		s.mu.Unlock()
		return
	}
	s.timer = nil
	if now := s.clock.Now(); now.Before(s.due) {
		s.armLocked(s.due.Sub(now))
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	_ = s.write() // a failure is in SaveStatus
	s.mu.Lock()
	notify := s.notify
	s.mu.Unlock()
	if notify != nil {
		notify()
	}
}

// Flush saves every change not yet saved, now, and reports whether that
// worked. It waits for a save under way.
func (s *State) Flush() error {
	s.mu.Lock()
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
		s.armed++
	}
	s.mu.Unlock()
	return s.write()
}

// write saves the values as they are now, if a change is not saved yet.
func (s *State) write() error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	if s.gen == s.savedGen {
		s.mu.Unlock()
		return nil
	}
	// A copy: the save, on another goroutine, reads values of its own.
	gen, step, values := s.gen, s.step, formschema.Copy(s.draft.Values).(map[string]any)
	s.first = time.Time{} // later changes wait for a save of their own
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	err := s.saver.SaveDraft(ctx, s.draft.ID, values, step)
	cancel()

	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.err = err
		return err
	}
	s.savedGen, s.saved, s.err = gen, s.clock.Now(), nil
	return nil
}

// SaveStatus says whether the changes are saved.
func (s *State) SaveStatus() SaveStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return SaveStatus{Saved: s.saved, Pending: s.gen != s.savedGen, Err: s.err}
}

// Notify has f called after each save that the timer started (not those
// of Flush, whose caller knows), on the goroutine that saved: a screen
// hands it on to its own (fyne.Do). f replaces the one before.
func (s *State) Notify(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notify = f
}
