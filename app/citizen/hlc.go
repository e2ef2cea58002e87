package citizen

import (
	"sync"
	"time"

	"rathaus/api"
)

// HLC is a device's hybrid logical clock (api.HLC) for stamping changes:
// safe for concurrent use, reading the wall time from now. Its timestamps
// follow the wall clock, never go backwards, and order the changes of the
// devices of one account even when their clocks disagree a little.
type HLC struct {
	mu  sync.Mutex
	now func() time.Time
	c   api.HLC
}

// NewHLC returns a clock for a device.
func NewHLC(device string, now func() time.Time) *HLC {
	if now == nil {
		now = time.Now
	}
	return &HLC{now: now, c: api.HLC{Device: device}}
}

// Now returns a timestamp later than every one this clock made or observed.
func (h *HLC) Now() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.c = h.c.Tick(h.now().UnixMilli())
	return h.c.String()
}

// Observe moves the clock past a timestamp received from another device;
// one that cannot be read is ignored.
func (h *HLC) Observe(ts string) {
	remote, err := api.ParseHLC(ts)
	if err != nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.c = h.c.Observe(remote, h.now().UnixMilli())
}
