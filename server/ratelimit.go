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

// limiter is a token bucket per client: each client may use capacity
// tokens in a burst, and gets capacity tokens back per period, evenly. A
// token is one request, or one byte for the byte quotas. It runs on the
// server's clock, so that tests with a fixed clock get no refill.
type limiter struct {
	capacity float64 // <= 0: unlimited
	period   time.Duration
	now      func() time.Time

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
	return newBucketLimiter(float64(perHour), time.Hour, now)
}

// newBucketLimiter allows capacity tokens per period.
func newBucketLimiter(capacity float64, period time.Duration, now func() time.Time) *limiter {
	return &limiter{capacity: capacity, period: period, now: now, buckets: map[string]*bucket{}}
}

// allow takes a token for the client; when none is left it says how long
// until the next one.
func (l *limiter) allow(client string) (ok bool, retryAfter time.Duration) {
	return l.allowN(client, 1)
}

// allowN takes n tokens for the client, or none: then it says how long
// until there are n (at most a period: more than the capacity is never
// there, and the caller asks again after a period).
func (l *limiter) allowN(client string, n float64) (ok bool, retryAfter time.Duration) {
	if l.capacity <= 0 || n <= 0 {
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
		b = &bucket{tokens: l.capacity, last: now}
		l.buckets[client] = b
	}
	l.refill(b, now)
	if b.tokens >= n {
		b.tokens -= n
		return true, 0
	}
	missing := min(n, l.capacity) - b.tokens
	wait := time.Duration(math.Ceil(missing / l.capacity * float64(l.period)))
	return false, max(wait, time.Nanosecond)
}

func (l *limiter) refill(b *bucket, now time.Time) {
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(l.capacity, b.tokens+float64(elapsed)/float64(l.period)*l.capacity)
		b.last = now
	}
}

func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= l.capacity {
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
