package citizen

import "time"

// Reminders: of an appointment the day before, and of a legal deadline
// counted from a date the citizen entered in a form.

// ReminderDue lists the appointments to remind of at now: booked ones
// that start within the next day (the day before, as a calendar's
// reminder would) and were not reminded of yet (reminded, by local id).
func ReminderDue(as []Appointment, reminded map[string]bool, now time.Time) []Appointment {
	var out []Appointment
	for _, a := range as {
		if a.State != AppointmentBooked || reminded[a.Local] {
			continue
		}
		if until := a.Slot.Start.Sub(now); until > 0 && until <= 24*time.Hour {
			out = append(out, a)
		}
	}
	return out
}

// LegalDeadline is a service the law gives a deadline, counted from a date
// the citizen enters in its form.
type LegalDeadline struct {
	Service string // the catalog's service id
	Field   string // the form's date field the deadline counts from
	Days    int
}

// LegalDeadlines are the deadlines the app reminds of: registering a new
// address within two weeks of moving in (Bundesmeldegesetz § 17).
var LegalDeadlines = []LegalDeadline{{Service: "anmeldung-wohnung", Field: "move_in_date", Days: 14}}

// Deadline is a legal deadline of one draft: the date entered and the last
// day.
type Deadline struct {
	LegalDeadline
	DraftID string
	From    time.Time // the date entered, at midnight UTC
	Due     time.Time // the last day, at midnight UTC
}

// Deadlines finds the legal deadlines in the drafts: each draft of a
// service with one whose date field holds a date (YYYY-MM-DD).
func Deadlines(drafts []*Draft) []Deadline {
	var out []Deadline
	for _, d := range drafts {
		for _, ld := range LegalDeadlines {
			v, _ := d.Values[ld.Field].(string)
			from, err := time.Parse(time.DateOnly, v)
			if d.Service != ld.Service || err != nil {
				continue
			}
			out = append(out, Deadline{LegalDeadline: ld, DraftID: d.ID, From: from, Due: from.AddDate(0, 0, ld.Days)})
		}
	}
	return out
}

// DeadlineDue lists the deadlines to remind of at now: the last day is at
// most three days ahead (or today), no booked appointment of the service
// comes before its end, and it was not reminded of yet (reminded, by
// draft id).
func DeadlineDue(ds []Deadline, as []Appointment, reminded map[string]bool, now time.Time) []Deadline {
	var out []Deadline
	for _, d := range ds {
		end := d.Due.AddDate(0, 0, 1) // the last day counts whole
		if reminded[d.DraftID] || !now.Before(end) || end.Sub(now) > 4*24*time.Hour {
			continue
		}
		covered := false
		for _, a := range as {
			if a.Service == d.Service && a.State == AppointmentBooked && a.Slot.Start.Before(end) {
				covered = true
			}
		}
		if !covered {
			out = append(out, d)
		}
	}
	return out
}
