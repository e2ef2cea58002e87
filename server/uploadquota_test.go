package server_test

import (
	"net/http"
	"strconv"
	"testing"

	"rathaus/api"
	"rathaus/server"
)

// The upload quotas: per device (count and bytes per hour, bytes held in
// uploads no case uses) and per address (bytes per hour and per day).
// Over one the answer is 429 with Retry-After; nothing is recorded. The
// test clock stands still, so no bucket refills.
func TestUploadQuotas(t *testing.T) {
	create := func(e *env, d *api.Device, size int, seed uint64) response {
		t.Helper()
		f := newFile(size, seed)
		return e.tusAs(t, d, http.MethodPost, api.PathUploads, nil,
			"Upload-Length", strconv.Itoa(size), "Upload-Metadata", f.meta())
	}
	type step struct {
		anonymous bool // else the first device; other: the second
		other     bool
		size      int
		want      int    // 201 or 429
		typ       string // the problem's type for a 429
		retry     string // its Retry-After
	}
	ok := func(size int) step { return step{size: size, want: http.StatusCreated} }
	for _, tt := range []struct {
		name  string
		cfg   func(*server.Config)
		steps []step
	}{
		{"uploads per device", func(c *server.Config) { c.DeviceUploadsPerHour = 2 }, []step{
			ok(10), ok(10),
			{size: 10, want: 429, typ: api.ProblemQuota, retry: "1800"},
			{other: true, size: 10, want: 201},     // another device has its own
			{anonymous: true, size: 10, want: 201}, // an anonymous upload is no device's
		}},
		{"bytes per device and hour", func(c *server.Config) { c.DeviceUploadBytesPerHour = 1000 }, []step{
			ok(600),
			{size: 600, want: 429, typ: api.ProblemQuota, retry: "720"}, // 200 missing of 1000 per hour
			ok(400),
			{other: true, size: 1000, want: 201},
		}},
		{"bytes held per device", func(c *server.Config) { c.MaxUploadBytesHeld = 1000 }, []step{
			ok(600), ok(400),
			{size: 1, want: 429, typ: api.ProblemQuota, retry: "3600"},
			{other: true, size: 1000, want: 201},
		}},
		{"bytes per address and hour", func(c *server.Config) { c.AddressUploadBytesPerHour = 1000 }, []step{
			{anonymous: true, size: 600, want: 201},
			{size: 600, want: 429, typ: api.ProblemRateLimited, retry: "720"}, // a device shares its address
			{other: true, size: 400, want: 201},
			{anonymous: true, size: 1, want: 429, typ: api.ProblemRateLimited, retry: "4"},
		}},
		{"bytes per address and day", func(c *server.Config) { c.AddressUploadBytesPerDay = 1000 }, []step{
			{anonymous: true, size: 1000, want: 201},
			{anonymous: true, size: 10, want: 429, typ: api.ProblemRateLimited, retry: "864"},
		}},
		{"off", func(c *server.Config) {
			c.DeviceUploadsPerHour, c.DeviceUploadBytesPerHour, c.MaxUploadBytesHeld = -1, -1, -1
			c.AddressUploadBytesPerHour, c.AddressUploadBytesPerDay = -1, -1
		}, []step{ok(5 << 20), ok(5 << 20), ok(5 << 20), ok(5 << 20)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.cfg)
			first, second := e.register(t), e.register(t)
			for i, s := range tt.steps {
				d := &first
				switch {
				case s.anonymous:
					d = nil
				case s.other:
					d = &second
				}
				r := create(e, d, s.size, uint64(i))
				if s.want == http.StatusCreated {
					if r.status != http.StatusCreated {
						t.Fatalf("step %d (%d bytes): %d, want 201; %s", i, s.size, r.status, r.body)
					}
					continue
				}
				problemOf(t, r, http.StatusTooManyRequests, s.typ)
				if got := r.header.Get("Retry-After"); got != s.retry {
					t.Errorf("step %d: Retry-After = %q, want %q", i, got, s.retry)
				}
				if r.header.Get("Tus-Resumable") != "1.0.0" {
					t.Errorf("step %d: no Tus-Resumable on the 429", i)
				}
			}
		})
	}
}

// TestUploadHeldFreedByDelete: ending an upload gives its bytes back to
// the device's quota.
func TestUploadHeldFreedByDelete(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.MaxUploadBytesHeld = 1000 })
	d := e.register(t)
	f := newFile(1000, 1)
	path := e.createAs(t, &d, f, 0)
	g := newFile(10, 2)
	r := e.tusAs(t, &d, http.MethodPost, api.PathUploads, nil, "Upload-Length", "10", "Upload-Metadata", g.meta())
	problemOf(t, r, http.StatusTooManyRequests, api.ProblemQuota)
	if r := e.tusAs(t, &d, http.MethodDelete, path, nil); r.status != http.StatusNoContent {
		t.Fatalf("DELETE = %d, want 204", r.status)
	}
	e.createAs(t, &d, g, 0)
}
