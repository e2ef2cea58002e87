package server

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"rathaus/api"
)

// limiter is a token bucket per client: each client may do perHour things
// in a burst, and gets perHour tokens back per hour, evenly. It runs on the
// server's clock, so that tests with a fixed clock get no refill.
type limiter struct {
	perHour float64 // <= 0: unlimited
	now     func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds the memory a flood of clients can take; when it is
// reached, the buckets that have filled up again are dropped (a full bucket
// is the same as none).
const maxBuckets = 10000

func newLimiter(perHour int, now func() time.Time) *limiter {
	return &limiter{perHour: float64(perHour), now: now, buckets: map[string]*bucket{}}
}

// allow takes a token for the client; when none is left it says how long
// until the next one.
func (l *limiter) allow(client string) (ok bool, retryAfter time.Duration) {
	if l.perHour <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[client]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = &bucket{tokens: l.perHour, last: now}
		l.buckets[client] = b
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	perToken := time.Duration(float64(time.Hour) / l.perHour)
	return false, time.Duration(math.Ceil((1 - b.tokens) * float64(perToken)))
}

func (l *limiter) refill(b *bucket, now time.Time) {
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(l.perHour, b.tokens+elapsed.Hours()*l.perHour)
		b.last = now
	}
}

func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= l.perHour {
			delete(l.buckets, k)
		}
	}
}

// clientAddr names the client a request comes from (from its RemoteAddr),
// for rate limits: its IP address, an IPv6 address by its /64 (one
// household or phone). The backend is meant to be reached directly; behind
// a reverse proxy every client would share the proxy's address.
func clientAddr(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

// rateLimited is the 429 problem and the value of its Retry-After header:
// whole seconds, at least 1.
func rateLimited(retryAfter time.Duration, what string) (*api.Problem, string) {
	secs := strconv.FormatInt(max(1, int64(math.Ceil(retryAfter.Seconds()))), 10)
	return problem(http.StatusTooManyRequests, api.ProblemRateLimited, "Too Many Requests",
		"Too many "+what+" from this address; try again in "+secs+" seconds."), secs
}
