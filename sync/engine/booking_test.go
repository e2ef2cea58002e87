package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/server"
	"rathaus/server/servertest"
	"rathaus/sync/engine"
)

const (
	apptService = "anmeldung-wohnung"
	apptOffice  = "buergerbuero"
)

// freeSlots fetches the free slots through the device's engine (which
// caches them) and returns them from the cache.
func freeSlots(t *testing.T, dev *rig) []api.Slot {
	t.Helper()
	ctx := context.Background()
	if err := dev.engine.RefreshAppointments(ctx, apptService, apptOffice); err != nil {
		t.Fatalf("RefreshAppointments: %v", err)
	}
	sl, _, ok, err := dev.store.CachedSlots(ctx, apptService, apptOffice)
	if err != nil || !ok || len(sl.Slots) < 10 {
		t.Fatalf("CachedSlots = %d slots, %v, %v; want the free slots", len(sl.Slots), ok, err)
	}
	return sl.Slots
}

// backendBookings counts the bookings the backend holds for the device
// (cancelled ones too), by start.
func backendBookings(t *testing.T, dev *rig) map[int64]int {
	t.Helper()
	rows, err := openReadOnly(t, dev.backend.DBPath).Query(`SELECT start FROM bookings WHERE device = ?`, deviceIDOf(t, dev))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out[s]++
	}
	return out
}

// Bookings in the kinds' fault table.
type bookingsUnderTest struct{ slots []api.Slot }

func (*bookingsUnderTest) kind() citizen.OutboxKind { return citizen.OutboxBooking }

func (k *bookingsUnderTest) open(t *testing.T, n *faultNet) *rig {
	dev := newFaultDevice(t, n)
	if err := dev.engine.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	k.slots = freeSlots(t, dev)
	return dev
}

func (k *bookingsUnderTest) queue(t *testing.T, dev *rig, i int) {
	if _, err := dev.store.BookAppointment(context.Background(), apptService, apptOffice, k.slots[i], ""); err != nil {
		t.Fatal(err)
	}
}

func (*bookingsUnderTest) sends(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == api.PathBookings
}

func (*bookingsUnderTest) held(t *testing.T, dev *rig) int {
	n := 0
	for _, c := range backendBookings(t, dev) {
		n += c
	}
	return n
}

// check: each slot booked once, and the device has each appointment
// booked with the backend's id and a ticket.
func (k *bookingsUnderTest) check(t *testing.T, n *faultNet, dev *rig) {
	t.Helper()
	held := backendBookings(t, dev)
	for _, s := range k.slots[:kindItems] {
		if held[s.Start.Unix()] != 1 {
			t.Errorf("backend holds %d bookings at %v, want 1", held[s.Start.Unix()], s.Start)
		}
	}
	as, err := dev.store.Appointments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.State != citizen.AppointmentBooked || a.ID == "" || a.Code == "" || !strings.HasPrefix(a.Ticket, "RATHAUS-TICKET:") {
			t.Errorf("appointment %+v: want booked with the backend's id and ticket", a)
		}
	}
}

// TestBookingOfflineGoesOutOnce: slots fetched once are shown from the
// cache while the backend is away; a booking made then goes out once when
// it is back, also when the pass runs again.
func TestBookingOfflineGoesOutOnce(t *testing.T) {
	ctx := context.Background()
	dev := newRig(t)
	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	slots := freeSlots(t, dev)
	fetched := dev.clock.Now()

	dev.backend.Stop()
	dev.clock.Advance(2 * 3600e9)
	if err := dev.engine.RefreshAppointments(ctx, apptService, apptOffice); err == nil {
		t.Fatal("RefreshAppointments while the backend is away: no error")
	}
	sl, at, ok, err := dev.store.CachedSlots(ctx, apptService, apptOffice)
	if err != nil || !ok || len(sl.Slots) != len(slots) || !at.Equal(fetched) {
		t.Fatalf("cached slots offline = %d, fetched %v, %v, %v; want %d from %v", len(sl.Slots), at, ok, err, len(slots), fetched)
	}
	a, err := dev.store.BookAppointment(ctx, apptService, apptOffice, slots[4], "")
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.engine.Sync(ctx); err == nil {
		t.Error("a pass while the backend is away: no error")
	}
	if got, _ := dev.store.Appointment(ctx, a.Local); got.State != citizen.AppointmentPending {
		t.Errorf("offline: appointment %s, want pending", got.State)
	}

	dev.backend.Start()
	dev.clock.Advance(3600e9)
	converge(t, dev, 3)
	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := dev.store.Appointment(ctx, a.Local)
	if err != nil || got.State != citizen.AppointmentBooked || got.Code == "" {
		t.Fatalf("appointment = %+v, %v; want booked with a code", got, err)
	}
	if held := backendBookings(t, dev); len(held) != 1 || held[slots[4].Start.Unix()] != 1 {
		t.Errorf("backend bookings = %v, want one at %v", held, slots[4].Start)
	}
}

