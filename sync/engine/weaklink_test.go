package engine_test

import (
	"context"
	"flag"
	"strings"
	"testing"
	"time"

	"rathaus/server/servertest"
	"rathaus/sync/engine"
	"rathaus/sync/internal/linkemu"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

var (
	weakN        = flag.Int("weaklink.n", 20, "submissions per BenchmarkWeakLink run")
	weakParallel = flag.Int("weaklink.parallel", 0, "the engine's WithParallel in BenchmarkWeakLink (0: its default)")
)

// weakPhoto is the size the benchmark's photos are made about.
const weakPhoto = 100_000

// linkDevice is a device whose real clients, with their default settings,
// reach the backend through an emulated link.
func linkDevice(tb testing.TB, backend *servertest.Backend, link *linkemu.Link, opts ...engine.Option) *rig {
	tb.Helper()
	r := device(tb, backend, opts...)
	r.clients = func() (engine.Portal, engine.Uploader) {
		return portal.New(link.URL()), upload.New(link.URL())
	}
	r.open(tb)
	return r
}

// weakLinkResult is what one run measured.
type weakLinkResult struct {
	wall              time.Duration
	payload           int64 // bytes of the files
	up, down          int64 // bytes on the link while sending
	received          int64 // upload body bytes the backend read
	resets            int64
	busy              float64 // share of the wall time the uplink was sending
	maxChunk          int64
	xUplink, wireRate float64
}

// runWeakLink queues n submissions with a photo of about 100 KB each while
// the device is offline, then lets the engine's own loop (Run) send them
// over the link, and measures until the last one is acknowledged. With cut,
// the link drops the connection that is sending when half the payload went.
func runWeakLink(tb testing.TB, p linkemu.Profile, n int, cut bool) weakLinkResult {
	tb.Helper()
	backend := servertest.New(tb)
	counter := newCountingNet(tb, backend)
	link, err := linkemu.Start(strings.TrimPrefix(backend.URL, "http://"), p)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { link.Close() })
	opts := []engine.Option{engine.WithInterval(time.Hour)}
	if *weakParallel > 0 {
		opts = append(opts, engine.WithParallel(*weakParallel))
	}
	dev := linkDevice(tb, backend, link, opts...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// First contact: registered, catalog and forms cached, over the link.
	if err := dev.engine.Sync(ctx); err != nil {
		tb.Fatalf("first pass: %v", err)
	}
	var res weakLinkResult
	for i := 0; i < n; i++ {
		q := queueSubmission(tb, dev, 0, weakPhoto, uint64(1000+i)) // maengelmelder with a photo
		for _, f := range q.files {
			res.payload += f.size
		}
	}
	up0, down0 := link.Bytes()
	if cut {
		link.CutAfter(res.payload / 2)
	}
	link.MeasureUplink()
	start := time.Now()
	done := make(chan struct{})
	go func() { dev.engine.Run(ctx); close(done) }()
	for sentCount(tb, dev) < n {
		time.Sleep(5 * time.Millisecond)
	}
	res.wall = time.Since(start)
	res.busy = link.UplinkBusy()
	cancel()
	<-done
	up, down := link.Bytes()
	res.up, res.down = up-up0, down-down0
	res.received = counter.receivedTotal()
	res.resets = link.Resets()
	res.maxChunk = upload.NewChunker().Max
	res.xUplink = res.wall.Seconds() / (float64(res.payload) * 8 / float64(p.Up))
	res.wireRate = float64(res.up+res.down) / float64(res.payload)
	if cut && res.resets != 1 {
		tb.Errorf("the link cut %d connections, want 1", res.resets)
	}
	return res
}

// BenchmarkWeakLink sends 20 submissions with a 100 KB photo each over the
// emulated profiles, with and without a cut in the middle of the upload:
//
//	x-uplink     wall time / (payload / uplink rate); 1.00 is the link's limit
//	wire/payload bytes on the link, both ways, / payload bytes
//	up/payload   bytes going up / payload bytes
//	resent-B     upload bytes the backend read beyond the payload
//	up-busy      share of the wall time the uplink was sending
//
// Each run takes about a minute on 3G and six on 2G; one run per profile:
//
//	go test ./sync/engine -run '^$' -bench WeakLink -benchtime 1x -timeout 60m
func BenchmarkWeakLink(b *testing.B) {
	for _, p := range linkemu.Profiles {
		for _, cut := range []bool{false, true} {
			name := p.Name + "/nocut"
			if cut {
				name = p.Name + "/cut"
			}
			b.Run(name, func(b *testing.B) {
				var last weakLinkResult
				for i := 0; i < b.N; i++ {
					last = runWeakLink(b, p, *weakN, cut)
				}
				b.ReportMetric(last.xUplink, "x-uplink")
				b.ReportMetric(last.wireRate, "wire/payload")
				b.ReportMetric(float64(last.up)/float64(last.payload), "up/payload")
				b.ReportMetric(float64(last.received-last.payload), "resent-B")
				b.ReportMetric(last.wall.Seconds(), "wall-s")
				b.ReportMetric(last.busy, "up-busy")
				b.Logf("%s: %d B payload, %v, %d B up, %d B down, backend read %d B of uploads",
					name, last.payload, last.wall.Round(time.Millisecond), last.up, last.down, last.received)
			})
		}
	}
}

// unchangedPull runs a pass with nothing new anywhere (catalog unchanged,
// forms cached, feed empty, nothing to send) and returns its bytes on the
// link.
func unchangedPull(tb testing.TB, p linkemu.Profile) (up, down int64, wall time.Duration) {
	tb.Helper()
	backend := servertest.New(tb)
	link, err := linkemu.Start(strings.TrimPrefix(backend.URL, "http://"), p)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { link.Close() })
	dev := linkDevice(tb, backend, link)
	ctx := context.Background()
	for i := 0; i < 2; i++ { // the first registers and fetches; the second reads the feed's first page
		if err := dev.engine.Sync(ctx); err != nil {
			tb.Fatal(err)
		}
	}
	up0, down0 := link.Bytes()
	start := time.Now()
	if err := dev.engine.Sync(ctx); err != nil {
		tb.Fatal(err)
	}
	wall = time.Since(start)
	up, down = link.Bytes()
	return up - up0, down - down0, wall
}

// TestUnchangedPullIsSmall: a pass that finds nothing new costs at most
// 1 KB on the wire (a 304 for the catalog, an empty page of the feed).
func TestUnchangedPullIsSmall(t *testing.T) {
	up, down, _ := unchangedPull(t, linkemu.Loopback)
	if up+down > 1024 {
		t.Errorf("an unchanged pull cost %d bytes (%d up, %d down), want at most 1024", up+down, up, down)
	}
}

// BenchmarkUnchangedPull reports the bytes and the time of a pass that
// finds nothing new, per profile.
func BenchmarkUnchangedPull(b *testing.B) {
	for _, p := range linkemu.Profiles {
		b.Run(p.Name, func(b *testing.B) {
			var up, down int64
			var wall time.Duration
			for i := 0; i < b.N; i++ {
				up, down, wall = unchangedPull(b, p)
			}
			b.ReportMetric(float64(up+down), "wire-B")
			b.ReportMetric(float64(up), "up-B")
			b.ReportMetric(float64(down), "down-B")
			b.ReportMetric(wall.Seconds(), "wall-s")
		})
	}
}

// receivedTotal returns the upload bytes the backend read in all.
func (n *faultNet) receivedTotal() int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	var sum int64
	for _, v := range n.received {
		sum += v
	}
	return sum
}
