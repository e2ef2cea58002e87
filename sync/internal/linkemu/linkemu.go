// Package linkemu emulates a phone's mobile link for the sync benchmarks: a
// TCP proxy in front of the backend in which all connections share one
// uplink and one downlink, each with its own rate and a one-way delay of
// half the round trip, and which counts the bytes that cross the link in
// each direction.
//
// A phone's link is shared by all its connections. A per-connection
// bandwidth limit (toxiproxy's bandwidth toxic) would let parallel
// connections cheat; here every byte of every connection queues for the
// same line. Each direction is a serial line: a segment (at most
// SegmentSize bytes) occupies the line for its length divided by the rate,
// in the order the connections offered them, and arrives Delay after it
// left. A connection offers its next segment only once its previous one is
// on the line, so that concurrent connections interleave segment by
// segment, as a FIFO bottleneck does. A new connection's first bytes wait
// one round trip (the TCP handshake).
//
// What it does not model: TCP/IP headers and ACKs (the counts are the bytes
// of the TCP payload, HTTP headers included), loss, congestion control and
// slow start (the sender always has the whole rate), radio wake-up. For
// faults use toxiproxy; this is for measuring how well the app uses a link.
package linkemu

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Profile is a link: its round trip and its rates in bits per second.
type Profile struct {
	Name     string
	RTT      time.Duration
	Down, Up int64 // bits per second; 0: unlimited
}

// The profiles of the benchmarks (raw RTT, rates of the link).
var (
	Slow3G    = Profile{Name: "slow-3g", RTT: 400 * time.Millisecond, Down: 400_000, Up: 400_000}
	Regular3G = Profile{Name: "regular-3g", RTT: 300 * time.Millisecond, Down: 700_000, Up: 700_000}
	Slow4G    = Profile{Name: "slow-4g", RTT: 150 * time.Millisecond, Down: 1_600_000, Up: 750_000}
	Regular2G = Profile{Name: "regular-2g", RTT: 300 * time.Millisecond, Down: 250_000, Up: 50_000}
	// Loopback passes everything at once; for counting bytes only.
	Loopback = Profile{Name: "loopback"}
)

// Profiles are the weak-link profiles, best first.
var Profiles = []Profile{Slow4G, Regular3G, Slow3G, Regular2G}

// SegmentSize is the most a connection puts on the line at once: about one
// TCP segment.
const SegmentSize = 1460

// Link is a running emulated link. Clients connect to Addr; the link
// connects each of them to the target.
type Link struct {
	prof   Profile
	target string
	ln     net.Listener
	up     *line
	down   *line

	cutAt atomic.Int64 // >0: reset the connection that carries the uplink past this byte

	mu     sync.Mutex
	conns  map[net.Conn]bool
	closed bool
	wg     sync.WaitGroup

	resets atomic.Int64
}

// Start listens on a loopback port and forwards to target ("host:port").
func Start(target string, p Profile) (*Link, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	l := &Link{prof: p, target: target, ln: ln,
		up: newLine(p.Up, p.RTT/2), down: newLine(p.Down, p.RTT/2), conns: map[net.Conn]bool{}}
	l.wg.Add(1)
	go l.accept()
	return l, nil
}

// Addr is the address clients connect to.
func (l *Link) Addr() string { return l.ln.Addr().String() }

// URL is "http://" + Addr.
func (l *Link) URL() string { return "http://" + l.Addr() }

// Profile returns the link's profile.
func (l *Link) Profile() Profile { return l.prof }

// Bytes returns the bytes that crossed the link up (to the target) and down.
func (l *Link) Bytes() (up, down int64) { return l.up.bytes.Load(), l.down.bytes.Load() }

// MeasureUplink starts measuring how busy the uplink is; UplinkBusy
// returns the share of the time since then that it spent sending (1.0: it
// never waited for the app).
func (l *Link) MeasureUplink() { l.up.startBusy() }

// UplinkBusy: see MeasureUplink.
func (l *Link) UplinkBusy() float64 { return l.up.busyFraction() }

// Resets returns how many connections the link cut (CutAfter).
func (l *Link) Resets() int64 { return l.resets.Load() }

// CutAfter makes the link reset the connection whose upload carries the
// uplink's byte count past n more bytes from now: a link that drops in the
// middle of whatever is being sent then. The bytes of that segment are
// lost. It acts once.
func (l *Link) CutAfter(n int64) { l.cutAt.Store(l.up.bytes.Load() + n) }

// Close stops the link and cuts every connection.
func (l *Link) Close() error {
	l.mu.Lock()
	l.closed = true
	for c := range l.conns {
		c.Close()
	}
	l.mu.Unlock()
	err := l.ln.Close()
	l.wg.Wait()
	return err
}

