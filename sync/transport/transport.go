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
	"sync"
	"time"
)

// MaxIdlePerHost is how many idle connections to the backend are kept: the
// engine's parallel items, each with an upload and a submission, and a
// pull beside them.
const MaxIdlePerHost = 16

var shared = sync.OnceValue(func() *http.Transport { return New() })

// Shared returns the transport all clients of the backend share by default.
func Shared() *http.Transport { return shared() }

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
