package linkemu_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"

	"rathaus/sync/internal/linkemu"
)

// echoServer answers every connection with what it sent.
func echoServer(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

func startLink(t testing.TB, p linkemu.Profile) *linkemu.Link {
	t.Helper()
	l, err := linkemu.Start(echoServer(t), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func payload(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

// roundTrip sends data through the link to the echo server and reads it
// back.
func roundTrip(l *linkemu.Link, data []byte) ([]byte, error) {
	c, err := net.Dial("tcp", l.Addr())
	if err != nil {
		return nil, err
	}
	defer c.Close()
	errc := make(chan error, 1)
	go func() {
		_, err := c.Write(data)
		if err == nil {
			err = c.(*net.TCPConn).CloseWrite()
		}
		errc <- err
	}()
	got, err := io.ReadAll(c)
	if werr := <-errc; err == nil {
		err = werr
	}
	return got, err
}

// TestBytesArriveIntactAndCounted: concurrent connections through one
// link get their bytes back unchanged and in order, and the link counts
// every byte in each direction.
func TestBytesArriveIntactAndCounted(t *testing.T) {
	for _, p := range []linkemu.Profile{
		linkemu.Loopback,
		{Name: "fast", RTT: 2 * time.Millisecond, Down: 200_000_000, Up: 100_000_000},
	} {
		t.Run(p.Name, func(t *testing.T) {
			l := startLink(t, p)
			sizes := []int{1, 1460, 1461, 100_000, 333_333}
			var wg sync.WaitGroup
			for i, n := range sizes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					data := payload(n, uint64(i))
					got, err := roundTrip(l, data)
					if err != nil || !bytes.Equal(got, data) {
						t.Errorf("connection %d: got %d bytes back (%v), want the %d sent", i, len(got), err, n)
					}
				}()
			}
			wg.Wait()
			var total int64
			for _, n := range sizes {
				total += int64(n)
			}
			up, down := l.Bytes()
			if up != total || down != total {
				t.Errorf("bytes on the link = %d up, %d down; want %d each way", up, down, total)
			}
		})
	}
}

// TestCutResetsTheConnectionCarryingTheByte: CutAfter drops the connection
// that is sending when the uplink passes the mark, once; the others and
// later ones go through.
func TestCutResetsTheConnectionCarryingTheByte(t *testing.T) {
	l := startLink(t, linkemu.Loopback)
	small := payload(1000, 1)
	if got, err := roundTrip(l, small); err != nil || !bytes.Equal(got, small) {
		t.Fatalf("before the cut: %d bytes, %v", len(got), err)
	}
	l.CutAfter(50_000)
	big := payload(200_000, 2)
	if got, err := roundTrip(l, big); err == nil && bytes.Equal(got, big) {
		t.Fatal("the connection carrying the cut byte went through whole")
	}
	if n := l.Resets(); n != 1 {
		t.Errorf("resets = %d, want 1", n)
	}
	if got, err := roundTrip(l, big); err != nil || !bytes.Equal(got, big) {
		t.Errorf("after the cut: %d bytes back, %v; want all %d", len(got), err, len(big))
	}
	if n := l.Resets(); n != 1 {
		t.Errorf("resets after a clean connection = %d, want still 1", n)
	}
}

// BenchmarkLine measures how close the link comes to its profile: one
// connection, then four at once, each sending its share of 256 KB up
// through Slow 3G; x-rate is the time taken divided by bytes/rate plus one
// round trip (1.00 is exact).
func BenchmarkLine(b *testing.B) {
	p := linkemu.Profile{Name: "bench", RTT: 100 * time.Millisecond, Down: 10_000_000, Up: 400_000}
	for _, conns := range []int{1, 4} {
		b.Run(map[int]string{1: "one-connection", 4: "four-connections"}[conns], func(b *testing.B) {
			l := startLink(b, p)
			const total = 256 << 10
			for i := 0; i < b.N; i++ {
				start := time.Now()
				var wg sync.WaitGroup
				for c := 0; c < conns; c++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if _, err := roundTrip(l, payload(total/conns, uint64(c))); err != nil {
							b.Error(err)
						}
					}()
				}
				wg.Wait()
				// Up at 400 kbit/s, back down fast, two one-way delays and
				// the handshake's round trip.
				ideal := time.Duration(float64(total)*8/float64(p.Up)*float64(time.Second)) + 2*p.RTT
				b.ReportMetric(float64(time.Since(start))/float64(ideal), "x-rate")
			}
		})
	}
}