func (l *Link) track(c net.Conn, on bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if on && l.closed {
		return false
	}
	if on {
		l.conns[c] = true
	} else {
		delete(l.conns, c)
	}
	return true
}

func (l *Link) accept() {
	defer l.wg.Done()
	for {
		c, err := l.ln.Accept()
		if err != nil {
			return
		}
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			l.serve(c)
		}()
	}
}

func (l *Link) serve(client net.Conn) {
	open := time.Now()
	server, err := net.Dial("tcp", l.target)
	if err != nil {
		client.Close()
		return
	}
	if !l.track(client, true) || !l.track(server, true) {
		client.Close()
		server.Close()
		return
	}
	defer l.track(client, false)
	defer l.track(server, false)
	c := &conn{link: l, client: client, server: server}
	var wg sync.WaitGroup
	wg.Add(2)
	// The handshake: the client's first bytes leave one round trip after
	// it connected.
	go func() { defer wg.Done(); c.pump(client, server, l.up, open.Add(l.prof.RTT), true) }()
	go func() { defer wg.Done(); c.pump(server, client, l.down, time.Time{}, false) }()
	wg.Wait()
	client.Close()
	server.Close()
}

// conn is one connection through the link.
type conn struct {
	link           *Link
	client, server net.Conn
	resetOnce      sync.Once
}

// reset drops the connection as a dying link does: the client sees a
// reset, the server a closed connection.
func (c *conn) reset() {
	c.resetOnce.Do(func() {
		if tc, ok := c.client.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		c.client.Close()
		c.server.Close()
	})
}

type segment struct {
	data []byte
	at   time.Time // when it arrives at the far end
}

// pump moves src's bytes over ln to dst, segment by segment, the first not
// before notBefore.
func (c *conn) pump(src, dst net.Conn, ln *line, notBefore time.Time, up bool) {
	queue := make(chan segment, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for s := range queue {
			sleepUntil(s.at)
			if _, err := dst.Write(s.data); err != nil {
				c.reset()
				for range queue {
				}
				return
			}
		}
		if tc, ok := dst.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
	}()
	sleepUntil(notBefore)
	buf := make([]byte, SegmentSize)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			start, end := ln.reserve(n)
			if up && c.link.crossesCut(ln.bytes.Load()) {
				c.link.resets.Add(1)
				c.reset()
				break
			}
			sleepUntil(start)
			data := append([]byte(nil), buf[:n]...)
			queue <- segment{data: data, at: end.Add(ln.delay)}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				c.reset()
			}
			break
		}
	}
	close(queue)
	<-done
}

// crossesCut reports, once, that the uplink's byte count reached the cut.
func (l *Link) crossesCut(total int64) bool {
	at := l.cutAt.Load()
	return at > 0 && total >= at && l.cutAt.CompareAndSwap(at, 0)
}

// line is one direction of the link: a serial line of a fixed rate that
// all connections share, and its one-way delay.
type line struct {
	rate  float64 // bytes per second; 0: unlimited
	delay time.Duration
	bytes atomic.Int64

	mu   sync.Mutex
	free time.Time // when the line has sent what it was given
	// busy is the time the line spent sending since mark.
	busy time.Duration
	mark time.Time
}

func newLine(bitsPerSecond int64, delay time.Duration) *line {
	return &line{rate: float64(bitsPerSecond) / 8, delay: delay}
}

// reserve puts n bytes on the line after what it holds: it returns when
// they start and finish leaving.
func (l *line) reserve(n int) (start, end time.Time) {
	l.bytes.Add(int64(n))
	l.mu.Lock()
	defer l.mu.Unlock()
	start = time.Now()
	if start.Before(l.free) {
		start = l.free
	}
	end = start
	if l.rate > 0 {
		end = start.Add(time.Duration(float64(n) / l.rate * float64(time.Second)))
	}
	l.free = end
	if !l.mark.IsZero() {
		l.busy += end.Sub(start)
	}
	return start, end
}

// startBusy begins counting the line's busy time (again).
func (l *line) startBusy() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.mark, l.busy = time.Now(), 0
}

// busyFraction is the share of the time since startBusy (until now, or
// until the line finishes what it holds) that the line spent sending.
func (l *line) busyFraction() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	end := time.Now()
	if l.free.After(end) {
		end = l.free
	}
	if l.mark.IsZero() || !end.After(l.mark) {
		return 0
	}
	return float64(l.busy) / float64(end.Sub(l.mark))
}

func sleepUntil(t time.Time) {
	if d := time.Until(t); d > 0 {
		time.Sleep(d)
	}
}
