package appointments

import (
	"context"
	"errors"
	"time"

	"rathaus/api"
)

// Store keeps the bookings. server.Store embeds it; server/sqlite and
// server/postgres implement it, and server/storetest holds them to it.
type Store interface {
	// Every change of a booking (booked, cancelled, also the one a
	// rebooking replaces, checked in) adds a change of kind
	// api.ChangeBooking with the booking as it is then, for its device, or
	// its account when it has one, in the same transaction.
	//
	// Book stores b under the idempotency key in the scope of b.Device, or
	// returns the booking stored earlier under it (replayed=true) when the
	// request hash matches; ErrKeyReused when it does not. At most one
	// booking that is not cancelled holds an office's slot: ErrSlotTaken
	// when another holds b's, however many book it at once (a unique
	// constraint decides). ErrCodeTaken when another booking has b.Code.
	// With b.Replaces, that booking of b.Device or of its account's other
	// devices (not cancelled, not checked in; else ErrNotFound) is
	// cancelled in the same transaction, and only if the new one is
	// stored.
	Book(ctx context.Context, key string, requestHash []byte, b NewBooking) (out Booking, replayed bool, err error)
	// CancelBooking cancels the booking of the device, or of its
	// account's other devices, at the time given; cancelling a cancelled
	// one returns it as it is. ErrNotFound when neither has such a
	// booking, ErrCheckedIn when it was checked in.
	CancelBooking(ctx context.Context, device, id string, at time.Time) (Booking, error)
	// Bookings lists the device's bookings, by start.
	Bookings(ctx context.Context, device string) ([]Booking, error)
	// TakenSlots lists the starts of the office's slots in [from, to) that
	// a booking not cancelled holds.
	TakenSlots(ctx context.Context, office string, from, to time.Time) ([]time.Time, error)
	// CheckIn marks the booking with the code checked in at the time
	// given, once: ErrNotFound for an unknown code, ErrCancelled for a
	// cancelled booking, ErrCheckedIn (with the booking) for one checked in
	// before.
	CheckIn(ctx context.Context, code string, at time.Time) (Booking, error)
}

// Errors of the Store. Stores may also fail with the core's busy and full
// errors, which the core's failure handling answers.
var (
	ErrSlotTaken = errors.New("the slot is booked already")
	ErrCodeTaken = errors.New("the ticket code is in use")
	ErrKeyReused = errors.New("idempotency key was used before with a different booking")
	ErrNotFound  = errors.New("no such booking")
	ErrCancelled = errors.New("the booking was cancelled")
	ErrCheckedIn = errors.New("the ticket was checked in before")
)

// NewBooking is a checked booking request, ready to be stored.
type NewBooking struct {
	ID, Device, Service, Office string
	Start, End                  time.Time
	Code                        string
	// Ticket is the signed payload of the ticket's QR code, kept with the
	// booking so that the changes feed can carry it.
	Ticket   string
	Created  time.Time
	Replaces string
}

// Booking is a booking as the store keeps it. Times are whole seconds,
// UTC.
type Booking struct {
	NewBooking
	Cancelled time.Time // zero while not cancelled
	CheckedIn time.Time // zero while not checked in
}

// Wire is the booking as the API shows it.
func (b Booking) Wire() api.Booking {
	status := api.BookingBooked
	switch {
	case !b.Cancelled.IsZero():
		status = api.BookingCancelled
	case !b.CheckedIn.IsZero():
		status = api.BookingCheckedIn
	}
	return api.Booking{ID: b.ID, Service: b.Service, Office: b.Office, Start: b.Start.UTC(), End: b.End.UTC(),
		Status: status, Code: FormatCode(b.Code), Ticket: b.Ticket, Created: b.Created.UTC(), Replaces: b.Replaces}
}
