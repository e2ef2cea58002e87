package kiosk

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// DefaultIdle ends a session after two minutes without a touch.
const DefaultIdle = 2 * time.Minute

// IdleFromEnv reads RATHAUS_KIOSK_IDLE (a Go duration, such as 90s or
// 5m; at least 30 s); empty is DefaultIdle.
func IdleFromEnv() (time.Duration, error) {
	v := os.Getenv("RATHAUS_KIOSK_IDLE")
	if v == "" {
		return DefaultIdle, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 30*time.Second {
		return 0, fmt.Errorf("RATHAUS_KIOSK_IDLE=%q: give a duration of at least 30s, such as 2m", v)
	}
	return d, nil
}

// Phase is where a session stands in its inactivity countdown.
type Phase int

const (
	// Active: someone touched the kiosk recently.
	Active Phase = iota
	// Warning: the session ends soon unless someone touches the kiosk.
	Warning
	// Expired: the session must end now.
	Expired
)

// Idle is the inactivity countdown of one session. The screen calls Touch
// on every input and Check on a ticker; the clock is injected so that tests
// step through the countdown without waiting.
type Idle struct {
	limit time.Duration
	warn  time.Duration
	now   func() time.Time

	mu   sync.Mutex
	last time.Time
}

// NewIdle starts a countdown of limit; the warning shows for the last
// quarter of it, at most 30 s. now nil is time.Now.
func NewIdle(limit time.Duration, now func() time.Time) *Idle {
	if now == nil {
		now = time.Now
	}
	return &Idle{limit: limit, warn: min(limit/4, 30*time.Second), now: now, last: now()}
}

// Touch restarts the countdown (any input, or "Continue" on the warning).
func (i *Idle) Touch() {
	i.mu.Lock()
	i.last = i.now()
	i.mu.Unlock()
}

// Check returns the phase and the time left until the session ends.
func (i *Idle) Check() (Phase, time.Duration) {
	i.mu.Lock()
	defer i.mu.Unlock()
	left := i.limit - i.now().Sub(i.last)
	switch {
	case left <= 0:
		return Expired, 0
	case left <= i.warn:
		return Warning, left
	}
	return Active, left
}
