package appointments

import (
	"context"
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

// Defaults of Config.
const (
	DefaultDaysAhead = 28
	// DefaultMaxBookings is how many appointments to come one device may
	// hold: enough for a family's, too few to book a town's week empty.
	DefaultMaxBookings = 5
	// DefaultLead: a slot can be booked until this long before it starts.
	DefaultLead = 30 * time.Minute
	// alternatives is how many free slots a 409 offers.
	alternatives = 5
)

// Config is what the area needs from the core server.
type Config struct {
	Store    Store
	Schedule *Schedule
	Tickets  *Tickets
	Now      func() time.Time
	// DaysAhead is how far ahead slots are offered (0: DefaultDaysAhead).
	DaysAhead int
	// MaxBookings bounds the appointments to come a device holds (0:
	// DefaultMaxBookings; negative: no bound). A rebooking counts once.
	MaxBookings int
	// Device is the id of the device the core authenticated the request
	// as; ok=false without one.
	Device func(r *http.Request) (id string, ok bool)
	// Key is the request's Idempotency-Key, or the problem with it.
	Key func(r *http.Request) (string, *api.Problem)
	// Staff reports whether the staff API is on and the request carries
	// the staff token: on=false answers 404, staff=false 401.
	Staff func(r *http.Request) (on, staff bool)
	// Failure is the core's answer to a store that failed (busy, full,
	// out of time, or else), logged.
	Failure func(ctx context.Context, what string, err error, args ...any) *api.Problem
	// Decode reads the JSON body into v by the core's input rule; what
	// names it for the problem ("a booking request").
	Decode func(w http.ResponseWriter, r *http.Request, what string, v any) *api.Problem
}

// Area serves the appointments API.
type Area struct{ cfg Config }

// New checks cfg and returns the area.
func New(cfg Config) (*Area, error) {
	if cfg.Store == nil || cfg.Schedule == nil || cfg.Tickets == nil || cfg.Device == nil ||
		cfg.Key == nil || cfg.Staff == nil || cfg.Failure == nil || cfg.Decode == nil {
		return nil, errors.New("appointments: incomplete configuration")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DaysAhead == 0 {
		cfg.DaysAhead = DefaultDaysAhead
	}
	if cfg.MaxBookings == 0 {
		cfg.MaxBookings = DefaultMaxBookings
	}
	return &Area{cfg: cfg}, nil
}

// Route is one endpoint: its method, path pattern and handler, and whether
// the core must authenticate the device first.
type Route struct {
	Method, Path string
	Device       bool
	Handler      http.HandlerFunc
}

// Routes lists the area's endpoints, for the core to mount.
func (a *Area) Routes() []Route {
	return []Route{
		{"GET", api.PathOffices, false, a.handleOffices},
		{"GET", api.PathSlots, false, a.handleSlots},
		{"GET", api.PathBookings, true, a.handleList},
		{"POST", api.PathBookings, true, a.handleBook},
		{"POST", api.PathBookings + "/{id}/cancel", true, a.handleCancel},
		{"POST", api.PathTicketCheckIn, false, a.handleCheckIn},
	}
}

func (a *Area) handleOffices(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.cfg.Schedule.Offices())
}

// window is the part of [from, from+days) that can be booked now.
func (a *Area) window(from time.Time, days int) (time.Time, time.Time) {
	now := a.cfg.Now()
	earliest, latest := now.Add(DefaultLead), now.AddDate(0, 0, a.cfg.DaysAhead)
	to := from.AddDate(0, 0, days)
	if from.Before(earliest) {
		from = earliest
	}
	if to.After(latest) {
		to = latest
	}
	return from, to
}

// free is the office's slots in [from, to) that no booking holds.
func (a *Area) free(ctx context.Context, office string, from, to time.Time) ([]api.Slot, error) {
	all := a.cfg.Schedule.Slots(office, from, to)
	if len(all) == 0 {
		return []api.Slot{}, nil
	}
	taken, err := a.cfg.Store.TakenSlots(ctx, office, from, to)
	if err != nil {
		return nil, err
	}
	held := map[int64]bool{}
	for _, t := range taken {
		held[t.Unix()] = true
	}
	out := make([]api.Slot, 0, len(all))
	for _, s := range all {
		if !held[s.Start.Unix()] {
			out = append(out, s)
		}
	}
	return out, nil
}

func (a *Area) handleSlots(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	service, office := q.Get("service"), q.Get("office")
	if !a.cfg.Schedule.Offers(office, service) {
		writeProblem(w, problem(http.StatusNotFound, api.ProblemNotFound, "Not Found",
			fmt.Sprintf("Office %q offers no appointments for service %q; GET %s lists what each office offers.", office, service, api.PathOffices)))
		return
	}
	loc := a.cfg.Schedule.Location()
	now := a.cfg.Now().In(loc)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	if v := q.Get("from"); v != "" {
		d, err := time.ParseInLocation(time.DateOnly, v, loc)
		if err != nil {
			writeProblem(w, badRequest("from must be a date, YYYY-MM-DD."))
			return
		}
		from = d
	}
	days := a.cfg.DaysAhead
	if v := q.Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > a.cfg.DaysAhead {
			writeProblem(w, badRequest(fmt.Sprintf("days must be 1 to %d.", a.cfg.DaysAhead)))
			return
		}
		days = n
	}
	start, end := a.window(from, days)
	slots, err := a.free(r.Context(), office, start, end)
	if err != nil {
		writeProblem(w, a.cfg.Failure(r.Context(), "appointments: taken slots", err, "office", office))
		return
	}
	writeJSON(w, http.StatusOK, api.Slots{Service: service, Office: office, Generated: a.cfg.Now().UTC().Truncate(time.Second), Slots: slots})
}

