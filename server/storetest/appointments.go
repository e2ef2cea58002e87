package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/appointments"
)

// slotAt is the start of the test's slot number i (15 minutes apart).
func slotAt(i int) time.Time {
	return time.Date(2026, 12, 8, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * 15 * time.Minute)
}

func newBooking(id, device, office string, slot int) appointments.NewBooking {
	start := slotAt(slot)
	return appointments.NewBooking{ID: id, Device: device, Service: "anmeldung-wohnung", Office: office,
		Start: start, End: start.Add(15 * time.Minute), Code: "CODE" + id, Created: created}
}

func mustBook(t *testing.T, s Store, key string, b appointments.NewBooking) appointments.Booking {
	t.Helper()
	got, replayed, err := s.Book(context.Background(), key, hash(key), b)
	if err != nil || replayed {
		t.Fatalf("Book(%s) = replayed %v, err %v; want a new booking", key, replayed, err)
	}
	return got
}

// testAppointments checks bookings: one per key, one per slot (also when
// many book it at once), rebooking, cancelling and checking tickets in.
func testAppointments(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()

	t.Run("book and replay", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_a")
		nb := newBooking("b1", "d_a", "buero", 0)
		first := mustBook(t, s, "k1", nb)
		if first.ID != "b1" || first.Code != "CODEb1" || !first.Start.Equal(nb.Start) || !first.Cancelled.IsZero() {
			t.Errorf("Book = %+v, want the booking asked for", first)
		}
		again := nb
		again.ID, again.Code = "b2", "CODEb2" // a retry makes a new id and code; the first stays
		got, replayed, err := s.Book(ctx, "k1", hash("k1"), again)
		if err != nil || !replayed || !reflect.DeepEqual(got, first) {
			t.Errorf("Book(same key) = %+v, replayed %v, err %v; want the first booking, replayed", got, replayed, err)
		}
		if _, _, err := s.Book(ctx, "k1", hash("other"), again); !errors.Is(err, appointments.ErrKeyReused) {
			t.Errorf("Book(same key, other request) err = %v, want ErrKeyReused", err)
		}
		list, err := s.Bookings(ctx, "d_a")
		if err != nil || len(list) != 1 || !reflect.DeepEqual(list[0], first) {
			t.Errorf("Bookings = %+v, %v; want just the first booking", list, err)
		}
	})

	t.Run("one booking per slot", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_a")
		addDevice(t, s, "d_b")
		mustBook(t, s, "k1", newBooking("b1", "d_a", "buero", 0))
		if _, _, err := s.Book(ctx, "k2", hash("k2"), newBooking("b2", "d_b", "buero", 0)); !errors.Is(err, appointments.ErrSlotTaken) {
			t.Errorf("Book(taken slot) err = %v, want ErrSlotTaken", err)
		}
		mustBook(t, s, "k3", newBooking("b3", "d_b", "standesamt", 0)) // another office, same time
		dup := newBooking("b4", "d_b", "buero", 1)
		dup.Code = "CODEb1"
		if _, _, err := s.Book(ctx, "k4", hash("k4"), dup); !errors.Is(err, appointments.ErrCodeTaken) {
			t.Errorf("Book(code in use) err = %v, want ErrCodeTaken", err)
		}
		taken, err := s.TakenSlots(ctx, "buero", slotAt(0), slotAt(4))
		if err != nil || len(taken) != 1 || !taken[0].Equal(slotAt(0)) {
			t.Errorf("TakenSlots = %v, %v; want [%v]", taken, err, slotAt(0))
		}
		if _, err := s.CancelBooking(ctx, "d_a", "b1", created); err != nil {
			t.Fatalf("CancelBooking: %v", err)
		}
		if taken, err := s.TakenSlots(ctx, "buero", slotAt(0), slotAt(4)); err != nil || len(taken) != 0 {
			t.Errorf("TakenSlots after cancel = %v, %v; want none", taken, err)
		}
		mustBook(t, s, "k2b", newBooking("b2", "d_b", "buero", 0)) // free again
	})

	t.Run("many book one slot", func(t *testing.T) {
		s := open(t)
		const n = 50
		for i := range n {
			addDevice(t, s, fmt.Sprintf("d_%02d", i))
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				id := fmt.Sprintf("b%02d", i)
				_, _, errs[i] = s.Book(ctx, "k", hash("k"), newBooking(id, fmt.Sprintf("d_%02d", i), "buero", 3))
			})
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, appointments.ErrSlotTaken):
				t.Errorf("booking %d: %v, want nil or ErrSlotTaken", i, err)
			}
		}
		if won != 1 {
			t.Errorf("%d of %d bookings of one slot won, want exactly 1", won, n)
		}
	})

	t.Run("rebook", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_a")
		addDevice(t, s, "d_b")
		mustBook(t, s, "k1", newBooking("b1", "d_a", "buero", 0))
		mustBook(t, s, "k2", newBooking("b2", "d_b", "buero", 1))

		into := newBooking("b3", "d_a", "buero", 1) // d_b holds it
		into.Replaces = "b1"
		if _, _, err := s.Book(ctx, "k3", hash("k3"), into); !errors.Is(err, appointments.ErrSlotTaken) {
			t.Fatalf("rebook into a taken slot: err = %v, want ErrSlotTaken", err)
		}
		foreign := newBooking("b4", "d_a", "buero", 2)
		foreign.Replaces = "b2" // d_b's
		if _, _, err := s.Book(ctx, "k4", hash("k4"), foreign); !errors.Is(err, appointments.ErrNotFound) {
			t.Fatalf("rebook of another device's booking: err = %v, want ErrNotFound", err)
		}
		ok := newBooking("b5", "d_a", "buero", 2)
		ok.Replaces = "b1"
		mustBook(t, s, "k5", ok)
		list, err := s.Bookings(ctx, "d_a")
		if err != nil || len(list) != 2 {
			t.Fatalf("Bookings = %+v, %v; want the old and the new", list, err)
		}
		if list[0].ID != "b1" || list[0].Cancelled.IsZero() || list[1].ID != "b5" || !list[1].Cancelled.IsZero() || list[1].Replaces != "b1" {
			t.Errorf("after rebooking: %+v; want b1 cancelled, b5 booked replacing it", list)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_a")
		addDevice(t, s, "d_b")
		mustBook(t, s, "k1", newBooking("b1", "d_a", "buero", 0))
		if _, err := s.CancelBooking(ctx, "d_b", "b1", created); !errors.Is(err, appointments.ErrNotFound) {
			t.Errorf("CancelBooking by another device: err = %v, want ErrNotFound", err)
		}
		addDevice(t, s, "d_c")
		mustBook(t, s, "k2", newBooking("b2", "d_c", "buero", 1))
		if err := s.LinkDevices(ctx, "acc", "d_b", "d_c"); err != nil {
			t.Fatal(err)
		}
		if got, err := s.CancelBooking(ctx, "d_b", "b2", created); err != nil || got.Cancelled.IsZero() {
			t.Errorf("CancelBooking by a device of the same account = %+v, %v; want it cancelled", got, err)
		}
		at := created.Add(time.Hour)
		first, err := s.CancelBooking(ctx, "d_a", "b1", at)
		if err != nil || !first.Cancelled.Equal(at) {
			t.Fatalf("CancelBooking = %+v, %v; want cancelled at %v", first, err, at)
		}
		again, err := s.CancelBooking(ctx, "d_a", "b1", at.Add(time.Hour))
		if err != nil || !reflect.DeepEqual(again, first) {
			t.Errorf("CancelBooking again = %+v, %v; want it unchanged %+v", again, err, first)
		}
	})

	t.Run("check in", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_a")
		mustBook(t, s, "k1", newBooking("b1", "d_a", "buero", 0))
		mustBook(t, s, "k2", newBooking("b2", "d_a", "buero", 1))
		at := created.Add(time.Hour)
		got, err := s.CheckIn(ctx, "CODEb1", at)
		if err != nil || got.ID != "b1" || !got.CheckedIn.Equal(at) {
			t.Fatalf("CheckIn = %+v, %v; want b1 checked in at %v", got, err, at)
		}
		got, err = s.CheckIn(ctx, "CODEb1", at.Add(time.Minute))
		if !errors.Is(err, appointments.ErrCheckedIn) || !got.CheckedIn.Equal(at) {
			t.Errorf("CheckIn again = %+v, %v; want ErrCheckedIn with the first time", got, err)
		}
		if _, err := s.CancelBooking(ctx, "d_a", "b1", at); !errors.Is(err, appointments.ErrCheckedIn) {
			t.Errorf("CancelBooking after check-in: err = %v, want ErrCheckedIn", err)
		}
		if _, err := s.CancelBooking(ctx, "d_a", "b2", at); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CheckIn(ctx, "CODEb2", at); !errors.Is(err, appointments.ErrCancelled) {
			t.Errorf("CheckIn of a cancelled booking: err = %v, want ErrCancelled", err)
		}
		if _, err := s.CheckIn(ctx, "NOSUCH", at); !errors.Is(err, appointments.ErrNotFound) {
			t.Errorf("CheckIn of an unknown code: err = %v, want ErrNotFound", err)
		}
	})

	t.Run("feed", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_a")
		addDevice(t, s, "d_b")
		addDevice(t, s, "d_c")
		if err := s.LinkDevices(ctx, "acc", "d_a", "d_b"); err != nil {
			t.Fatal(err)
		}
		nb := newBooking("b1", "d_a", "buero", 0)
		nb.Ticket = "RATHAUS-TICKET:1:b1"
		mustBook(t, s, "k1", nb)
		re := newBooking("b2", "d_a", "buero", 1)
		re.Replaces = "b1"
		mustBook(t, s, "k2", re)
		if _, err := s.CheckIn(ctx, "CODEb2", created); err != nil {
			t.Fatal(err)
		}
		mustBook(t, s, "k3", newBooking("b3", "d_c", "buero", 2))

		var got []string
		for _, c := range feed(t, s, server.Device{ID: "d_b", Account: "acc"}, 0, 10) {
			if c.Kind == api.ChangeBooking && c.Booking != nil {
				got = append(got, c.Booking.ID+" "+c.Booking.Status)
			}
		}
		want := []string{"b1 booked", "b1 cancelled", "b2 booked", "b2 checked_in"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("the account's other device sees bookings %v, want %v (not another device's)", got, want)
		}
		for _, c := range feed(t, s, server.Device{ID: "d_a", Account: "acc"}, 0, 10) {
			if c.Booking != nil && c.Booking.ID == "b1" && (c.Booking.Ticket != nb.Ticket || c.Booking.Code != appointments.FormatCode(nb.Code)) {
				t.Errorf("booking change %+v: want the ticket and the code as shown", c.Booking)
			}
		}
		if own := feed(t, s, server.Device{ID: "d_c"}, 0, 10); len(own) != 1 || own[0].Booking == nil || own[0].Booking.ID != "b3" {
			t.Errorf("a device without account sees %v, want its own booking", describe(own))
		}
	})
}
