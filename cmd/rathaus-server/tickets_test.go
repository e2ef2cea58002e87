package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"rathaus/api"
)

// TestTicketsVerify books an appointment on a running server and checks its
// ticket in from the command line, as the desk does: once valid, then used;
// a forged code fails.
func TestTicketsVerify(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	m := openServer(t, data)
	c := &client{http: http.DefaultClient}
	base := m.URL()

	var dev api.Device
	mustJSON(t, c.must(t, "POST", base+api.PathDevices, nil, []byte(`{"platform":"test"}`), http.StatusCreated).body, &dev)
	var slots api.Slots
	q := url.Values{"service": {"anmeldung-wohnung"}, "office": {"buergerbuero"}}
	mustJSON(t, c.must(t, "GET", base+api.PathSlots+"?"+q.Encode(), nil, nil, http.StatusOK).body, &slots)
	if len(slots.Slots) == 0 {
		t.Fatal("no free slots in the next four weeks")
	}
	req, _ := json.Marshal(api.BookingRequest{Service: "anmeldung-wohnung", Office: "buergerbuero", Start: slots.Slots[0].Start})
	h := bearer(dev.Token)
	h.Set(api.HeaderIdempotencyKey, "k1")
	var b api.Booking
	mustJSON(t, c.must(t, "POST", base+api.PathBookings, h, req, http.StatusCreated).body, &b)

	forged := []byte(strings.ReplaceAll(b.Code, "-", ""))
	forged[7] = map[bool]byte{true: 'A', false: 'B'}[forged[7] != 'A'] // a check character changed
	for _, tc := range []struct {
		name, code string
		exit       int
		says       string
	}{
		{"valid", b.Code, 0, "VALID"},
		{"used", b.Code, 1, "ALREADY USED"},
		{"used, by QR payload", b.Ticket, 1, "ALREADY USED"},
		{"forged", string(forged), 1, "FORGED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			exit := run(context.Background(), []string{"tickets", "verify", "--data", data, tc.code}, func(string) string { return "" }, &out, &errOut)
			if exit != tc.exit || !strings.HasPrefix(out.String(), tc.says) {
				t.Errorf("tickets verify %s = %d, %q (stderr %q); want %d, %s", tc.code, exit, out.String(), errOut.String(), tc.exit, tc.says)
			}
		})
	}
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}
