package engine

import (
	"context"
	"sync"
	"time"
)

// pacer spaces the uploads of the items that go out at once, so that the
// uplink always has a file to send but the files do not all share it.
//
// A phone's link is one queue for all of its connections. Uploads that
// start together share it evenly and end together; then all of them wait a
// round trip for their answers, and another for their submissions, while
// the link has nothing to send - again and again, as the items move in
// step. The pacer starts the next upload when the ones going are expected
// to be nearly sent: when what they have left would take the link less
// than two round trips. Until it knows the link's rate, uploads go one
// after the other.
//
// It models the link as shared evenly by the uploads going (as TCP flows
// through one bottleneck are, roughly): each gets rate/k while k go. From
// that it learns the rate from every upload that completes (its bytes over
// its share of the link's time, less the round trip its answer took), and
// knows how much the uploads going have left. Starting early costs nothing
// but a little sharing; starting late leaves the link idle; so it errs on
// the early side. An upload that fails ends its share at once.
type pacer struct {
	now func() time.Time

	mu      sync.Mutex
	rate    float64       // bytes per second of the whole link; 0: not known yet
	rtt     time.Duration // the shortest round trip of a small request seen
	share   float64       // link-seconds each upload going has had: ∫ dt/k
	shareAt time.Time     // when share was last brought up to date
	going   map[*paced]bool
	changed chan struct{} // closed when an upload ended
}

// paced is one upload going.
type paced struct {
	n      int64   // its bytes
	share0 float64 // pacer.share when it started
}

// defaultLead is the lead before a round trip was measured.
const defaultLead = 300 * time.Millisecond

func newPacer(now func() time.Time) *pacer {
	return &pacer{now: now, going: map[*paced]bool{}, changed: make(chan struct{})}
}

// observeRTT records the duration of a request that carried little.
func (p *pacer) observeRTT(d time.Duration) {
	if d <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rtt == 0 || d < p.rtt {
		p.rtt = d
	}
}

// lead is how long before the uploads going are sent the next one starts.
func (p *pacer) lead() time.Duration {
	if p.rtt == 0 {
		return defaultLead
	}
	return 2 * p.rtt
}

// advance brings share up to now; p.mu is held.
func (p *pacer) advance(now time.Time) {
	if k := len(p.going); k > 0 && now.After(p.shareAt) {
		p.share += now.Sub(p.shareAt).Seconds() / float64(k)
	}
	p.shareAt = now
}

// left is the time the link needs for what the uploads going have not sent
// yet, by the model; p.mu is held, p.rate > 0.
func (p *pacer) left() time.Duration {
	var bytes float64
	for u := range p.going {
		bytes += max(0, float64(u.n)-p.rate*(p.share-u.share0))
	}
	return time.Duration(bytes / p.rate * float64(time.Second))
}

// decide says whether an upload may start now, or else how long to wait
// (0: until an upload ends); p.mu is held.
func (p *pacer) decide() (admit bool, wait time.Duration) {
	p.advance(p.now())
	switch {
	case len(p.going) == 0:
		return true, 0
	case p.rate == 0:
		return false, 0
	}
	wait = p.left() - p.lead()
	return wait <= 0, max(wait, 0)
}

// start waits until an upload of n bytes may go, and returns the function
// to call when it ended (ok: it completed, and the rate is learnt from it).
func (p *pacer) start(ctx context.Context, n int64) (done func(ok bool), err error) {
	for {
		p.mu.Lock()
		admit, wait := p.decide()
		if admit {
			u := &paced{n: n, share0: p.share}
			p.going[u] = true
			p.mu.Unlock()
			var once sync.Once
			return func(ok bool) { once.Do(func() { p.end(u, ok) }) }, nil
		}
		changed := p.changed
		p.mu.Unlock()
		var timer *time.Timer
		var fire <-chan time.Time
		if wait > 0 {
			timer = time.NewTimer(wait)
			fire = timer.C
		}
		select {
		case <-ctx.Done():
			err = ctx.Err()
		case <-changed:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
		if err != nil {
			return nil, err
		}
	}
}

// end records that an upload ended.
func (p *pacer) end(u *paced, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.advance(p.now())
	k := len(p.going)
	delete(p.going, u)
	if ok && u.n > 0 {
		// Its answer took a round trip after its last byte, while it
		// still counted as going.
		share := p.share - u.share0 - p.rtt.Seconds()/float64(k)
		if share > 0 {
			r := float64(u.n) / share
			if p.rate == 0 {
				p.rate = r
			} else {
				p.rate = 0.5*p.rate + 0.5*r
			}
		}
	}
	close(p.changed)
	p.changed = make(chan struct{})
}
