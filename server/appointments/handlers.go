package appointments

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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
		out = append(out, b.Wire())
	}
	writeJSON(w, http.StatusOK, out)
}
