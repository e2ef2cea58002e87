package appointments_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/servertest"
)

// monday is the clock of these tests: Monday 7 December 2026, 07:00 in
// Musterstadt, before the offices open.
var monday = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)

func newBackend(t *testing.T) *servertest.Backend {
	t.Helper()
	return servertest.New(t, servertest.WithConfig(func(c *server.Config) {
		c.Now = func() time.Time { return monday }
	}))
}

type answer struct {
	status int
	body   []byte
}

func (a answer) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decode %s: %v", a.body, err)
	}
}

func do(t *testing.T, method, u string, header map[string]string, body any) answer {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, b}
}

func slots(t *testing.T, b *servertest.Backend, service, office string) []api.Slot {
	t.Helper()
	q := url.Values{"service": {service}, "office": {office}, "days": {"7"}}
	a := do(t, "GET", b.URL+api.PathSlots+"?"+q.Encode(), nil, nil)
	if a.status != http.StatusOK {
		t.Fatalf("slots: %d %s", a.status, a.body)
	}
	var s api.Slots
	a.decode(t, &s)
	return s.Slots
}

func book(t *testing.T, b *servertest.Backend, token, key string, req api.BookingRequest) answer {
	t.Helper()
	return do(t, "POST", b.URL+api.PathBookings, map[string]string{"Authorization": "Bearer " + token, api.HeaderIdempotencyKey: key}, req)
}

func checkIn(t *testing.T, b *servertest.Backend, code string) answer {
	t.Helper()
	return do(t, "POST", b.URL+api.PathTicketCheckIn, map[string]string{"Authorization": "Bearer " + b.StaffToken}, api.TicketCheckIn{Code: code})
}

func TestSlotsFromOpeningHours(t *testing.T) {
	b := newBackend(t)
	got := slots(t, b, "anmeldung-wohnung", "buergerbuero")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	first := got[0].Start.In(berlin)
	if first.Format("Mon 15:04") != "Mon 08:00" || got[0].End.Sub(got[0].Start) != 15*time.Minute {
		t.Errorf("first slot %v - %v, want Monday 08:00, 15 minutes", first, got[0].End.In(berlin))
	}
	// Monday 08:00-12:30 and 14:00-16:00: 18 + 8 slots.
	monday := 0
	for _, s := range got {
		if s.Start.In(berlin).Weekday() == time.Monday {
			monday++
		}
	}
	if monday != 26 {
		t.Errorf("%d slots on Monday, want 26", monday)
	}
	if a := do(t, "GET", b.URL+api.PathSlots+"?service=hundesteuer&office=buergerbuero", nil, nil); a.status != http.StatusNotFound {
		t.Errorf("slots of a service the office does not offer: %d, want 404", a.status)
	}
}

func TestBookReplayCancelRebook(t *testing.T) {
	b := newBackend(t)
	tok := b.Device(t).Token
	free := slots(t, b, "anmeldung-wohnung", "buergerbuero")
	req := api.BookingRequest{Service: "anmeldung-wohnung", Office: "buergerbuero", Start: free[2].Start}
	a := book(t, b, tok, "k1", req)
	if a.status != http.StatusCreated {
		t.Fatalf("book: %d %s", a.status, a.body)
	}
	var first api.Booking
	a.decode(t, &first)
	if first.Status != api.BookingBooked || len(first.Code) != 9 || !strings.HasPrefix(first.Ticket, "RATHAUS-TICKET:1:") {
		t.Errorf("booking %+v: want booked, a code like K7MQ-P2XD and a ticket payload", first)
	}
	again := book(t, b, tok, "k1", req)
	var replay api.Booking
	again.decode(t, &replay)
	if again.status != http.StatusOK || replay != first {
		t.Errorf("replay: %d %+v, want 200 and the first booking %+v", again.status, replay, first)
	}
	if len(slots(t, b, "anmeldung-wohnung", "buergerbuero")) != len(free)-1 {
		t.Error("the booked slot is still listed as free")
	}

	// Rebook to the next slot: the first is cancelled in the same step.
	re := book(t, b, tok, "k2", api.BookingRequest{Service: req.Service, Office: req.Office, Start: free[3].Start, Replaces: first.ID})
	if re.status != http.StatusCreated {
		t.Fatalf("rebook: %d %s", re.status, re.body)
	}
	var second api.Booking
	re.decode(t, &second)
	list := do(t, "GET", b.URL+api.PathBookings, map[string]string{"Authorization": "Bearer " + tok}, nil)
	var bs []api.Booking
	list.decode(t, &bs)
	if len(bs) != 2 || bs[0].Status != api.BookingCancelled || bs[1].Status != api.BookingBooked || bs[1].Replaces != first.ID {
		t.Errorf("bookings after rebooking: %+v", bs)
	}
	c := do(t, "POST", b.URL+api.PathBookings+"/"+second.ID+"/cancel", map[string]string{"Authorization": "Bearer " + tok}, nil)
	var cancelled api.Booking
	c.decode(t, &cancelled)
	if c.status != http.StatusOK || cancelled.Status != api.BookingCancelled {
		t.Errorf("cancel: %d %s", c.status, c.body)
	}
	other := b.Device(t).Token
	if c := do(t, "POST", b.URL+api.PathBookings+"/"+second.ID+"/cancel", map[string]string{"Authorization": "Bearer " + other}, nil); c.status != http.StatusNotFound {
		t.Errorf("cancel by another device: %d, want 404", c.status)
	}
	if len(slots(t, b, "anmeldung-wohnung", "buergerbuero")) != len(free) {
		t.Error("cancelled slots are not free again")
	}
}

