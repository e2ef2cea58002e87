// Package transport is the HTTP transport the app's clients of the backend
// share (the portal client and the uploader): one pool of keep-alive
// connections, sized for the sync engine's parallel items.
//
// On a weak link every new connection costs a round trip for its handshake
// (and, over TLS, one or two more). Go's default transport keeps only two
// idle connections per host, so with a few items going out at once the
// others were closed after each request and opened again for the next;
// and the portal client and the uploader each kept a pool of their own.
package transport

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxIdlePerHost is how many idle connections to the backend are kept: the
// engine's parallel items, each with an upload and a submission, and a
// pull beside them.
const MaxIdlePerHost = 16

var shared = sync.OnceValue(func() *Guard { return Secure(New(), nil) })

// Shared returns the transport all clients of the backend share by
// default: secure (plain http only to loopback), without pins.
func Shared() *Guard { return shared() }

// New returns a transport like Go's default one, with MaxIdlePerHost idle
// connections per host kept for 90 s, and TCP keep-alive probes every 30 s
// (so that a dead idle connection is noticed, not written into).
func New() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.MaxIdleConns = 4 * MaxIdlePerHost
	t.MaxIdleConnsPerHost = MaxIdlePerHost
	t.IdleConnTimeout = 90 * time.Second
	return t
}

// MaxRetryAfter caps the wait a Retry-After header can ask of the app. The
// engine's own backoff stops at minutes; a longer wait is more likely a
// misconfigured proxy, or an HTTP date read on a phone whose clock is a
// day off, than a real plan, and honouring it would park a citizen's
// submission for days. After an hour the app asks again, once.
const MaxRetryAfter = time.Hour

// RetryAfter reads a Retry-After header (delay-seconds or an HTTP date, RFC
// 9110 10.2.3) as the wait from now, between 0 and MaxRetryAfter; 0 when
// the header is missing or unreadable.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, int64(MaxRetryAfter/time.Second))) * time.Second
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return 0 // a fraction is not delay-seconds
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), MaxRetryAfter)
	}
	return 0
}
