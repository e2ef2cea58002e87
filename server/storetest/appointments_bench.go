package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"rathaus/server"
	"rathaus/server/appointments"
)

// benchAppointments measures bookings: one at a time, each of a free slot
// (with its change in the feed), and from many requests at once where
// eight race for each slot, as on a popular morning (the unique index
// decides; the losers' transactions roll back).
func benchAppointments(b *testing.B, open func(b *testing.B) server.Store) {
	ctx := context.Background()
	b.Run("Book", func(b *testing.B) {
		s := open(b)
		addBenchDevice(b, s, "d_a")
		b.ResetTimer()
		for i := range b.N {
			nb := newBooking(fmt.Sprint("b", i), "d_a", fmt.Sprint("o", i%50), i/50)
			if _, _, err := s.Book(ctx, fmt.Sprint(i), hash("a"), nb); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("BookContended", func(b *testing.B) {
		s := open(b)
		for i := range 16 {
			addBenchDevice(b, s, fmt.Sprintf("d_%d", i))
		}
		var n, won atomic.Int64
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(n.Add(1))
				nb := newBooking(fmt.Sprint("b", i), fmt.Sprintf("d_%d", i%16), "buero", i/8)
				_, _, err := s.Book(ctx, fmt.Sprint(i), hash("a"), nb)
				switch {
				case err == nil:
					won.Add(1)
				case !errors.Is(err, appointments.ErrSlotTaken):
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(won.Load())/float64(n.Load()), "won/op")
	})
}
