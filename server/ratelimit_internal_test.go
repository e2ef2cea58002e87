package server

import (
	"testing"
	"time"
)

// TestLimiterBytes: a bucket of bytes per period refills evenly, says how
// long until a request fits, and never lets more than the capacity
// through at once.
func TestLimiterBytes(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	l := newBucketLimiter(1000, 24*time.Hour, func() time.Time { return now })
	steps := []struct {
		advance time.Duration
		n       float64
		ok      bool
		wait    time.Duration
	}{
		{0, 600, true, 0},
		{0, 500, false, 2*time.Hour + 24*time.Minute}, // 100 missing of 1000 per day
		{time.Hour, 500, false, 1*time.Hour + 24*time.Minute},
		{2 * time.Hour, 500, true, 0},
		{0, 2000, false, 23*time.Hour + 24*time.Minute}, // more than ever fits: the wait until full (25 left)
		{48 * time.Hour, 1000, true, 0},                 // refilled to the capacity, not beyond
		{0, 1, false, 86400 * time.Millisecond},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		ok, wait := l.allowN("a", s.n)
		if ok != s.ok || (!ok && (wait < s.wait-time.Second || wait > s.wait+time.Second)) {
			t.Errorf("step %d: allowN(%v) = %v, wait %v; want %v, wait %v", i, s.n, ok, wait, s.ok, s.wait)
		}
	}
	if ok, _ := l.allowN("b", 1000); !ok {
		t.Error("another client shares the first one's bucket")
	}
	if ok, _ := newBucketLimiter(-1, time.Hour, time.Now).allowN("a", 1e12); !ok {
		t.Error("a limiter without capacity limits")
	}
}
