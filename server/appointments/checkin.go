package appointments

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"rathaus/api"
)

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
		writeJSON(w, http.StatusOK, b.Wire())
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
