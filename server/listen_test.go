package server_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
)

// dialFrom connects to addr from a loopback address of its own (Linux
// routes all of 127.0.0.0/8 to lo), so that it counts as another client.
func dialFrom(t *testing.T, from, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial from %s: %v", from, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// dribble writes b one byte at a time, every 20 ms, until the server cuts
// the connection or stop is closed.
func dribble(c net.Conn, b []byte, stop <-chan struct{}) {
	for _, x := range b {
		select {
		case <-stop:
			return
		case <-time.After(20 * time.Millisecond):
		}
		if _, err := c.Write([]byte{x}); err != nil {
			return
		}
	}
}

// cutWithin reports whether the server closes c within d (reading gives
// EOF or a reset rather than the deadline).
func cutWithin(c net.Conn, d time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false
	}
	return true
}

// TestSlowClientsCannotExhaust: clients that dribble their headers
// (slowloris) or their bodies, from two addresses and more connections
// than an address may hold, take no worker: with one request slot and no
// queue, a normal client still gets its answers. The dribblers are cut
// after the header and read timeouts, the connections over the address
// cap at once.
func TestSlowClientsCannotExhaust(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.MaxRequests, c.MaxQueue = 1, -1 })
	limits := server.HTTPLimits{
		ReadHeaderTimeout: 3 * time.Second, ReadTimeout: 4 * time.Second, WriteTimeout: 5 * time.Second,
		IdleTimeout: 5 * time.Second, MaxHeaderBytes: 16 << 10, MaxConns: 64, MaxConnsPerAddress: 4,
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := limits.Server(e.server, slog.New(slog.DiscardHandler))
	go func() { _ = srv.Serve(limits.Listener(ln)) }()
	t.Cleanup(func() { _ = srv.Close() })
	addr := ln.Addr().String()
	base := "http://" + addr

	stop := make(chan struct{})
	defer close(stop)
	svc, example := e.sperrmuell(t)
	b := body(t, svc.ID, svc.Form, example)
	var loris, bodies []net.Conn
	for range limits.MaxConnsPerAddress {
		c := dialFrom(t, "127.0.0.2", addr)
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\n", api.PathSubmissions)
		go dribble(c, bytes.Repeat([]byte("X-Slow: 1\r\n"), 1000), stop)
		loris = append(loris, c)

		c = dialFrom(t, "127.0.0.3", addr)
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nIdempotency-Key: slow\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
			api.PathSubmissions, len(b))
		go dribble(c, b, stop)
		bodies = append(bodies, c)
	}
	// Well within the header timeout: closed for the cap, not the time.
	if !cutWithin(dialFrom(t, "127.0.0.2", addr), time.Second) {
		t.Error("a connection over the address cap was kept")
	}

	// A normal client, meanwhile: its submission gets the one slot.
	res, err := http.Post(base+api.PathSubmissions, api.ContentTypeJSON, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest { // no Idempotency-Key: answered, not shed
		t.Errorf("normal request = %d, want its 400 for the missing key", res.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, base+api.PathSubmissions, bytes.NewReader(b))
	req.Header.Set(api.HeaderIdempotencyKey, "normal")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Errorf("normal submission = %d, want 201", res.StatusCode)
	}
	if res, err := http.Get(base + api.PathHealth); err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("healthz = %v, %v; want 200", res, err)
	}

	for i, c := range loris {
		if !cutWithin(c, 10*time.Second) {
			t.Errorf("slowloris connection %d was kept past the header timeout", i)
		}
	}
	for i, c := range bodies {
		if !cutWithin(c, 10*time.Second) {
			t.Errorf("slow body connection %d was kept past the read timeout", i)
		}
	}
	if got := e.countCases(t); got != 1 {
		t.Errorf("CountCases = %d, want the normal client's 1", got)
	}
}