// TestBookingTakenOffersAlternatives: another device books the slot first;
// the device's booking ends taken, with the backend's free alternatives.
func TestBookingTakenOffersAlternatives(t *testing.T) {
	ctx := context.Background()
	dev := newRig(t)
	other := newRigOn(t, dev.backend)
	for _, d := range []*rig{dev, other} {
		if err := d.engine.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	slots := freeSlots(t, dev)
	if _, err := other.store.BookAppointment(ctx, apptService, apptOffice, slots[6], ""); err != nil {
		t.Fatal(err)
	}
	if err := other.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	a, err := dev.store.BookAppointment(ctx, apptService, apptOffice, slots[6], "")
	if err != nil {
		t.Fatal(err)
	}
	err = dev.engine.Sync(ctx)
	got, _ := dev.store.Appointment(ctx, a.Local)
	if got.State != citizen.AppointmentTaken || len(got.Alternatives) != 5 {
		t.Fatalf("appointment after the pass (%v) = %s with %d alternatives, want taken with 5", err, got.State, len(got.Alternatives))
	}
	for _, alt := range got.Alternatives {
		if alt.Start.Equal(slots[6].Start) {
			t.Error("the taken slot is offered as an alternative")
		}
	}
	if items := itemsOf(t, dev, citizen.OutboxBooking, true); len(items) != 0 {
		t.Errorf("%d booking items still pending, want none", len(items))
	}

	// Rebooking the first alternative works.
	b, err := dev.store.BookAppointment(ctx, apptService, apptOffice, got.Alternatives[0], "")
	if err != nil {
		t.Fatal(err)
	}
	_ = dev.engine.Sync(ctx)
	if got, _ := dev.store.Appointment(ctx, b.Local); got.State != citizen.AppointmentBooked {
		t.Errorf("booking an alternative: %s, want booked", got.State)
	}
}

// TestBookingRebookAndCancel: a rebooking cancels the old appointment at
// the backend in the same step; a cancel made right after a booking,
// offline, goes out after it.
func TestBookingRebookAndCancel(t *testing.T) {
	ctx := context.Background()
	dev := newRig(t)
	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	slots := freeSlots(t, dev)
	first, err := dev.store.BookAppointment(ctx, apptService, apptOffice, slots[0], "")
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	second, err := dev.store.BookAppointment(ctx, apptService, apptOffice, slots[1], first.Local)
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	old, _ := dev.store.Appointment(ctx, first.Local)
	now, _ := dev.store.Appointment(ctx, second.Local)
	if old.State != citizen.AppointmentCancelled || now.State != citizen.AppointmentBooked {
		t.Errorf("after rebooking: old %s, new %s; want cancelled and booked", old.State, now.State)
	}

	dev.backend.Stop()
	third, err := dev.store.BookAppointment(ctx, apptService, apptOffice, slots[2], "")
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.store.CancelAppointment(ctx, third.Local); err != nil {
		t.Fatal(err)
	}
	dev.backend.Start()
	dev.clock.Advance(3600e9)
	converge(t, dev, 3)
	got, _ := dev.store.Appointment(ctx, third.Local)
	if got.State != citizen.AppointmentCancelled || got.ID == "" {
		t.Errorf("booked and cancelled offline: %s (id %q), want cancelled at the backend", got.State, got.ID)
	}
	held := backendBookings(t, dev)
	if held[slots[2].Start.Unix()] != 1 {
		t.Errorf("backend bookings at the third slot = %d, want 1 (cancelled)", held[slots[2].Start.Unix()])
	}
	if err := dev.store.CancelAppointment(ctx, "nope"); citizen.ErrorCode(err) != citizen.ENOTFOUND {
		t.Errorf("cancel an unknown appointment: %v, want ENOTFOUND", err)
	}
}

// TestBookingQuotaEndsTheItem: beyond the appointments a device may hold,
// the booking ends at once with a message for the citizen, not retried.
func TestBookingQuotaEndsTheItem(t *testing.T) {
	ctx := context.Background()
	dev := newRigOn(t, servertest.New(t, servertest.WithConfig(func(c *server.Config) { c.MaxBookings = 1 })))
	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	slots := freeSlots(t, dev)
	if _, err := dev.store.BookAppointment(ctx, apptService, apptOffice, slots[0], ""); err != nil {
		t.Fatal(err)
	}
	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	a, err := dev.store.BookAppointment(ctx, apptService, apptOffice, slots[1], "")
	if err != nil {
		t.Fatal(err)
	}
	_ = dev.engine.Sync(ctx)
	got, _ := dev.store.Appointment(ctx, a.Local)
	if got.State != citizen.AppointmentFailed || !strings.Contains(got.Error, "Cancel one first") {
		t.Errorf("appointment beyond the quota = %s %q, want failed with the quota's message", got.State, got.Error)
	}
	if items := itemsOf(t, dev, citizen.OutboxBooking, true); len(items) != 0 {
		t.Errorf("%d booking items still pending, want none", len(items))
	}
}

// TestBookingOfAPassedTime: a booking that waited offline until its time
// passed ends with a message that says so, not retried.
func TestBookingOfAPassedTime(t *testing.T) {
	ctx := context.Background()
	dev := newRig(t)
	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	past := api.Slot{Start: time.Now().Add(-24 * time.Hour).Truncate(time.Hour), End: time.Now().Add(-23 * time.Hour).Truncate(time.Hour)}
	a, err := dev.store.BookAppointment(ctx, apptService, apptOffice, past, "")
	if err != nil {
		t.Fatal(err)
	}
	_ = dev.engine.Sync(ctx)
	got, _ := dev.store.Appointment(ctx, a.Local)
	if got.State != citizen.AppointmentFailed || !strings.Contains(got.Error, "can no longer be booked") {
		t.Errorf("a passed time = %s %q, want failed, saying it can no longer be booked", got.State, got.Error)
	}
}

// TestBookingsThroughTheFeed: a booking made on one device of an account
// comes to the other with its ticket; the check-in at the desk comes back
// to both; the device's own booking is never doubled by the feed.
func TestBookingsThroughTheFeed(t *testing.T) {
	ctx := context.Background()
	a := newRig(t)
	b := newRigOn(t, a.backend)
	for _, d := range []*rig{a, b} {
		if err := d.engine.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	a.backend.LinkDevices("acc-1", deviceIDOf(t, a), deviceIDOf(t, b))
	slots := freeSlots(t, a)
	local, err := a.store.BookAppointment(ctx, apptService, apptOffice, slots[2], "")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		for _, d := range []*rig{a, b} {
			if err := d.engine.Sync(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	mine, _ := a.store.Appointments(ctx)
	theirs, _ := b.store.Appointments(ctx)
	if len(mine) != 1 || mine[0].Local != local.Local || mine[0].State != citizen.AppointmentBooked {
		t.Fatalf("the booking device has %+v, want its one appointment, booked", mine)
	}
	if len(theirs) != 1 || theirs[0].ID != mine[0].ID || theirs[0].Ticket != mine[0].Ticket || theirs[0].Code != mine[0].Code {
		t.Fatalf("the account's other device has %+v, want the appointment with its ticket", theirs)
	}

	body, _ := json.Marshal(api.TicketCheckIn{Code: mine[0].Code})
	req, _ := http.NewRequest(http.MethodPost, a.backend.URL+api.PathTicketCheckIn, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+a.backend.StaffToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("check-in: %v %v", res, err)
	}
	res.Body.Close()
	var changed engine.Changed
	a.engine.OnChange(func(st engine.Status) { changed |= st.Changed })
	for _, d := range []*rig{a, b} {
		if err := d.engine.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		got, _ := d.store.Appointments(ctx)
		if len(got) != 1 || got[0].State != citizen.AppointmentCheckedIn {
			t.Errorf("after the check-in: %+v, want checked in", got)
		}
	}
	if !changed.Any(engine.ChangedAppointments) {
		t.Errorf("the pass changed %s, want appointments", changed)
	}
}

// TestCancelOnTheAccountsOtherDevice: an appointment booked on one device
// is cancelled on the other device of the account; the first hears of it.
func TestCancelOnTheAccountsOtherDevice(t *testing.T) {
	ctx := context.Background()
	a := newRig(t)
	b := newRigOn(t, a.backend)
	for _, d := range []*rig{a, b} {
		if err := d.engine.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	a.backend.LinkDevices("acc-2", deviceIDOf(t, a), deviceIDOf(t, b))
	slots := freeSlots(t, a)
	mine, err := a.store.BookAppointment(ctx, apptService, apptOffice, slots[3], "")
	if err != nil {
		t.Fatal(err)
	}
	sync := func() {
		t.Helper()
		for _, d := range []*rig{a, b} {
			if err := d.engine.Sync(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	sync()
	theirs, _ := b.store.Appointments(ctx)
	if len(theirs) != 1 {
		t.Fatalf("the other device has %d appointments, want 1", len(theirs))
	}
	if err := b.store.CancelAppointment(ctx, theirs[0].Local); err != nil {
		t.Fatal(err)
	}
	sync()
	sync()
	if got, _ := a.store.Appointment(ctx, mine.Local); got.State != citizen.AppointmentCancelled {
		t.Errorf("on the booking device: %s, want cancelled", got.State)
	}
	if got, _ := b.store.Appointment(ctx, theirs[0].Local); got.State != citizen.AppointmentCancelled {
		t.Errorf("on the cancelling device: %s, want cancelled", got.State)
	}
}
