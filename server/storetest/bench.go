package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"rathaus/api"
	"rathaus/server"
)

// Benchmark measures what the backend asks of a store most: making cases
// (one at a time, and from many requests at once, each with a change in
// the feed), reading a page of the feed, and what a device holds (before
// each of its writes). open makes a new, empty store.
func Benchmark(b *testing.B, open func(b *testing.B) server.Store) {
	ctx := context.Background()
	b.Run("CreateCase", func(b *testing.B) {
		s := open(b)
		addBenchDevice(b, s, "d_a")
		b.ResetTimer()
		for i := range b.N {
			if _, _, err := s.CreateCase(ctx, fmt.Sprint(i), hash("a"), deviceCase(caseID(i), "d_a")); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("CreateCaseParallel", func(b *testing.B) {
		s := open(b)
		for i := range 16 {
			addBenchDevice(b, s, fmt.Sprintf("d_%d", i))
		}
		var n atomic.Int64
		b.SetParallelism(8) // 8 per core: requests wait on the database, not the CPU
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(n.Add(1))
				if _, _, err := s.CreateCase(ctx, fmt.Sprint(i), hash("a"), deviceCase(caseID(i), fmt.Sprintf("d_%d", i%16))); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("Changes", func(b *testing.B) {
		s := open(b)
		addBenchDevice(b, s, "d_a")
		for i := range 1000 {
			if _, _, err := s.CreateCase(ctx, fmt.Sprint(i), hash("a"), deviceCase(caseID(i), "d_a")); err != nil {
				b.Fatal(err)
			}
		}
		d := server.Device{ID: "d_a"}
		b.ResetTimer()
		for i := range b.N {
			page, _, err := s.Changes(ctx, d, int64(i%900), 100)
			if err != nil || len(page) != 100 {
				b.Fatalf("Changes = %d, %v", len(page), err)
			}
		}
	})
	b.Run("Usage", func(b *testing.B) {
		// A device at the default quotas: 100 open cases, 50 drafts of
		// 200 KiB (10 MiB); the backend asks this before every
		// submission and draft write.
		s := open(b)
		addBenchDevice(b, s, "d_a")
		for i := range 100 {
			if _, _, err := s.CreateCase(ctx, fmt.Sprint(i), hash("a"), deviceCase(caseID(i), "d_a")); err != nil {
				b.Fatal(err)
			}
		}
		d := server.Device{ID: "d_a"}
		value, _ := json.Marshal(strings.Repeat("x", 200<<10))
		for i := range 50 {
			id := fmt.Sprint("draft-", i)
			_, err := s.PutDraft(ctx, d, id, func(*api.DraftCopy) (api.DraftCopy, []server.DraftConflict, bool) {
				return api.DraftCopy{ID: id, Fields: map[string]api.DraftField{"note": {Value: value, Clock: clock(1, "d_a")}}}, nil, true
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		for range b.N {
			u, err := s.Usage(ctx, d)
			if err != nil || u.OpenCases != 100 || u.Drafts != 50 {
				b.Fatalf("Usage = %+v, %v", u, err)
			}
		}
	})
	benchAppointments(b, open)
}

func addBenchDevice(b *testing.B, s server.Store, id string) {
	b.Helper()
	err := s.CreateDevice(context.Background(), server.NewDevice{ID: id, TokenHash: hash(id), Platform: "linux", AppVersion: "0.1", Created: created})
	if err != nil {
		b.Fatal(err)
	}
}