func (a *Area) handleList(w http.ResponseWriter, r *http.Request) {
	device, _ := a.cfg.Device(r)
	bs, err := a.cfg.Store.Bookings(r.Context(), device)
	if err != nil {
		writeProblem(w, a.cfg.Failure(r.Context(), "appointments: list bookings", err))
		return
	}
	out := make([]api.Booking, 0, len(bs))
	for _, b := range bs {
		out = append(out, a.wire(b))
	}
	writeJSON(w, http.StatusOK, out)
}

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
	writeJSON(w, status, a.wire(b))
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
	writeJSON(w, http.StatusOK, a.wire(b))
}

// wire is a stored booking as the API shows it.
func (a *Area) wire(b Booking) api.Booking { return b.Wire() }

// CheckIn checks a ticket in: what staff scanned or typed (a QR payload or
// a short code) is checked against the secret, then marked used in the
// store, once. ErrForged, ErrNotFound, ErrCancelled or ErrCheckedIn say
// why not. The command line (rathaus-server tickets verify) and the staff
// endpoint both use it.
func CheckIn(ctx context.Context, s Store, t *Tickets, input string, at time.Time) (Booking, error) {
	tk, err := t.Parse(input)
	if err != nil {
		return Booking{}, err
	}
	b, err := s.CheckIn(ctx, tk.Code, at.UTC().Truncate(time.Second))
	if err != nil {
		return b, err
	}
	if tk.ID != "" && (tk.ID != b.ID || !tk.Start.Equal(b.Start)) {
		// Signed with our secret yet not matching: the secret leaked.
		return b, ErrForged
	}
	return b, nil
}

// Explain is the message for staff of a failed check-in.
func Explain(err error, b Booking, loc *time.Location) string {
	switch {
	case errors.Is(err, ErrForged):
		return "FORGED: " + ErrForged.Error() + "."
	case errors.Is(err, ErrNotFound):
		return "UNKNOWN: no booking has this code."
	case errors.Is(err, ErrCancelled):
		return fmt.Sprintf("CANCELLED: the booking %s for %s was cancelled on %s.", b.ID, b.Start.In(loc).Format("02.01.2006 15:04"), b.Cancelled.In(loc).Format("02.01.2006 15:04"))
	case errors.Is(err, ErrCheckedIn):
		return fmt.Sprintf("ALREADY USED: the ticket was checked in on %s.", b.CheckedIn.In(loc).Format("02.01.2006 15:04"))
	}
	return err.Error()
}

func (a *Area) handleCheckIn(w http.ResponseWriter, r *http.Request) {
	on, staff := a.cfg.Staff(r)
	if !on {
		writeProblem(w, problem(http.StatusNotFound, api.ProblemNotFound, "Not Found", "No such resource."))
		return
	}
	if !staff {
		w.Header().Set("WWW-Authenticate", `Bearer realm="rathaus"`)
		writeProblem(w, problem(http.StatusUnauthorized, api.ProblemUnauthorized, "Unauthorized",
			"The staff API needs \"Authorization: Bearer <staff token>\"."))
		return
	}
	var req api.TicketCheckIn
	if p := a.cfg.Decode(w, r, "a check-in request", &req); p != nil {
		writeProblem(w, p)
		return
	}
	if req.Code == "" {
		writeProblem(w, badRequest("The body must be {\"code\": \"<short code or QR payload>\"}."))
		return
	}
	b, err := CheckIn(r.Context(), a.cfg.Store, a.cfg.Tickets, req.Code, a.cfg.Now())
	loc := a.cfg.Schedule.Location()
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, a.wire(b))
	case errors.Is(err, ErrForged):
		writeProblem(w, problem(http.StatusUnprocessableEntity, api.ProblemTicketForged, "Ticket Forged", Explain(err, b, loc)))
	case errors.Is(err, ErrNotFound):
		writeProblem(w, problem(http.StatusNotFound, api.ProblemNotFound, "Not Found", Explain(err, b, loc)))
	case errors.Is(err, ErrCancelled):
		writeProblem(w, problem(http.StatusConflict, api.ProblemTicketCancelled, "Ticket Cancelled", Explain(err, b, loc)))
	case errors.Is(err, ErrCheckedIn):
		writeProblem(w, problem(http.StatusConflict, api.ProblemTicketUsed, "Ticket Used", Explain(err, b, loc)))
	default:
		writeProblem(w, a.cfg.Failure(r.Context(), "appointments: check in", err))
	}
}
