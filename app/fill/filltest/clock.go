// Package filltest has what tests of a form being filled in over time
// need: a clock that moves only when the test moves it.
package filltest

import (
	"sync"
	"time"

	"rathaus/app/fill"
)

var _ fill.Clock = (*Clock)(nil)

// Clock is a fill.Clock for tests. Its timers run on the goroutine that
// calls Advance, at their time and in order, so that a test of saves
// coalesced while typing is deterministic.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*timer
}

type timer struct {
	c  *Clock
	at time.Time
	f  func()
}

// NewClock starts a clock at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc has f called by the Advance that reaches d from now.
func (c *Clock) AfterFunc(d time.Duration, f func()) fill.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &timer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

// Stop keeps the timer from running; it reports whether it was waiting.
func (t *timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	for i, x := range t.c.timers {
		if x == t {
			t.c.timers = append(t.c.timers[:i], t.c.timers[i+1:]...)
			return true
		}
	}
	return false
}

// Advance moves the clock on by d, stopping at each timer that falls due
// on the way to run it (timers it arms run too, if they fall due by the
// end).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		next := -1
		for i, t := range c.timers {
			if !t.at.After(end) && (next < 0 || t.at.Before(c.timers[next].at)) {
				next = i
			}
		}
		if next < 0 {
			c.now = end
			c.mu.Unlock()
			return
		}
		t := c.timers[next]
		c.timers = append(c.timers[:next], c.timers[next+1:]...)
		if t.at.After(c.now) {
			c.now = t.at
		}
		c.mu.Unlock()
		t.f() // outside the lock: it may arm or stop timers
	}
}

// Waiting is the number of timers not yet run or stopped.
func (c *Clock) Waiting() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}
