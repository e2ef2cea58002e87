package engine

import (
	"context"
	"errors"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/sync/portal"
)

// Bookings: an appointment booked (or rebooked) and cancelled on the
// device goes out as an outbox item, exactly once (the booking under its
// idempotency key; a cancel is the same however often it is sent). When
// the slot was taken meanwhile, the backend's alternatives are kept with
// the appointment for the citizen to choose from.

// bookingStore is what bookings need of the store.
type bookingStore interface {
	Appointment(ctx context.Context, local string) (citizen.Appointment, error)
	ReplacedBookingID(ctx context.Context, local string) (string, error)
	AckBooking(ctx context.Context, itemID int64, local string, b api.Booking) error
	BookingTaken(ctx context.Context, itemID int64, local string, alternatives []api.Slot, code, message string) error
	RefuseBooking(ctx context.Context, itemID int64, local, code, message string) error
	AckCancel(ctx context.Context, itemID int64, local string) error
	SaveOffices(ctx context.Context, o api.Offices) error
	SaveSlots(ctx context.Context, sl api.Slots, fetched time.Time) error
}

// bookingPortal is what bookings need of the backend.
type bookingPortal interface {
	Offices(ctx context.Context) (api.Offices, error)
	Slots(ctx context.Context, service, office string) (api.Slots, error)
	Book(ctx context.Context, key string, req api.BookingRequest) (api.Booking, error)
	CancelBooking(ctx context.Context, id string) (api.Booking, error)
}

type bookingSender struct {
	store  bookingStore
	portal bookingPortal
}

var _ Sender = (*bookingSender)(nil)

func lockedAppointment() error {
	return citizen.Errorf(citizen.ELOCKED, "This booking was saved with a key this device no longer has.")
}

// Send books the slot. A rebooking names the backend's id of the booking
// it replaces, which the backend cancels in the same step.
func (s *bookingSender) Send(ctx context.Context, it *citizen.OutboxItem, _ func()) (Changed, error) {
	p, ok := it.Payload.(*citizen.BookingPayload)
	if !ok {
		return 0, lockedAppointment()
	}
	req := api.BookingRequest{Service: p.Service, Office: p.Office, Start: p.Slot.Start}
	if p.Replaces != "" {
		id, err := s.store.ReplacedBookingID(ctx, p.Replaces)
		if err != nil && citizen.ErrorCode(err) != citizen.ENOTFOUND {
			return 0, err
		}
		req.Replaces = id
	}
	b, err := s.portal.Book(ctx, it.IdempotencyKey, req)
	if taken, ok := errors.AsType[*portal.SlotTakenError](err); ok {
		// Recorded here, where the alternatives are (it ends the item);
		// the refusal that follows finds it done.
		if serr := s.store.BookingTaken(ctx, it.ID, p.Local, taken.Alternatives, citizen.ErrorCode(err), citizen.ErrorMessage(err)); serr != nil {
			return 0, serr
		}
		return ChangedOutbox | ChangedAppointments, err
	}
	if err != nil {
		return 0, err
	}
	return ChangedOutbox | ChangedAppointments, s.store.AckBooking(ctx, it.ID, p.Local, b)
}

// Permanent: the backend's refusals (4xx), and its quota on the
// appointments a device holds, which frees up only when the citizen
// cancels one.
func (s *bookingSender) Permanent(err error) bool {
	if re, ok := errors.AsType[*portal.ResponseError](err); ok && re.Problem != nil && re.Problem.Type == api.ProblemQuota {
		return true
	}
	return !citizen.IsTransient(err)
}

// Messages for the citizen of a booking refused for good.
const (
	quotaMessage = "You have as many appointments as the town hall allows. Cancel one first."
	goneMessage  = "This time can no longer be booked. Please choose another time."
)

// Refuse marks the appointment failed with the backend's reason; a taken
// slot Send recorded already.
func (s *bookingSender) Refuse(ctx context.Context, it *citizen.OutboxItem, r Refusal) (Changed, error) {
	if r.Problem != nil && r.Problem.Type == api.ProblemSlotTaken {
		return ChangedOutbox | ChangedAppointments, nil
	}
	local := ""
	if p, ok := it.Payload.(*citizen.BookingPayload); ok {
		local = p.Local
	}
	msg := r.Message
	switch {
	case r.Problem == nil:
	case r.Problem.Type == api.ProblemQuota:
		msg = quotaMessage
	case r.Problem.Type == api.ProblemValidation:
		// Its time passed while the booking waited for a connection, or
		// the office no longer offers it.
		msg = goneMessage
	}
	return ChangedOutbox | ChangedAppointments, s.store.RefuseBooking(ctx, it.ID, local, r.Code, msg)
}

type bookingCancelSender struct {
	store  bookingStore
	portal bookingPortal
}

var _ Sender = (*bookingCancelSender)(nil)

// Send cancels the appointment at the backend; one whose booking never
// went through is cancelled without a request.
func (s *bookingCancelSender) Send(ctx context.Context, it *citizen.OutboxItem, _ func()) (Changed, error) {
	p, ok := it.Payload.(*citizen.BookingCancelPayload)
	if !ok {
		return 0, lockedAppointment()
	}
	a, err := s.store.Appointment(ctx, p.Local)
	if err != nil {
		return 0, err
	}
	if a.ID != "" {
		if _, err := s.portal.CancelBooking(ctx, a.ID); err != nil {
			return 0, err
		}
	}
	return ChangedOutbox | ChangedAppointments, s.store.AckCancel(ctx, it.ID, p.Local)
}

// Permanent: the backend's refusals (4xx: the appointment took place).
func (s *bookingCancelSender) Permanent(err error) bool { return !citizen.IsTransient(err) }

// Refuse fails the item; the appointment stays as the backend has it.
func (s *bookingCancelSender) Refuse(ctx context.Context, it *citizen.OutboxItem, r Refusal) (Changed, error) {
	local := ""
	if p, ok := it.Payload.(*citizen.BookingCancelPayload); ok {
		local = p.Local
	}
	return ChangedOutbox | ChangedAppointments, s.store.RefuseBooking(ctx, it.ID, local, r.Code, r.Message)
}

// RefreshAppointments fetches the offices and the free slots of a service
// at an office and caches them (with the time, for their age shown
// offline). office "" fetches the offices only.
func (e *Engine) RefreshAppointments(ctx context.Context, service, office string) error {
	o, err := e.portal.Offices(ctx)
	if err != nil {
		return err
	}
	if err := e.store.SaveOffices(ctx, o); err != nil {
		return err
	}
	if office == "" {
		return nil
	}
	sl, err := e.portal.Slots(ctx, service, office)
	if err != nil {
		return err
	}
	return e.store.SaveSlots(ctx, sl, e.now())
}
