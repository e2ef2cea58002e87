package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"rathaus/api"
)

// Defaults of the admission settings Config leaves 0.
const (
	DefaultMaxRequests    = 64
	DefaultMaxQueue       = 64
	DefaultQueueWait      = 500 * time.Millisecond
	DefaultMaxUploads     = 32
	DefaultRequestTimeout = 15 * time.Second
)

// gate admits up to a number of requests at once; a bounded number more
// wait for a slot, in order, each for a bounded time. What does not get
// in is shed: a fast 503 is better for a client than an answer that comes
// too late, and it keeps the latency of the admitted ones bounded.
type gate struct {
	slots   chan struct{}
	queue   int64
	wait    time.Duration
	waiting atomic.Int64
}

// newGate returns nil, which admits everything, for n < 0.
func newGate(n, queue int, wait time.Duration) *gate {
	if n < 0 {
		return nil
	}
	return &gate{slots: make(chan struct{}, n), queue: int64(max(0, queue)), wait: wait}
}

// enter takes a slot, waiting for one if the queue has room; ok=false when
// it has none, or the wait or ctx ended first. release gives the slot back.
func (g *gate) enter(ctx context.Context) (release func(), ok bool) {
	if g == nil {
		return func() {}, true
	}
	select {
	case g.slots <- struct{}{}:
		return g.leave, true
	default:
	}
	if g.waiting.Add(1) > g.queue {
		g.waiting.Add(-1)
		return nil, false
	}
	defer g.waiting.Add(-1)
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.leave, true
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, false
}

func (g *gate) leave() { <-g.slots }

// full reports whether a request would be shed now: every slot taken and
// the queue full. It lets a request be shed before its body is read.
func (g *gate) full() bool {
	return g != nil && len(g.slots) == cap(g.slots) && g.waiting.Load() >= g.queue
}

// admission is what admit needs: a gate for the API, one for uploads (a
// PATCH streams for minutes on a weak link; it must not hold a slot the
// API needs), and the time an admitted API request may take.
type admission struct {
	api, uploads *gate
	timeout      time.Duration // <= 0: none

	shed     atomic.Int64 // requests shed since the last report
	reported atomic.Int64 // when that was, in Unix nanoseconds
}

// shedReportEvery is how often at most shedding is logged, with a count.
const shedReportEvery = 10 * time.Second

func newAdmission(cfg Config) admission {
	return admission{
		api: newGate(orDefault(cfg.MaxRequests, DefaultMaxRequests), orDefault(cfg.MaxQueue, DefaultMaxQueue),
			orDefault(cfg.QueueWait, DefaultQueueWait)),
		uploads: newGate(orDefault(cfg.MaxUploads, DefaultMaxUploads), orDefault(cfg.MaxUploads, DefaultMaxUploads),
			orDefault(cfg.QueueWait, DefaultQueueWait)),
		timeout: orDefault(cfg.RequestTimeout, DefaultRequestTimeout),
	}
}

// admit lets a request in when there is room, or sheds it with a 503 and
// Retry-After. /healthz always gets in, so that a load balancer sees a
// server that is busy, not dead. An API request's body is read before it
// takes a slot: a client that sends its body slowly holds a connection,
// never a slot (the body is at most maxBodyBytes; with the connection cap
// that bounds the memory). Once in, an API request has RequestTimeout for
// its work; uploads are timed by tusd, which moves the deadlines on while
// bytes arrive.
func (s *Server) admit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == api.PathHealth {
			next.ServeHTTP(w, r)
			return
		}
		g := s.admission.api
		upload := strings.HasPrefix(r.URL.Path, api.PathUploads)
		if upload {
			g = s.admission.uploads
		}
		if g.full() {
			s.shed(w, r)
			return
		}
		if !upload && r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
			body, p := readBody(w, r, maxBodyBytes, "A request body may be at most 1 MiB; send files as uploads.")
			if p != nil {
				writeProblem(w, p)
				return
			}
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		}
		release, ok := g.enter(r.Context())
		if !ok {
			s.shed(w, r)
			return
		}
		defer release()
		if !upload && s.admission.timeout > 0 {
			ctx, cancel := context.WithTimeout(r.Context(), s.admission.timeout)
			defer cancel()
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}

// shed answers 503 with Retry-After. Shed requests get no log line each;
// every shedReportEvery at most, one line counts them.
func (s *Server) shed(w http.ResponseWriter, r *http.Request) {
	quiet(r)
	writeProblem(w, unavailable("The server is busy; try again in a moment."))
	a := &s.admission
	a.shed.Add(1)
	now := time.Now().UnixNano()
	last := a.reported.Load()
	if now-last < int64(shedReportEvery) || !a.reported.CompareAndSwap(last, now) {
		return
	}
	s.log.Warn("overloaded: requests shed with 503 since the last such line", "count", a.shed.Swap(0))
}
