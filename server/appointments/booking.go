package appointments

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"rathaus/api"
)

// bookingHash identifies what was asked, so that a retry can be told from
// another booking under the same key.
func bookingHash(req api.BookingRequest) []byte {
	h := sha256.Sum256([]byte(req.Service + "\x00" + req.Office + "\x00" + strconv.FormatInt(req.Start.Unix(), 10) + "\x00" + req.Replaces))
	return h[:]
}

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "b_" + base64.RawURLEncoding.EncodeToString(b)
}

func (a *Area) handleBook(w http.ResponseWriter, r *http.Request) {
	device, _ := a.cfg.Device(r)
	key, p := a.cfg.Key(r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	var req api.BookingRequest
	if p := a.cfg.Decode(w, r, "a booking request", &req); p != nil {
		writeProblem(w, p)
		return
	}
	// The device's bookings: one it holds at that time already is a retry
	// of a booking that went through (the store replays it, also once the
	// time is past), and the rest count for its quota.
	held, err := a.cfg.Store.Bookings(r.Context(), device)
	if err != nil {
		writeProblem(w, a.cfg.Failure(r.Context(), "appointments: the device's bookings", err))
		return
	}
	holds := slices.ContainsFunc(held, func(b Booking) bool {
		return b.Cancelled.IsZero() && b.Office == req.Office && b.Start.Equal(req.Start)
	})
	slot, p := a.checkSlot(req, holds)
	if p == nil && !holds {
		p = a.checkQuota(held, req)
	}
	if p != nil {
		if p.Status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "3600")
		}
		writeProblem(w, p)
		return
	}
	nb := NewBooking{ID: newID(), Device: device, Service: req.Service, Office: req.Office,
		Start: slot.Start, End: slot.End, Created: a.cfg.Now().UTC().Truncate(time.Second), Replaces: req.Replaces}
	var (
		b        Booking
		replayed bool
	)
	// A new code collides with one in use about once in 600 million
	// bookings; then another is drawn.
	for range 4 {
		nb.Code = a.cfg.Tickets.NewCode()
		nb.Ticket = a.cfg.Tickets.Payload(nb.ID, nb.Code, nb.Start)
		b, replayed, err = a.cfg.Store.Book(r.Context(), key, bookingHash(req), nb)
		if !errors.Is(err, ErrCodeTaken) {
			break
		}
	}
	switch {
	case errors.Is(err, ErrSlotTaken):
		a.writeTaken(w, r, req, slot)
		return
	case errors.Is(err, ErrKeyReused):
		writeProblem(w, problem(http.StatusUnprocessableEntity, api.ProblemIdempotencyReuse, "Idempotency Key Reused",
			"This Idempotency-Key was used before with a different booking; make a new key for a new booking."))
		return
	case errors.Is(err, ErrNotFound):
		writeProblem(w, problem(http.StatusConflict, api.ProblemConflict, "Conflict",
			"The booking to replace is not one of this device's bookings that can still be changed."))
		return
	case err != nil:
		writeProblem(w, a.cfg.Failure(r.Context(), "appointments: book", err, "office", req.Office))
		return
	}
	status := http.StatusCreated
	if replayed {
		status = http.StatusOK
	}
	writeJSON(w, status, b.Wire())
}

// checkSlot checks that the request names a slot that can be booked now
// (or, for a booking the device holds, once could).
func (a *Area) checkSlot(req api.BookingRequest, holds bool) (api.Slot, *api.Problem) {
	invalid := func(pointer, code, en, de string) *api.Problem {
		p := problem(http.StatusUnprocessableEntity, api.ProblemValidation, "Validation Failed", en)
		p.Errors = []api.FieldError{{Pointer: pointer, Code: code, Detail: en, Message: api.Text{"de": de, "en": en}}}
		return p
	}
	if !a.cfg.Schedule.Offers(req.Office, req.Service) {
		return api.Slot{}, invalid("/office", "offers", "This office offers no appointments for this service.",
			"Dieses Amt bietet für diese Leistung keine Termine an.")
	}
	slot, ok := a.cfg.Schedule.SlotAt(req.Office, req.Start)
	if !ok {
		return api.Slot{}, invalid("/start", "slot", "There is no appointment slot at this time.",
			"Zu dieser Zeit gibt es keinen Termin.")
	}
	from, to := a.window(slot.Start, 1)
	if !holds && (slot.Start.Before(from) || !slot.Start.Before(to)) {
		return api.Slot{}, invalid("/start", "window", "This appointment can no longer be booked, or not yet.",
			"Dieser Termin kann nicht mehr oder noch nicht gebucht werden.")
	}
	return slot, nil
}

