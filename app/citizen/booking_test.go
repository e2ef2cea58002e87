package citizen_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"rathaus/api"
	"rathaus/app/citizen"
)

func TestAppointmentICS(t *testing.T) {
	start := time.Date(2026, 12, 8, 8, 15, 0, 0, time.UTC)
	a := citizen.Appointment{Local: "a1", Slot: api.Slot{Start: start, End: start.Add(15 * time.Minute)}, Code: "K7MQ-P2XD"}
	desc := "Ticket K7MQ-P2XD; bitte Ausweis mitbringen, Wohnungsgeberbestätigung und Meldeschein, alles im Original, danke."
	got := string(citizen.AppointmentICS(a, "Wohnung anmelden", "Rathausplatz 1, 51147 Musterstadt", desc, start.Add(-48*time.Hour)))
	for _, want := range []string{
		"BEGIN:VCALENDAR\r\n", "VERSION:2.0\r\n", "UID:a1@rathaus.app\r\n", "DTSTAMP:20261206T081500Z\r\n",
		"DTSTART:20261208T081500Z\r\n", "DTEND:20261208T083000Z\r\n", "LOCATION:Rathausplatz 1\\, 51147 Musterstadt\r\n",
		"TRIGGER:-P1D\r\n", "END:VCALENDAR\r\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("ics lacks %q:\n%s", want, got)
		}
	}
	for _, line := range strings.Split(strings.TrimSuffix(got, "\r\n"), "\r\n") {
		if len(line) > 75 || strings.Contains(line, "\n") {
			t.Errorf("line %q: longer than 75 octets or with a bare LF", line)
		}
	}
	if !strings.Contains(got, "\r\n ") {
		t.Error("the long description was not folded")
	}
	unfolded := strings.ReplaceAll(got, "\r\n ", "")
	if !strings.Contains(unfolded, "DESCRIPTION:Ticket K7MQ-P2XD\\; bitte Ausweis mitbringen\\, ") {
		t.Errorf("description not escaped or not unfolded back: %s", unfolded)
	}
}

func TestReminderDue(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration, st citizen.AppointmentState, local string) citizen.Appointment {
		return citizen.Appointment{Local: local, State: st, Slot: api.Slot{Start: now.Add(d)}}
	}
	as := []citizen.Appointment{
		at(23*time.Hour, citizen.AppointmentBooked, "tomorrow"),
		at(25*time.Hour, citizen.AppointmentBooked, "later"),
		at(-time.Hour, citizen.AppointmentBooked, "past"),
		at(2*time.Hour, citizen.AppointmentCancelled, "cancelled"),
		at(3*time.Hour, citizen.AppointmentBooked, "reminded"),
	}
	for _, tc := range []struct {
		name string
		now  time.Time
		want []string
	}{
		{"now", now, []string{"tomorrow"}},
		{"two hours on", now.Add(2 * time.Hour), []string{"tomorrow", "later"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, a := range citizen.ReminderDue(as, map[string]bool{"reminded": true}, tc.now) {
				got = append(got, a.Local)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("ReminderDue = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDeadlineDue(t *testing.T) {
	drafts := []*citizen.Draft{
		{ID: "moved", Service: "anmeldung-wohnung", Values: map[string]any{"move_in_date": "2026-11-30"}},
		{ID: "no-date", Service: "anmeldung-wohnung", Values: map[string]any{}},
		{ID: "dog", Service: "hundesteuer", Values: map[string]any{"move_in_date": "2026-11-30"}},
	}
	ds := citizen.Deadlines(drafts)
	if len(ds) != 1 || ds[0].DraftID != "moved" || ds[0].Due.Format(time.DateOnly) != "2026-12-14" {
		t.Fatalf("Deadlines = %+v, want the move on 30 November, due 14 December", ds)
	}
	booked := citizen.Appointment{Service: "anmeldung-wohnung", State: citizen.AppointmentBooked,
		Slot: api.Slot{Start: time.Date(2026, 12, 14, 9, 0, 0, 0, time.UTC)}}
	for _, tc := range []struct {
		name     string
		now      time.Time
		as       []citizen.Appointment
		reminded bool
		want     int
	}{
		{"a week before", time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC), nil, false, 0},
		{"three days before", time.Date(2026, 12, 11, 9, 0, 0, 0, time.UTC), nil, false, 1},
		{"on the last day", time.Date(2026, 12, 14, 20, 0, 0, 0, time.UTC), nil, false, 1},
		{"after it", time.Date(2026, 12, 15, 9, 0, 0, 0, time.UTC), nil, false, 0},
		{"with an appointment in time", time.Date(2026, 12, 11, 9, 0, 0, 0, time.UTC), []citizen.Appointment{booked}, false, 0},
		{"reminded already", time.Date(2026, 12, 11, 9, 0, 0, 0, time.UTC), nil, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := citizen.DeadlineDue(ds, tc.as, map[string]bool{"moved": tc.reminded}, tc.now); len(got) != tc.want {
				t.Errorf("DeadlineDue = %+v, want %d", got, tc.want)
			}
		})
	}
}

// TestAppointmentICSParses: a calendar library (github.com/emersion/go-ical,
// as strict as a phone's import) reads the file back to the appointment.
func TestAppointmentICSParses(t *testing.T) {
	start := time.Date(2026, 12, 8, 8, 15, 0, 0, time.UTC)
	a := citizen.Appointment{Local: "a1", Slot: api.Slot{Start: start, End: start.Add(15 * time.Minute)}}
	raw := citizen.AppointmentICS(a, "Wohnung anmelden, Bürgerbüro", "Rathausplatz 1; 51147 Musterstadt",
		strings.Repeat("Bitte Ausweis mitbringen. ", 8), start.Add(-time.Hour))
	cal, err := ical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, raw)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events, want 1", len(evs))
	}
	ev := evs[0]
	gotStart, err1 := ev.DateTimeStart(time.UTC)
	gotEnd, err2 := ev.DateTimeEnd(time.UTC)
	uid, _ := ev.Props.Text(ical.PropUID)
	summary, _ := ev.Props.Text(ical.PropSummary)
	loc, _ := ev.Props.Text(ical.PropLocation)
	if err1 != nil || err2 != nil || !gotStart.Equal(start) || !gotEnd.Equal(a.Slot.End) || uid != "a1@rathaus.app" ||
		summary != "Wohnung anmelden, Bürgerbüro" || loc != "Rathausplatz 1; 51147 Musterstadt" {
		t.Errorf("event: %v-%v (%v, %v), uid %q, summary %q, location %q", gotStart, gotEnd, err1, err2, uid, summary, loc)
	}
	if desc, _ := ev.Props.Text(ical.PropDescription); desc != strings.Repeat("Bitte Ausweis mitbringen. ", 8) {
		t.Errorf("description read back as %q", desc)
	}
}
