package server

import (
	"crypto/rand"
	"fmt"
	"net/http"

	"rathaus/api"
	"rathaus/server/appointments"
)

// initAppointments mounts the appointments area (server/appointments) on
// the core: its device authentication, Idempotency-Key, staff token and
// failure answers are the core's.
func (s *Server) initAppointments(cfg Config) error {
	offices := cfg.Offices
	if offices.TimeZone == "" {
		offices = api.Offices{TimeZone: "Europe/Berlin", SlotMinutes: 15, Offices: []api.Office{}}
	}
	// Not checked against the catalog: a town may publish another one
	// while the server runs (catalog publish); an office's service that
	// the catalog lacks is simply not offered there.
	sched, err := appointments.NewSchedule(offices, nil)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	secret := cfg.TicketSecret
	if secret == nil {
		secret = make([]byte, 32)
		_, _ = rand.Read(secret)
	}
	tickets, err := appointments.NewTickets(secret)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	s.appointments, err = appointments.New(appointments.Config{
		Store: s.store, Schedule: sched, Tickets: tickets, Now: s.now, MaxBookings: cfg.MaxBookings,
		Device: func(r *http.Request) (string, bool) {
			d, ok := deviceFrom(r.Context())
			return d.ID, ok
		},
		Key: idempotencyKey,
		Staff: func(r *http.Request) (bool, bool) {
			_, on, ok := s.staffRequest(r)
			return on, ok
		},
		Failure: s.failure,
		Decode:  decodeSmall,
	})
	return err
}

// maxAppointmentBody bounds the appointments' request bodies (a booking, a
// ticket code).
const maxAppointmentBody = 4 << 10

// decodeSmall reads a small JSON body by the input rule every body follows
// (jsonin.go) into v; what names it for the problem ("a booking request").
var decodeSmall = decodeUpTo(maxAppointmentBody, "The body is larger than 4 KiB.")

// decodeUpTo is the decoder of an area's bodies of at most limit bytes, by
// the input rule every body follows; tooLarge is the problem's detail for
// a longer one.
func decodeUpTo(limit int64, tooLarge string) func(w http.ResponseWriter, r *http.Request, what string, v any) *api.Problem {
	return func(w http.ResponseWriter, r *http.Request, what string, v any) *api.Problem {
		raw, p := readBody(w, r, limit, tooLarge)
		if p != nil {
			return p
		}
		body, p := parseBody(raw, what)
		if p == nil {
			p = body.refused(what, "", func(string) bool { return false })
		}
		if p != nil {
			return p
		}
		if err := body.decode(v); err != nil {
			return badRequest("The body is not " + what + ": " + err.Error() + ".")
		}
		return nil
	}
}
