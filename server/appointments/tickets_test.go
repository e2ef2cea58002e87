package appointments_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server/appointments"
)

func tickets(t *testing.T, seed byte) *appointments.Tickets {
	t.Helper()
	tk, err := appointments.NewTickets(bytes.Repeat([]byte{seed}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestCodes(t *testing.T) {
	tk, other := tickets(t, 1), tickets(t, 2)
	seen := map[string]bool{}
	for range 1000 {
		c := tk.NewCode()
		if len(c) != appointments.CodeLen || strings.ContainsAny(c, "01OILUV") {
			t.Fatalf("code %q: want %d characters without look-alikes", c, appointments.CodeLen)
		}
		if !tk.ValidCode(c) {
			t.Fatalf("ValidCode(%q) = false for a code it made", c)
		}
		seen[c] = true
	}
	if len(seen) < 999 {
		t.Errorf("%d distinct codes of 1000", len(seen))
	}
	// Another secret's codes fail, but for the 1 in 841 whose two check
	// characters happen to agree.
	fails := 0
	for range 1000 {
		if !tk.ValidCode(other.NewCode()) {
			fails++
		}
	}
	if fails < 980 {
		t.Errorf("%d of 1000 codes of another secret were refused, want nearly all", fails)
	}
}

func TestParse(t *testing.T) {
	tk := tickets(t, 1)
	code := tk.NewCode()
	start := time.Date(2026, 12, 8, 7, 15, 0, 0, time.UTC)
	payload := tk.Payload("b_1", code, start)
	for _, tc := range []struct {
		name, in string
		want     appointments.Ticket
		err      error
	}{
		{"code", code, appointments.Ticket{Code: code}, nil},
		{"code as shown, lower case", " " + strings.ToLower(appointments.FormatCode(code)) + " ", appointments.Ticket{Code: code}, nil},
		{"payload", payload, appointments.Ticket{ID: "b_1", Code: code, Start: start}, nil},
		{"payload of another secret", tickets(t, 2).Payload("b_1", code, start), appointments.Ticket{}, appointments.ErrForged},
		{"payload moved to another time", strings.Replace(payload, ":1796714100:", ":1796715000:", 1), appointments.Ticket{}, appointments.ErrForged},
		{"too short", code[:7], appointments.Ticket{}, appointments.ErrForged},
		{"garbage", "hello", appointments.Ticket{}, appointments.ErrForged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tk.Parse(tc.in)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Errorf("Parse(%q) = %+v, %v; want %+v, %v", tc.in, got, err, tc.want, tc.err)
			}
		})
	}
}

func TestLoadSecretKeepsIt(t *testing.T) {
	dir := t.TempDir()
	first, err := appointments.LoadSecret(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := appointments.LoadSecret(dir)
	if err != nil || !bytes.Equal(first, again) || len(first) != 32 {
		t.Errorf("LoadSecret again = %x, %v; want the first %x", again, err, first)
	}
	fi, err := os.Stat(filepath.Join(dir, appointments.SecretFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file: %v, %v; want mode 0600", fi, err)
	}
}

func TestScheduleAcrossClockChange(t *testing.T) {
	s, err := appointments.NewSchedule(api.Offices{TimeZone: "Europe/Berlin", SlotMinutes: 30,
		Offices: []api.Office{{ID: "o", Hours: map[string][]string{"sun": {"08:00-09:00"}, "mon": {"08:00-09:00"}}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	berlin := s.Location()
	// Summer time begins on Sunday 28 March 2027 at 02:00.
	from := time.Date(2027, 3, 27, 0, 0, 0, 0, berlin)
	var got []string
	for _, sl := range s.Slots("o", from, from.AddDate(0, 0, 3)) {
		got = append(got, sl.Start.In(berlin).Format("Mon 15:04 MST"))
	}
	want := []string{"Sun 08:00 CEST", "Sun 08:30 CEST", "Mon 08:00 CEST", "Mon 08:30 CEST"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("slots = %v, want %v", got, want)
	}
	if _, err := appointments.NewSchedule(api.Offices{TimeZone: "Europe/Berlin", SlotMinutes: 15,
		Offices: []api.Office{{ID: "o", Hours: map[string][]string{"mon": {"9-17"}}}}}, nil); err == nil {
		t.Error("NewSchedule took opening hours 9-17, want HH:MM-HH:MM")
	}
}
