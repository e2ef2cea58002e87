package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
)

func booking(id, status string, start time.Time) api.Booking {
	return api.Booking{ID: id, Service: "anmeldung-wohnung", Office: "buergerbuero", Start: start, End: start.Add(15 * time.Minute),
		Status: status, Code: "K7MQ-P2XD", Ticket: "RATHAUS-TICKET:1:" + id, Created: start.Add(-time.Hour)}
}

func apply(t *testing.T, f *fixture, cursor string, bs ...api.Booking) bool {
	t.Helper()
	var cs []api.Change
	for _, b := range bs {
		cs = append(cs, api.Change{Kind: api.ChangeBooking, Booking: &b})
	}
	applied, err := f.ApplyChanges(context.Background(), cs, cursor)
	if err != nil {
		t.Fatal(err)
	}
	return applied.Appointments
}

// TestBookingsFromTheFeed: the feed's bookings become the device's
// appointments once each, never moving one back from cancelled, and the
// ticket is never stored in plain text.
func TestBookingsFromTheFeed(t *testing.T) {
	ctx := context.Background()
	f := MustOpen(t)
	start := time.Date(2026, 12, 8, 8, 0, 0, 0, time.UTC)
	slot := api.Slot{Start: start, End: start.Add(15 * time.Minute)}
	own, err := f.BookAppointment(ctx, "anmeldung-wohnung", "buergerbuero", slot, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		b       api.Booking
		changed bool
		want    citizen.AppointmentState
	}{
		{"its own booking, its answer still on the way", booking("b_own", api.BookingBooked, start), true, citizen.AppointmentBooked},
		{"the same again", booking("b_own", api.BookingBooked, start), false, citizen.AppointmentBooked},
		{"cancelled elsewhere", booking("b_own", api.BookingCancelled, start), true, citizen.AppointmentCancelled},
		{"an older change after it", booking("b_own", api.BookingBooked, start), false, citizen.AppointmentCancelled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := apply(t, f, "c", tc.b); got != tc.changed {
				t.Errorf("changed = %v, want %v", got, tc.changed)
			}
			a, err := f.Appointment(ctx, own.Local)
			if err != nil || a.ID != "b_own" || a.State != tc.want || a.Code != "K7MQ-P2XD" {
				t.Errorf("appointment = %+v, %v; want b_own %s with its code", a, err, tc.want)
			}
		})
	}
	apply(t, f, "d", booking("b_other", api.BookingBooked, start.Add(time.Hour)), booking("b_gone", api.BookingCancelled, start.Add(2*time.Hour)))
	as, err := f.Appointments(ctx)
	if err != nil || len(as) != 2 || as[1].ID != "b_other" || as[1].State != citizen.AppointmentBooked {
		t.Fatalf("appointments = %+v, %v; want the own one and the account's other one, not the one gone", as, err)
	}

	// A booking the feed brought first, then its answer: one appointment.
	later := api.Slot{Start: start.Add(3 * time.Hour), End: start.Add(3*time.Hour + 15*time.Minute)}
	mine, err := f.BookAppointment(ctx, "anmeldung-wohnung", "standesamt", later, "")
	if err != nil {
		t.Fatal(err)
	}
	dup := booking("b_late", api.BookingBooked, later.Start)
	dup.Office = "elsewhere" // not found by its time: kept as another device's
	apply(t, f, "e", dup)
	items, err := f.DueOutbox(ctx, f.clock.Now(), true)
	if err != nil || len(items) == 0 {
		t.Fatalf("outbox: %d items, %v", len(items), err)
	}
	if err := f.AckBooking(ctx, items[len(items)-1].ID, mine.Local, booking("b_late", api.BookingBooked, later.Start)); err != nil {
		t.Fatal(err)
	}
	as, _ = f.Appointments(ctx)
	n := 0
	for _, a := range as {
		if a.ID == "b_late" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d appointments hold b_late, want 1", n)
	}

	var sealed []byte
	if err := f.DB().QueryRow("SELECT ticket_sealed FROM appointments WHERE id = 'b_other'").Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("K7MQ")) || bytes.Contains(sealed, []byte("RATHAUS-TICKET")) {
		t.Error("the ticket is stored in plain text")
	}
}
