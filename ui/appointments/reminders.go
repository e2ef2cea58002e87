package appointments

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"rathaus/app/citizen"
	"rathaus/ui/kit"
)

// deadlineKey marks a draft's legal deadline reminded of.
func deadlineKey(draftID string) string { return "appointments.deadline-reminded." + draftID }

// remindedKey marks an appointment reminded of, in the store's settings,
// so that a restart does not remind twice.
func remindedKey(local string) string { return "appointments.reminded." + local }

// Reminders sends a local notification the day before each booked
// appointment, and up to three days before a legal deadline (registering a
// new address within two weeks of the moving date entered in its form)
// while no appointment in time is booked. Check runs one round on its clock; Run checks every
// minute until ctx ends.
type Reminders struct {
	a      *Area
	notify func(*fyne.Notification)
}

// Reminders returns the area's reminder checker; notify shows a
// notification (fyne's App.SendNotification).
func (a *Area) Reminders(notify func(*fyne.Notification)) *Reminders {
	return &Reminders{a: a, notify: notify}
}

// Check notifies of the appointments due for a reminder at the area's
// clock's now, once each; it returns how many it notified of.
func (r *Reminders) Check(ctx context.Context) (int, error) {
	as, err := r.a.d.Store.Appointments(ctx)
	if err != nil {
		return 0, err
	}
	reminded := map[string]bool{}
	for _, ap := range as {
		if v, _ := r.a.d.Store.Setting(ctx, remindedKey(ap.Local)); v != "" {
			reminded[ap.Local] = true
		}
	}
	offices := r.a.offices()
	loc := r.a.location(offices)
	n := 0
	for _, ap := range citizen.ReminderDue(as, reminded, r.a.d.Now()) {
		// Marked first: a reminder missed by a crash is better than two.
		if err := r.a.d.Store.SetSetting(ctx, remindedKey(ap.Local), "1"); err != nil {
			return n, err
		}
		of := r.a.office(offices, ap.Office)
		r.notify(fyne.NewNotification(lang.L("Appointment tomorrow: {{.Service}}", map[string]any{"Service": r.a.serviceTitle(ap.Service)}),
			lang.L("{{.When}} at {{.Office}}. Your ticket: {{.Code}}", map[string]any{"When": when(ap.Slot, loc), "Office": of.Name.In(kit.Lang()), "Code": ap.Code})))
		n++
	}
	m, err := r.checkDeadlines(ctx, as)
	return n + m, err
}

func (r *Reminders) checkDeadlines(ctx context.Context, as []citizen.Appointment) (int, error) {
	ds, err := r.a.d.Store.Deadlines(ctx)
	if err != nil {
		return 0, err
	}
	reminded := map[string]bool{}
	for _, d := range ds {
		if v, _ := r.a.d.Store.Setting(ctx, deadlineKey(d.DraftID)); v != "" {
			reminded[d.DraftID] = true
		}
	}
	n := 0
	for _, d := range citizen.DeadlineDue(ds, as, reminded, r.a.d.Now()) {
		if err := r.a.d.Store.SetSetting(ctx, deadlineKey(d.DraftID), "1"); err != nil {
			return n, err
		}
		r.notify(fyne.NewNotification(lang.L("Deadline soon: {{.Service}}", map[string]any{"Service": r.a.serviceTitle(d.Service)}),
			deadlineText(d)+" "+lang.L("Book an appointment at the citizens' office in the app.")))
		n++
	}
	return n, nil
}

// Run checks every minute until ctx ends.
func (r *Reminders) Run(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		_, _ = r.Check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
