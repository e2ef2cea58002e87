package citizen

import (
	"strings"
	"time"
	"unicode/utf8"
)

// AppointmentICS is the appointment as an iCalendar file (RFC 5545) that a
// phone's calendar imports: one VEVENT with a stable UID (so importing it
// again updates the event), DTSTAMP, DTSTART and DTEND in UTC, the ticket
// code in the description and a reminder the day before. Lines end in
// CRLF and are folded at 75 octets, as the RFC requires.
func AppointmentICS(a Appointment, summary, location, description string, now time.Time) []byte {
	const stamp = "20060102T150405Z"
	lines := []string{
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//Rathaus//Appointments//DE",
		"CALSCALE:GREGORIAN",
		"METHOD:PUBLISH",
		"BEGIN:VEVENT",
		"UID:" + icsText(a.Local) + "@rathaus.app",
		"DTSTAMP:" + now.UTC().Format(stamp),
		"DTSTART:" + a.Slot.Start.UTC().Format(stamp),
		"DTEND:" + a.Slot.End.UTC().Format(stamp),
		"SUMMARY:" + icsText(summary),
		"LOCATION:" + icsText(location),
		"DESCRIPTION:" + icsText(description),
		"STATUS:CONFIRMED",
		"BEGIN:VALARM",
		"ACTION:DISPLAY",
		"DESCRIPTION:" + icsText(summary),
		"TRIGGER:-P1D",
		"END:VALARM",
		"END:VEVENT",
		"END:VCALENDAR",
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(fold(l))
		b.WriteString("\r\n")
	}
	return []byte(b.String())
}

// icsText escapes a TEXT value (RFC 5545 3.3.11).
func icsText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// fold breaks a content line into lines of at most 75 octets, each
// continuation starting with a space, never inside a UTF-8 character.
func fold(l string) string {
	var b strings.Builder
	limit := 75
	for len(l) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(l[cut]) {
			cut--
		}
		b.WriteString(l[:cut])
		b.WriteString("\r\n ")
		l = l[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(l)
	return b.String()
}
