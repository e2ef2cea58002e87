package server

import (
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/net/netutil"
)

// HTTPLimits protect the backend from slow and greedy clients at the
// connection level; the http.Server and the listener in front of the
// backend take them (cmd/rathaus-server, and servertest on request).
type HTTPLimits struct {
	// ReadHeaderTimeout: a client has this long for its request line and
	// headers (a slowloris client dribbles them to hold the connection).
	ReadHeaderTimeout time.Duration
	// ReadTimeout: for the whole request, body included. The backend
	// reads an API body before the request takes a slot, so a slow body
	// holds a connection only; tus PATCHes move the deadline on while
	// bytes arrive.
	ReadTimeout time.Duration
	// WriteTimeout: for the answer.
	WriteTimeout time.Duration
	// IdleTimeout: how long a kept-alive connection may wait for its next
	// request.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds request headers.
	MaxHeaderBytes int
	// MaxConns caps the open connections: beyond it new ones wait in the
	// kernel's queue until one closes. 0: no cap.
	MaxConns int
	// MaxConnsPerAddress caps the open connections of one client address
	// (see clientAddr); more are closed at once. 0: no cap.
	MaxConnsPerAddress int
}

// DefaultHTTPLimits are the limits cmd/rathaus-server starts with.
func DefaultHTTPLimits() HTTPLimits {
	return HTTPLimits{
		ReadHeaderTimeout: 10 * time.Second,
		// Bodies are at most 1 MiB, but citizens may be on a slow link.
		ReadTimeout:    2 * time.Minute,
		WriteTimeout:   2 * time.Minute,
		IdleTimeout:    time.Minute,
		MaxHeaderBytes: 64 << 10,
		MaxConns:       2048,
		// An app keeps a few connections; a carrier's NAT puts many apps
		// behind one address.
		MaxConnsPerAddress: 256,
	}
}

// Server returns an http.Server for h with the limits' timeouts, logging
// its own errors (TLS handshakes, panics it recovers) to log as warnings.
func (l HTTPLimits) Server(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Listener caps the connections ln accepts: MaxConns in all,
// MaxConnsPerAddress per client address.
func (l HTTPLimits) Listener(ln net.Listener) net.Listener {
	if l.MaxConns > 0 {
		ln = netutil.LimitListener(ln, l.MaxConns)
	}
	if l.MaxConnsPerAddress > 0 {
		ln = &addrLimitListener{Listener: ln, max: l.MaxConnsPerAddress, open: map[string]int{}}
	}
	return ln
}

// addrLimitListener closes a new connection at once when its address
// already holds max open ones, so that one client cannot take all that
// MaxConns allows.
type addrLimitListener struct {
	net.Listener
	max int

	mu   sync.Mutex
	open map[string]int
}

func (l *addrLimitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		addr := clientAddr(c.RemoteAddr().String())
		l.mu.Lock()
		full := l.open[addr] >= l.max
		if !full {
			l.open[addr]++
		}
		l.mu.Unlock()
		if full {
			_ = c.Close()
			continue
		}
		return &addrConn{Conn: c, release: func() { l.release(addr) }}, nil
	}
}

func (l *addrLimitListener) release(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[addr]--; l.open[addr] <= 0 {
		delete(l.open, addr)
	}
}

// addrConn gives its address's place back when it closes.
type addrConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *addrConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