// checkQuota refuses a booking beyond the appointments to come a device
// may hold (held: its bookings). The count is read before the booking, not
// in its transaction: requests of one device at the same moment may pass it
// by a few, which a bound against abuse can afford. A rebooking does not
// count the booking it replaces.
func (a *Area) checkQuota(held []Booking, req api.BookingRequest) *api.Problem {
	if a.cfg.MaxBookings < 0 {
		return nil
	}
	now, n := a.cfg.Now(), 0
	for _, b := range held {
		if b.Cancelled.IsZero() && b.CheckedIn.IsZero() && b.Start.After(now) && b.ID != req.Replaces {
			n++
		}
	}
	if n < a.cfg.MaxBookings {
		return nil
	}
	return problem(http.StatusTooManyRequests, api.ProblemQuota, "Too Many Requests",
		fmt.Sprintf("This device holds %d appointments to come, as many as the town allows; cancel one first.", n))
}

// writeTaken answers a booking whose slot someone else holds: 409 with the
// free slots nearest to it.
func (a *Area) writeTaken(w http.ResponseWriter, r *http.Request, req api.BookingRequest, slot api.Slot) {
	from, to := a.window(slot.Start.AddDate(0, 0, -7), 21)
	free, err := a.free(r.Context(), req.Office, from, to)
	if err != nil {
		writeProblem(w, a.cfg.Failure(r.Context(), "appointments: alternatives", err, "office", req.Office))
		return
	}
	writeProblemValue(w, http.StatusConflict, api.SlotTakenProblem{
		Problem: *problem(http.StatusConflict, api.ProblemSlotTaken, "Slot Taken",
			"Someone else booked this appointment first; alternatives lists the nearest free ones."),
		Alternatives: Nearest(free, slot.Start, alternatives),
	})
}

// Nearest returns up to n of the slots nearest to at, by start.
func Nearest(slots []api.Slot, at time.Time, n int) []api.Slot {
	s := slices.Clone(slots)
	dist := func(x api.Slot) time.Duration { return max(x.Start.Sub(at), at.Sub(x.Start)) }
	slices.SortStableFunc(s, func(x, y api.Slot) int { return int((dist(x) - dist(y)) / time.Second) })
	s = s[:min(n, len(s))]
	slices.SortFunc(s, func(x, y api.Slot) int { return x.Start.Compare(y.Start) })
	return s
}

func (a *Area) handleCancel(w http.ResponseWriter, r *http.Request) {
	device, _ := a.cfg.Device(r)
	b, err := a.cfg.Store.CancelBooking(r.Context(), device, r.PathValue("id"), a.cfg.Now().UTC().Truncate(time.Second))
	switch {
	case errors.Is(err, ErrNotFound):
		writeProblem(w, problem(http.StatusNotFound, api.ProblemNotFound, "Not Found", "Neither this device nor its account has such a booking."))
		return
	case errors.Is(err, ErrCheckedIn):
		writeProblem(w, problem(http.StatusConflict, api.ProblemConflict, "Conflict", "The appointment took place; it cannot be cancelled."))
		return
	case err != nil:
		writeProblem(w, a.cfg.Failure(r.Context(), "appointments: cancel", err))
		return
	}
	writeJSON(w, http.StatusOK, b.Wire())
}
