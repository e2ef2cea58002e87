package oidc

import (
	"sync"
	"time"
)

// attempts counts failed logins per key (an account's email, a client
// address) in a fixed window: after max failures the key is locked until
// the window that began with its first failure ends. Counts live in this
// process's memory: several backend processes each count their own, and a
// restart forgets them.
type attempts struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu   sync.Mutex
	keys map[string]*tally
}

type tally struct {
	n     int
	start time.Time
}

// maxKeys bounds the memory of many addresses: beyond it, ended windows
// are forgotten first.
const maxKeys = 100_000

func newAttempts(max int, window time.Duration, now func() time.Time) *attempts {
	return &attempts{max: max, window: window, now: now, keys: map[string]*tally{}}
}

// locked reports whether the key is locked, and for how long still.
func (a *attempts) locked(key string) (bool, time.Duration) {
	if a.max < 0 {
		return false, 0
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	t, ok := a.keys[key]
	if !ok {
		return false, 0
	}
	left := t.start.Add(a.window).Sub(a.now())
	if left <= 0 {
		delete(a.keys, key)
		return false, 0
	}
	return t.n >= a.max, left
}

// fail counts a failed attempt of the key.
func (a *attempts) fail(key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	t, ok := a.keys[key]
	if !ok || now.Sub(t.start) >= a.window {
		if len(a.keys) >= maxKeys {
			a.prune(now)
		}
		t = &tally{start: now}
		a.keys[key] = t
	}
	t.n++
}

// reset forgets the key's failures (after a successful login).
func (a *attempts) reset(key string) {
	a.mu.Lock()
	delete(a.keys, key)
	a.mu.Unlock()
}

func (a *attempts) prune(now time.Time) {
	for k, t := range a.keys {
		if now.Sub(t.start) >= a.window {
			delete(a.keys, k)
		}
	}
}
