package console

import (
	"net"
	"sync"
	"time"
)

// Failed sign-ins are counted per client address: after maxFailures in
// failureWindow, that address is refused (429) until the window has
// passed, so that tokens cannot be guessed at speed. A sign-in that works
// does not count.
const (
	maxFailures   = 10
	failureWindow = 10 * time.Minute
)

type failures struct {
	mu   sync.Mutex
	now  func() time.Time
	byIP map[string][]time.Time
}

func newFailures(now func() time.Time) *failures {
	return &failures{now: now, byIP: map[string][]time.Time{}}
}

func host(remoteAddr string) string {
	if h, _, err := net.SplitHostPort(remoteAddr); err == nil {
		return h
	}
	return remoteAddr
}

// recent drops what is older than the window and returns what is left.
func (f *failures) recent(ip string) []time.Time {
	cut := f.now().Add(-failureWindow)
	ts := f.byIP[ip]
	i := 0
	for i < len(ts) && ts[i].Before(cut) {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(f.byIP, ip)
	} else {
		f.byIP[ip] = ts
	}
	return ts
}

// blocked reports whether the address has failed too often lately, and
// for how long it still waits.
func (f *failures) blocked(remoteAddr string) (bool, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ts := f.recent(host(remoteAddr))
	if len(ts) < maxFailures {
		return false, 0
	}
	return true, ts[0].Add(failureWindow).Sub(f.now())
}

// fail counts a failed sign-in.
func (f *failures) fail(remoteAddr string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ip := host(remoteAddr)
	f.byIP[ip] = append(f.recent(ip), f.now())
	if len(f.byIP) > maxAddresses {
		// Many addresses failing at once: forget the stale ones, so that
		// the memory stays bounded by what the window holds.
		for other := range f.byIP {
			f.recent(other)
		}
	}
}

// maxAddresses is how many addresses are kept before the stale ones are
// swept.
const maxAddresses = 10000
