package upload

import (
	"sync"
	"time"
)

// Chunker chooses the size of the next chunk from what the link delivered:
// ten times the bandwidth-delay product, so that the round trip each chunk
// costs stays under a tenth of its sending time, between Min and Max (a cut
// loses at most one chunk).
type Chunker struct {
	Min, Max int64

	mu   sync.Mutex
	rate float64       // bytes per second, smoothed
	rtt  time.Duration // the round trip's floor, from requests without a body
}

// NewChunker returns a chunker from 256 KiB up to 8 MiB.
func NewChunker() *Chunker { return &Chunker{Min: 256 << 10, Max: 8 << 20} }

// Size returns the size of the next chunk.
func (c *Chunker) Size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rate == 0 || c.rtt == 0 {
		return c.Min
	}
	n := int64(c.rate * c.rtt.Seconds() * 10)
	return max(c.Min, min(n, c.Max))
}

// ObserveRTT records the time of a request that carried no body (HEAD).
func (c *Chunker) ObserveRTT(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rtt == 0 || d < c.rtt {
		c.rtt = d
	}
}

// Observe records that n bytes took d, one request and its answer; the
// round trip (when known) is taken off before computing the rate.
func (c *Chunker) Observe(n int64, d time.Duration) {
	if n <= 0 || d <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	send := d - c.rtt
	if send < d/4 {
		send = d / 4 // a noisy round trip must not make the rate absurd
	}
	r := float64(n) / send.Seconds()
	if c.rate == 0 {
		c.rate = r
	} else {
		c.rate = 0.7*c.rate + 0.3*r
	}
}
