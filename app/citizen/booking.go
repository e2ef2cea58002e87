package citizen

import (
	"time"

	"rathaus/api"
)

// OutboxBooking books a slot (or, with Replaces, rebooks) for this device;
// the backend makes one booking of it, under its idempotency key.
var OutboxBooking = RegisterOutboxKind("booking", func() OutboxPayload { return new(BookingPayload) })

// OutboxBookingCancel cancels an appointment at the backend. It is queued
// behind the appointment's booking (both under the appointment's outbox
// "draft" id), so a booking and its cancel made offline go out in order.
var OutboxBookingCancel = RegisterOutboxKind("booking_cancel", func() OutboxPayload { return new(BookingCancelPayload) })

// BookingPayload is a booking as the citizen asked for it. Local is the
// device's id of the appointment; Replaces the local id of the
// appointment it replaces ("" for a new booking).
type BookingPayload struct {
	Local    string   `json:"local"`
	Service  string   `json:"service"`
	Office   string   `json:"office"`
	Slot     api.Slot `json:"slot"`
	Replaces string   `json:"replaces,omitempty"`
}

// OutboxKind implements OutboxPayload.
func (*BookingPayload) OutboxKind() OutboxKind { return OutboxBooking }

// BookingCancelPayload names the appointment to cancel.
type BookingCancelPayload struct {
	Local string `json:"local"`
}

// OutboxKind implements OutboxPayload.
func (*BookingCancelPayload) OutboxKind() OutboxKind { return OutboxBookingCancel }

// AppointmentOutboxID is the outbox's ordering id of an appointment's
// items: its booking, then its cancel.
func AppointmentOutboxID(local string) string { return "appointment:" + local }

// AppointmentState is where an appointment stands on this device.
type AppointmentState string

// Appointment states.
const (
	// AppointmentPending: asked for, waiting for the backend's answer.
	AppointmentPending AppointmentState = "pending"
	// AppointmentBooked: the backend booked it; the ticket is there.
	AppointmentBooked AppointmentState = "booked"
	// AppointmentTaken: someone else booked the slot first; Alternatives
	// are the nearest free ones.
	AppointmentTaken AppointmentState = "taken"
	// AppointmentCancelling: the citizen cancelled; the cancel waits to go.
	AppointmentCancelling AppointmentState = "cancelling"
	// AppointmentCancelled: cancelled (or replaced by a rebooking).
	AppointmentCancelled AppointmentState = "cancelled"
	// AppointmentCheckedIn: the citizen was there; staff checked the
	// ticket in.
	AppointmentCheckedIn AppointmentState = "checked_in"
	// AppointmentFailed: the backend refused the booking for good; Error
	// says why.
	AppointmentFailed AppointmentState = "failed"
)

// Appointment is a booking as the device keeps it: what was asked for,
// and once the backend answered, its id and ticket.
type Appointment struct {
	Local   string
	ID      string // the backend's, "" until booked
	Service string
	Office  string
	Slot    api.Slot
	State   AppointmentState
	// Code and Ticket are the ticket's short code and QR payload.
	Code, Ticket string
	// Replaces is the local id of the appointment this one rebooks.
	Replaces     string
	Alternatives []api.Slot
	Error        string // for people, in English, when Failed
	Created      time.Time
}

// Usable reports whether the appointment holds, or may yet hold, its slot.
func (a Appointment) Usable() bool {
	return a.State == AppointmentPending || a.State == AppointmentBooked
}
