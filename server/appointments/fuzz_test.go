package appointments_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"rathaus/server/appointments"
)

// FuzzParseTicket: whatever staff scan or type, Parse answers a ticket or
// ErrForged, never panics; only what the secret made parses.
func FuzzParseTicket(f *testing.F) {
	tk, err := appointments.NewTickets(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		f.Fatal(err)
	}
	code := tk.NewCode()
	f.Add(code)
	f.Add(appointments.FormatCode(code))
	f.Add(tk.Payload("b_1", code, time.Unix(1796716800, 0)))
	f.Add("RATHAUS-TICKET:1:::")
	f.Add("RATHAUS-TICKET:1:a:b:c:d:e")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := tk.Parse(s)
		if err != nil {
			if !errors.Is(err, appointments.ErrForged) {
				t.Fatalf("Parse(%q) err = %v, want ErrForged", s, err)
			}
			return
		}
		if !tk.ValidCode(got.Code) && got.ID == "" {
			t.Fatalf("Parse(%q) = %+v: a code the secret did not make", s, got)
		}
	})
}
