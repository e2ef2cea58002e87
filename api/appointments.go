package api

import "time"

// Appointments: offices with their opening hours, the free slots of a
// service at an office, bookings of a device and the check-in of tickets.
const (
	PathAppointments = "/v1/appointments/"
	PathOffices      = PathAppointments + "offices"
	PathSlots        = PathAppointments + "slots" // ?service=&office=&from=&days=
	PathBookings     = PathAppointments + "bookings"
	// PathTicketCheckIn is the staff's check-in of a ticket at the desk
	// (Authorization: Bearer <staff token>).
	PathTicketCheckIn = PathAppointments + "tickets/check-in"
)

// Booking statuses.
const (
	BookingBooked    = "booked"
	BookingCancelled = "cancelled"
	BookingCheckedIn = "checked_in"
)

// Problem types of appointments.
const (
	// ProblemSlotTaken (409): someone else booked the slot first. The
	// problem lists the nearest free slots in "alternatives".
	ProblemSlotTaken = "https://rathaus.example/problems/slot-taken"
	// ProblemTicketForged (422): the code or QR payload was not made by
	// this town hall (its check characters or signature do not match).
	ProblemTicketForged = "https://rathaus.example/problems/ticket-forged"
	// ProblemTicketCancelled (409): the booking of the ticket was cancelled.
	ProblemTicketCancelled = "https://rathaus.example/problems/ticket-cancelled"
	// ProblemTicketUsed (409): the ticket was checked in before.
	ProblemTicketUsed = "https://rathaus.example/problems/ticket-used"
)

// Office is a place of the town hall where appointments are held.
type Office struct {
	ID      string `json:"id"`
	Name    Text   `json:"name"`
	Address string `json:"address,omitempty"`
	// Hours are the opening hours by weekday ("mon" ... "sun"), each a
	// list of "HH:MM-HH:MM" in the office's time zone.
	Hours map[string][]string `json:"hours"`
	// Services are the catalog's service ids one can book here.
	Services []string `json:"services"`
}

// Offices is the answer of GET /v1/appointments/offices.
type Offices struct {
	TimeZone    string   `json:"time_zone"` // "Europe/Berlin"
	SlotMinutes int      `json:"slot_minutes"`
	Offices     []Office `json:"offices"`
}

// Slot is one bookable time at an office.
type Slot struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Slots is the answer of GET /v1/appointments/slots: the free slots of a
// service at an office in the days asked for, as of Generated.
type Slots struct {
	Service   string    `json:"service"`
	Office    string    `json:"office"`
	Generated time.Time `json:"generated"`
	Slots     []Slot    `json:"slots"`
}

// BookingRequest is the body of POST /v1/appointments/bookings (with an
// Idempotency-Key). Replaces names a booking of the same device that is
// cancelled in the same step, when the new one succeeds (a rebooking).
type BookingRequest struct {
	Service  string    `json:"service"`
	Office   string    `json:"office"`
	Start    time.Time `json:"start"`
	Replaces string    `json:"replaces,omitempty"`
}

// Booking is an appointment of a device, with its ticket.
type Booking struct {
	ID      string    `json:"id"`
	Service string    `json:"service"`
	Office  string    `json:"office"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Status  string    `json:"status"`
	// Code is the ticket's short code for people ("K7MQ-P2XD"); Ticket the
	// signed payload its QR code carries.
	Code     string    `json:"code"`
	Ticket   string    `json:"ticket"`
	Created  time.Time `json:"created"`
	Replaces string    `json:"replaces,omitempty"`
}

// SlotTakenProblem is the 409 of a booking whose slot was taken: the
// nearest free slots of the same service and office, nearest first.
type SlotTakenProblem struct {
	Problem
	Alternatives []Slot `json:"alternatives"`
}

// TicketCheckIn is the body of POST /v1/appointments/tickets/check-in: the
// short code as people read it, or the QR code's payload.
type TicketCheckIn struct {
	Code string `json:"code"`
}
