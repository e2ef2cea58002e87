package citizen

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// HLC is a hybrid logical clock: timestamps that follow the wall clock,
// never go backwards, and order the changes of several devices of one
// account even when their clocks disagree a little. A timestamp is a string
// "WWWWWWWWWWWWW-CCCCC-DEVICE" (wall milliseconds, a counter, the device)
// whose string order is its time order, so the backend and every device
// compare clocks the same way without parsing them.
type HLC struct {
	mu      sync.Mutex
	device  string
	now     func() time.Time
	wall    int64
	counter uint32
}

// NewHLC returns a clock for a device.
func NewHLC(device string, now func() time.Time) *HLC {
	if now == nil {
		now = time.Now
	}
	return &HLC{device: device, now: now}
}

// Now returns a timestamp later than every one this clock made or observed.
func (h *HLC) Now() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	wall := h.now().UnixMilli()
	if wall > h.wall {
		h.wall, h.counter = wall, 0
	} else {
		h.counter++
	}
	return FormatClock(h.wall, h.counter, h.device)
}

// Observe moves the clock past a timestamp received from another device.
func (h *HLC) Observe(ts string) {
	wall, counter, _, ok := ParseClock(ts)
	if !ok {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if wall > h.wall || wall == h.wall && counter > h.counter {
		h.wall, h.counter = wall, counter
	}
}

// FormatClock writes a timestamp.
func FormatClock(wall int64, counter uint32, device string) string {
	return fmt.Sprintf("%013d-%05d-%s", wall, counter, device)
}

// ParseClock reads a timestamp written by FormatClock.
func ParseClock(ts string) (wall int64, counter uint32, device string, ok bool) {
	parts := strings.SplitN(ts, "-", 3)
	if len(parts) != 3 || len(parts[0]) != 13 || len(parts[1]) != 5 {
		return 0, 0, "", false
	}
	w, err1 := strconv.ParseInt(parts[0], 10, 64)
	c, err2 := strconv.ParseUint(parts[1], 10, 32)
	if err1 != nil || err2 != nil {
		return 0, 0, "", false
	}
	return w, uint32(c), parts[2], true
}
