package servertest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"rathaus/api"
)

// Clock is a clock the test moves by hand, for a backend whose answers
// depend on the time (polls open and close, handoffs expire). It is safe
// to read from the backend's goroutines while the test sets it.
type Clock struct{ now atomic.Pointer[time.Time] }

// NewClock returns a clock standing at start.
func NewClock(start time.Time) *Clock {
	c := &Clock{}
	c.Set(start)
	return c
}

// Now is the clock's time.
func (c *Clock) Now() time.Time { return *c.now.Load() }

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) { c.now.Store(&t) }

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// WithClock starts the backend on c instead of the real time; the test
// moves it as Backend.Clock.
func WithClock(c *Clock) Option {
	return func(o *options) { o.cfg.Now, o.clock = c.Now, c }
}

// Call sends a request to the backend at path, with body (if not nil) as
// JSON and token (if not empty) as the device's bearer credential, and
// returns the status and the body of the answer.
func (b *Backend) Call(tb testing.TB, method, path, token string, body any) (int, []byte) {
	tb.Helper()
	var r io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, b.URL+path, r)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", api.ContentTypeJSON)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return res.StatusCode, out
}

// Device registers a new device and returns it (its ID and Token).
func (b *Backend) Device(tb testing.TB) api.Device {
	tb.Helper()
	code, body := b.Call(tb, http.MethodPost, api.PathDevices, "", map[string]string{"platform": "test"})
	var d api.Device
	if code != http.StatusCreated || json.Unmarshal(body, &d) != nil {
		tb.Fatalf("register: %d %s", code, body)
	}
	return d
}
