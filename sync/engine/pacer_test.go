package engine

import (
	"context"
	"math"
	"testing"
	"time"
)

// fakeTime is a clock the test moves.
type fakeTime struct{ t time.Time }

func (f *fakeTime) now() time.Time      { return f.t }
func (f *fakeTime) add(d time.Duration) { f.t = f.t.Add(d) }
func seconds(s float64) time.Duration   { return time.Duration(s * float64(time.Second)) }
func near(got, want, tol float64) bool  { return math.Abs(got-want) <= tol*want }
func (p *pacer) decideNow() (bool, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.decide()
}

// TestPacer walks the pacer through a link of 100,000 bytes/s with a round
// trip of 0.2 s and files of 100,000 bytes (1 s each on the link alone).
func TestPacer(t *testing.T) {
	ctx := context.Background()
	clk := &fakeTime{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := newPacer(clk.now)
	p.observeRTT(300 * time.Millisecond)
	p.observeRTT(200 * time.Millisecond)
	p.observeRTT(250 * time.Millisecond)
	if p.rtt != 200*time.Millisecond {
		t.Fatalf("rtt = %v, want the shortest seen, 200ms", p.rtt)
	}

	// Nothing known: the first goes at once, the second waits for it.
	doneA, err := p.start(ctx, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	if ok, wait := p.decideNow(); ok || wait != 0 {
		t.Fatalf("second upload with the rate unknown: admit %v, wait %v; want to wait for the first to end", ok, wait)
	}
	// A's last byte leaves after 1 s, its answer comes a round trip later.
	clk.add(seconds(1.2))
	doneA(true)
	if !near(p.rate, 100_000, 0.01) {
		t.Fatalf("rate learnt = %.0f, want 100000", p.rate)
	}

	// Rate known: B goes; C may go when B has less than two round trips
	// (0.4 s) to send, i.e. after 0.6 s.
	doneB, _ := p.start(ctx, 100_000)
	if ok, wait := p.decideNow(); ok || !near(wait.Seconds(), 0.6, 0.01) {
		t.Fatalf("C right after B: admit %v, wait %v; want to wait 0.6s", ok, wait)
	}
	clk.add(seconds(0.6))
	if ok, _ := p.decideNow(); !ok {
		t.Fatal("C 0.6s after B: not admitted")
	}
	doneC, _ := p.start(ctx, 100_000)
	// B and C share the link: B's last 40,000 bytes go at half the rate
	// (0.8 s), its answer 0.2 s later.
	clk.add(seconds(1.0))
	doneB(true)
	if !near(p.rate, 100_000, 0.02) {
		t.Errorf("rate learnt from a shared upload = %.0f, want about 100000", p.rate)
	}
	// C has most of its bytes left (by the model, 50,000: B counts as
	// sharing until its answer came), more than two round trips' worth.
	if ok, wait := p.decideNow(); ok || wait <= 0 {
		t.Errorf("D while C has most of its bytes left: admit %v, wait %v; want to wait", ok, wait)
	}
	// C fails: it sends nothing more, the rate stays, the link is free.
	rate := p.rate
	doneC(false)
	doneC(true) // a second call is ignored
	if p.rate != rate {
		t.Errorf("rate after a failed upload = %.0f, want unchanged %.0f", p.rate, rate)
	}
	if ok, _ := p.decideNow(); !ok {
		t.Error("with nothing going, the next upload is not admitted")
	}

	// A cancelled wait returns the context's error.
	hold, _ := p.start(ctx, 1<<30)
	defer hold(false)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.start(cctx, 100_000); err == nil {
		t.Error("start with a cancelled context while waiting returned no error")
	}
}
