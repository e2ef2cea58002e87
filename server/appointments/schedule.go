// Package appointments is the backend's appointments area: the offices and
// their slots (made from opening hours), bookings bound to a device, and
// tickets that staff check in at the desk. The core server (package server)
// mounts its handlers; its storage is the Store interface below, which
// server.Store embeds and both stores implement.
package appointments

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Berlin also where the system has no zoneinfo

	"rathaus/api"
)

// Schedule is the offices with their opening hours, and the slots they
// make: SlotMinutes long, from opening to closing, in the office's zone.
type Schedule struct {
	offices  api.Offices
	loc      *time.Location
	slot     time.Duration
	byID     map[string]*office
	services map[string]bool
}

type office struct {
	api.Office
	hours map[time.Weekday][]span
}

// span is an opening period of a day, in minutes after midnight.
type span struct{ from, to int }

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// NewSchedule checks the offices: a known time zone, a slot length that
// divides an hour, opening hours as "HH:MM-HH:MM" on known weekdays, and
// services the catalog has (known, when not nil).
func NewSchedule(o api.Offices, known func(service string) bool) (*Schedule, error) {
	loc, err := time.LoadLocation(o.TimeZone)
	if err != nil || o.TimeZone == "" {
		return nil, fmt.Errorf("appointments: time zone %q: %v", o.TimeZone, err)
	}
	if o.SlotMinutes <= 0 || 60%o.SlotMinutes != 0 {
		return nil, fmt.Errorf("appointments: slot_minutes %d must divide an hour", o.SlotMinutes)
	}
	s := &Schedule{offices: o, loc: loc, slot: time.Duration(o.SlotMinutes) * time.Minute,
		byID: map[string]*office{}, services: map[string]bool{}}
	for _, of := range o.Offices {
		if of.ID == "" || s.byID[of.ID] != nil {
			return nil, fmt.Errorf("appointments: office id %q is empty or listed twice", of.ID)
		}
		x := &office{Office: of, hours: map[time.Weekday][]span{}}
		for day, periods := range of.Hours {
			wd, ok := weekdays[day]
			if !ok {
				return nil, fmt.Errorf("appointments: office %s: weekday %q (want mon ... sun)", of.ID, day)
			}
			for _, p := range periods {
				sp, err := parseSpan(p)
				if err != nil {
					return nil, fmt.Errorf("appointments: office %s, %s: %w", of.ID, day, err)
				}
				x.hours[wd] = append(x.hours[wd], sp)
			}
			sort.Slice(x.hours[wd], func(i, j int) bool { return x.hours[wd][i].from < x.hours[wd][j].from })
		}
		for _, svc := range of.Services {
			if known != nil && !known(svc) {
				return nil, fmt.Errorf("appointments: office %s offers service %q, which the catalog does not have", of.ID, svc)
			}
			s.services[svc] = true
		}
		s.byID[of.ID] = x
	}
	return s, nil
}

func parseSpan(p string) (span, error) {
	from, to, ok := strings.Cut(p, "-")
	a, errA := time.Parse("15:04", strings.TrimSpace(from))
	b, errB := time.Parse("15:04", strings.TrimSpace(to))
	if !ok || errA != nil || errB != nil || !b.After(a) {
		return span{}, fmt.Errorf("opening hours %q: want HH:MM-HH:MM, closing after opening", p)
	}
	return span{a.Hour()*60 + a.Minute(), b.Hour()*60 + b.Minute()}, nil
}

// Offices returns the offices as the API serves them.
func (s *Schedule) Offices() api.Offices { return s.offices }

// Location is the offices' time zone.
func (s *Schedule) Location() *time.Location { return s.loc }

// Offers reports whether the office offers the service.
func (s *Schedule) Offers(officeID, service string) bool {
	o := s.byID[officeID]
	return o != nil && slices.Contains(o.Services, service)
}

// Slots returns every slot of the office that starts in [from, to), in
// order, taken or not.
func (s *Schedule) Slots(officeID string, from, to time.Time) []api.Slot {
	o := s.byID[officeID]
	if o == nil {
		return nil
	}
	var out []api.Slot
	from, to = from.In(s.loc), to.In(s.loc)
	for day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, s.loc); day.Before(to); day = day.AddDate(0, 0, 1) {
		for _, sp := range o.hours[day.Weekday()] {
			step := int(s.slot / time.Minute)
			for m := sp.from; m+step <= sp.to; m += step {
				// time.Date, not day.Add: a day with a clock change is not 24 h.
				start := time.Date(day.Year(), day.Month(), day.Day(), m/60, m%60, 0, 0, s.loc)
				if start.Before(from) || !start.Before(to) {
					continue
				}
				out = append(out, api.Slot{Start: start.UTC(), End: start.Add(s.slot).UTC()})
			}
		}
	}
	return out
}

// SlotAt returns the slot of the office that starts at start, if there is
// one.
func (s *Schedule) SlotAt(officeID string, start time.Time) (api.Slot, bool) {
	for _, sl := range s.Slots(officeID, start, start.Add(time.Second)) {
		if sl.Start.Equal(start) {
			return sl, true
		}
	}
	return api.Slot{}, false
}