func TestBookingChecks(t *testing.T) {
	b := newBackend(t)
	tok := b.Device(t).Token
	free := slots(t, b, "anmeldung-wohnung", "buergerbuero")
	for _, tc := range []struct {
		name string
		req  api.BookingRequest
		want int
	}{
		{"office does not offer it", api.BookingRequest{Service: "hundesteuer", Office: "buergerbuero", Start: free[0].Start}, 422},
		{"not a slot", api.BookingRequest{Service: "anmeldung-wohnung", Office: "buergerbuero", Start: free[0].Start.Add(7 * time.Minute)}, 422},
		{"in the past", api.BookingRequest{Service: "anmeldung-wohnung", Office: "buergerbuero", Start: free[0].Start.AddDate(0, 0, -7)}, 422},
		{"too far ahead", api.BookingRequest{Service: "anmeldung-wohnung", Office: "buergerbuero", Start: free[0].Start.AddDate(0, 0, 35)}, 422},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := book(t, b, tok, "k-"+tc.name, tc.req); got.status != tc.want {
				t.Errorf("book: %d %s, want %d", got.status, got.body, tc.want)
			}
		})
	}
	if got := do(t, "POST", b.URL+api.PathBookings, map[string]string{api.HeaderIdempotencyKey: "k"}, api.BookingRequest{}); got.status != http.StatusUnauthorized {
		t.Errorf("book without a device: %d, want 401", got.status)
	}
	if got := do(t, "POST", b.URL+api.PathBookings, map[string]string{"Authorization": "Bearer " + tok}, api.BookingRequest{}); got.status != http.StatusBadRequest {
		t.Errorf("book without a key: %d, want 400", got.status)
	}
}

// TestFiftyClientsOneSlot: 50 devices book one slot at once over the
// network; exactly one gets it, the others a 409 with free alternatives.
func TestFiftyClientsOneSlot(t *testing.T) {
	b := newBackend(t)
	const n = 50
	tokens := make([]string, n)
	for i := range tokens {
		tokens[i] = b.Device(t).Token
	}
	free := slots(t, b, "anmeldung-wohnung", "buergerbuero")
	want := free[10]
	req := api.BookingRequest{Service: "anmeldung-wohnung", Office: "buergerbuero", Start: want.Start}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			answers[i] = book(t, b, tokens[i], fmt.Sprintf("key-%d", i), req)
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for i, a := range answers {
		switch a.status {
		case http.StatusCreated:
			won++
		case http.StatusConflict:
			var p api.SlotTakenProblem
			a.decode(t, &p)
			if p.Type != api.ProblemSlotTaken || len(p.Alternatives) != 5 {
				t.Errorf("client %d: %s, want slot-taken with 5 alternatives", i, a.body)
			}
			for _, alt := range p.Alternatives {
				if alt.Start.Equal(want.Start) {
					t.Errorf("client %d: the taken slot is offered as an alternative", i)
				}
				if d := alt.Start.Sub(want.Start); d > 2*time.Hour || d < -2*time.Hour {
					t.Errorf("client %d: alternative %v is not near %v", i, alt.Start, want.Start)
				}
			}
		default:
			t.Errorf("client %d: %d %s", i, a.status, a.body)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d clients booked the slot, want exactly 1", won, n)
	}
}

func TestCheckIn(t *testing.T) {
	b := newBackend(t)
	tok := b.Device(t).Token
	free := slots(t, b, "anmeldung-wohnung", "buergerbuero")
	var one, two api.Booking
	book(t, b, tok, "k1", api.BookingRequest{Service: "anmeldung-wohnung", Office: "buergerbuero", Start: free[0].Start}).decode(t, &one)
	book(t, b, tok, "k2", api.BookingRequest{Service: "anmeldung-wohnung", Office: "buergerbuero", Start: free[1].Start}).decode(t, &two)
	do(t, "POST", b.URL+api.PathBookings+"/"+two.ID+"/cancel", map[string]string{"Authorization": "Bearer " + tok}, nil)

	forged := []byte(strings.ReplaceAll(one.Code, "-", ""))
	forged[7] = map[bool]byte{true: 'A', false: 'B'}[forged[7] != 'A'] // other check characters
	tampered := strings.Replace(one.Ticket, ":"+strings.ReplaceAll(one.Code, "-", "")+":", ":"+strings.ReplaceAll(two.Code, "-", "")+":", 1)

	for _, tc := range []struct {
		name, code string
		status     int
		typ        string
	}{
		{"forged code", string(forged), 422, api.ProblemTicketForged},
		{"tampered QR payload", tampered, 422, api.ProblemTicketForged},
		{"cancelled", two.Code, 409, api.ProblemTicketCancelled},
		{"valid, typed in lower case", strings.ToLower(one.Code), 200, ""},
		{"reused", one.Code, 409, api.ProblemTicketUsed},
		{"reused by QR", one.Ticket, 409, api.ProblemTicketUsed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := checkIn(t, b, tc.code)
			var p api.Problem
			_ = json.Unmarshal(a.body, &p)
			if a.status != tc.status || p.Type != tc.typ {
				t.Errorf("check in %q: %d %s, want %d %s", tc.code, a.status, a.body, tc.status, tc.typ)
			}
		})
	}
	if a := do(t, "POST", b.URL+api.PathTicketCheckIn, map[string]string{"Authorization": "Bearer " + tok}, api.TicketCheckIn{Code: one.Code}); a.status != http.StatusUnauthorized {
		t.Errorf("check in with a device token: %d, want 401", a.status)
	}
}

