// Package appointments holds the screens of the appointments area: the
// citizen's appointments, choosing a service, office, day and time (from
// the slots cached on the device, with their age, so that it works
// offline), and the ticket with its QR code and short code, its export to
// the calendar and a reminder the day before. A booking goes out through
// the outbox (citizen.OutboxBooking); the screens reach each other only
// through the Navigator the shell gives them.
package appointments

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/store"
	"rathaus/sync/engine"
	"rathaus/ui/kit"
)

// Store is what the appointments' screens need of the local database.
type Store interface {
	CachedOffices(ctx context.Context) (api.Offices, bool, error)
	CachedSlots(ctx context.Context, service, office string) (api.Slots, time.Time, bool, error)
	BookAppointment(ctx context.Context, service, office string, slot api.Slot, replaces string) (citizen.Appointment, error)
	CancelAppointment(ctx context.Context, local string) error
	Appointment(ctx context.Context, local string) (citizen.Appointment, error)
	Appointments(ctx context.Context) ([]citizen.Appointment, error)
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
	// Deadlines are the legal deadlines from dates in the drafts.
	Deadlines(ctx context.Context) ([]citizen.Deadline, error)
}

// Syncer is what they need of the sync engine.
type Syncer interface {
	Kick()
	RefreshAppointments(ctx context.Context, service, office string) error
}

// Catalog finds the town's services.
type Catalog interface {
	Service(id string) (api.Service, bool)
}

// Navigator is how a screen of this area leads elsewhere; the shell
// implements it.
type Navigator interface {
	// OpenBooking shows the choice of a time for the service ("" to
	// choose one); replaces is the local id of an appointment being
	// rebooked, "" for a new one.
	OpenBooking(service, replaces string)
	// OpenTicket shows an appointment with its ticket.
	OpenTicket(local string)
	// AppointmentsHome goes back to the list of appointments.
	AppointmentsHome()
}

var (
	_ Store  = (*store.Store)(nil)
	_ Syncer = (*engine.Engine)(nil)
)

// Deps are what the area is built on.
type Deps struct {
	Store   Store
	Sync    Syncer
	Catalog Catalog
	Nav     Navigator
	Window  fyne.Window
	// Now is the clock (the age of slots, reminders); nil is time.Now.
	Now func() time.Time
}

// Area holds the area's screens that live as long as the app.
type Area struct {
	d      Deps
	list   *List
	ticket *Ticket // the ticket shown, if any
	book   *Book   // the booking screen shown, if any
}

// New builds the area.
func New(d Deps) *Area {
	if d.Now == nil {
		d.Now = time.Now
	}
	a := &Area{d: d}
	a.list = newList(a)
	if len(a.offices().Offices) == 0 {
		// So that a service's screen can offer appointments before the
		// citizen ever opened this area.
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_ = d.Sync.RefreshAppointments(ctx, "", "")
		}()
	}
	return a
}

// List is the list of the citizen's appointments, the area's first screen.
func (a *Area) List() *List { return a.list }

// BookScreen builds the choice of a time.
func (a *Area) BookScreen(service, replaces string) *Book {
	a.book = newBook(a, service, replaces)
	return a.book
}

// TicketScreen builds an appointment's screen.
func (a *Area) TicketScreen(local string) *Ticket {
	a.ticket = newTicket(a, local)
	return a.ticket
}

// StatusChanged reloads what a pass of the sync engine changed.
func (a *Area) StatusChanged(st engine.Status) {
	if !st.Changed.Any(engine.ChangedAppointments) {
		return
	}
	a.list.Refresh()
	if a.ticket != nil {
		a.ticket.Refresh()
	}
}

func ctxShort() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 10*time.Second)
}

// location is the offices' time zone (Europe/Berlin), in which times are
// shown whatever the phone's zone.
func (a *Area) location(o api.Offices) *time.Location {
	if loc, err := time.LoadLocation(o.TimeZone); err == nil && o.TimeZone != "" {
		return loc
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return time.Local
	}
	return loc
}

// offices is the cached offices, or none.
func (a *Area) offices() api.Offices {
	ctx, cancel := ctxShort()
	defer cancel()
	o, _, _ := a.d.Store.CachedOffices(ctx)
	return o
}

func (a *Area) office(o api.Offices, id string) api.Office {
	for _, of := range o.Offices {
		if of.ID == id {
			return of
		}
	}
	return api.Office{ID: id, Name: api.Text{"de": id}}
}

func (a *Area) serviceTitle(id string) string {
	if s, ok := a.d.Catalog.Service(id); ok {
		return s.Title.In(kit.Lang())
	}
	return id
}

// when is a slot for people: "Tue 08.12.2026, 08:15".
func when(s api.Slot, loc *time.Location) string {
	t := s.Start.In(loc)
	return weekday(t.Weekday()) + " " + kit.Date(t) + ", " + t.Format("15:04")
}

func weekday(d time.Weekday) string {
	return [...]string{lang.L("Sun"), lang.L("Mon"), lang.L("Tue"), lang.L("Wed"), lang.L("Thu"), lang.L("Fri"), lang.L("Sat")}[d]
}

// Age says how old fetched data is, for people: "As of: 2 hours ago".
func Age(fetched, now time.Time) string {
	d := now.Sub(fetched)
	switch {
	case d < time.Minute:
		return lang.L("As of: just now")
	case d < time.Hour:
		return lang.L("As of: {{.N}} minutes ago", map[string]any{"N": int(d / time.Minute)})
	case d < 2*time.Hour:
		return lang.L("As of: 1 hour ago")
	case d < 48*time.Hour:
		return lang.L("As of: {{.N}} hours ago", map[string]any{"N": int(d / time.Hour)})
	}
	return lang.L("As of: {{.N}} days ago", map[string]any{"N": int(d / (24 * time.Hour))})
}

// stateText names an appointment's state for people.
func stateText(s citizen.AppointmentState) string {
	switch s {
	case citizen.AppointmentPending:
		return lang.L("Waiting to be sent")
	case citizen.AppointmentBooked:
		return lang.L("Booked")
	case citizen.AppointmentTaken:
		return lang.L("Taken by someone else – choose another time")
	case citizen.AppointmentCancelling:
		return lang.L("Cancellation waiting to be sent")
	case citizen.AppointmentCancelled:
		return lang.L("Cancelled")
	case citizen.AppointmentCheckedIn:
		return lang.L("Checked in at the town hall")
	}
	return lang.L("Not accepted")
}

// deadline is the legal deadline of the service from the citizen's drafts
// (the latest), if any.
func (a *Area) deadline(service string) (citizen.Deadline, bool) {
	ctx, cancel := ctxShort()
	defer cancel()
	ds, err := a.d.Store.Deadlines(ctx)
	if err != nil {
		return citizen.Deadline{}, false
	}
	var out citizen.Deadline
	found := false
	for _, d := range ds {
		if d.Service == service && (!found || d.From.After(out.From)) {
			out, found = d, true
		}
	}
	return out, found
}

// deadlineText says the deadline for people.
func deadlineText(d citizen.Deadline) string {
	return lang.L("Deadline: register by {{.Due}} – two weeks after moving in on {{.From}}.",
		map[string]any{"Due": weekday(d.Due.Weekday()) + " " + kit.Date(d.Due), "From": kit.Date(d.From)})
}

// Offers reports whether the offices (as cached) hold appointments for the
// service.
func (a *Area) Offers(service string) bool {
	for _, of := range a.offices().Offices {
		for _, s := range of.Services {
			if s == service {
				return true
			}
		}
	}
	return false
}