// TestBookingQuota: a device holds at most MaxBookings appointments to
// come; a retry of one it holds and a rebooking still go.
func TestBookingQuota(t *testing.T) {
	b := servertest.New(t, servertest.WithConfig(func(c *server.Config) {
		c.Now = func() time.Time { return monday }
		c.MaxBookings = 2
	}))
	tok := b.Device(t).Token
	free := slots(t, b, "anmeldung-wohnung", "buergerbuero")
	req := func(i int) api.BookingRequest {
		return api.BookingRequest{Service: "anmeldung-wohnung", Office: "buergerbuero", Start: free[i].Start}
	}
	var first api.Booking
	book(t, b, tok, "q1", req(0)).decode(t, &first)
	book(t, b, tok, "q2", req(1))
	a := book(t, b, tok, "q3", req(2))
	var p api.Problem
	a.decode(t, &p)
	if a.status != http.StatusTooManyRequests || p.Type != api.ProblemQuota {
		t.Fatalf("a third booking: %d %s, want 429 quota-exceeded", a.status, a.body)
	}
	if a := book(t, b, tok, "q1", req(0)); a.status != http.StatusOK {
		t.Errorf("a retry of the first: %d %s, want 200", a.status, a.body)
	}
	re := req(3)
	re.Replaces = first.ID
	if a := book(t, b, tok, "q4", re); a.status != http.StatusCreated {
		t.Errorf("a rebooking: %d %s, want 201", a.status, a.body)
	}
}

// TestRetryAfterTheTimePassed: a booking whose answer was lost is retried
// later, when its time may be past: the retry gets the booking, not a
// refusal of the time; a new booking of a past time is refused.
func TestRetryAfterTheTimePassed(t *testing.T) {
	var mu sync.Mutex
	now := monday
	b := servertest.New(t, servertest.WithConfig(func(c *server.Config) {
		c.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	}))
	tok := b.Device(t).Token
	free := slots(t, b, "anmeldung-wohnung", "buergerbuero")
	req := api.BookingRequest{Service: "anmeldung-wohnung", Office: "buergerbuero", Start: free[0].Start}
	var first api.Booking
	book(t, b, tok, "late", req).decode(t, &first)
	mu.Lock()
	now = free[0].End.Add(time.Hour)
	mu.Unlock()
	var again api.Booking
	a := book(t, b, tok, "late", req)
	a.decode(t, &again)
	if a.status != http.StatusOK || again.ID != first.ID {
		t.Errorf("retry after the time: %d %s, want 200 and the booking", a.status, a.body)
	}
	other := b.Device(t).Token
	late := req
	late.Start = free[1].Start
	if a := book(t, b, other, "late-new", late); a.status != http.StatusUnprocessableEntity {
		t.Errorf("a new booking of a past time: %d, want 422", a.status)
	}
}
