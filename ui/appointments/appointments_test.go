package appointments

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/assets"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// TestMain runs the screen tests in fyne's test driver, in English.
func TestMain(m *testing.M) {
	if err := kit.LoadTranslations("en"); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// demoCatalog finds the demo town's services.
type demoCatalog struct{ cat api.Catalog }

func (c demoCatalog) Service(id string) (api.Service, bool) {
	for _, s := range c.cat.Services {
		if s.ID == id {
			return s, true
		}
	}
	return api.Service{}, false
}

// nav plays the shell's navigator: it records the moves.
type nav struct {
	tickets  []string
	bookings []string
}

func (n *nav) OpenBooking(service, replaces string) {
	n.bookings = append(n.bookings, service+"/"+replaces)
}
func (n *nav) OpenTicket(local string) { n.tickets = append(n.tickets, local) }
func (n *nav) AppointmentsHome()       {}

type rig struct {
	dev  *uitest.Device
	area *Area
	nav  *nav
	win  fyne.Window
	now  time.Time
}

func newRig(t *testing.T) *rig {
	t.Helper()
	test.NewTempApp(t)
	dev := uitest.NewDevice(t)
	if err := dev.Engine.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	cat, err := assets.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{dev: dev, nav: &nav{}, win: test.NewWindow(nil), now: time.Now()}
	r.win.Resize(fyne.NewSize(480, 900))
	r.area = New(Deps{Store: dev.Store, Sync: dev.Engine, Catalog: demoCatalog{cat}, Nav: r.nav, Window: r.win,
		Now: func() time.Time { return r.now }})
	return r
}

func (r *rig) show(o fyne.CanvasObject) { r.win.SetContent(o) }

// bookScreen is the choice of a time with the service and office chosen
// as the citizen does, waiting for the fetch the office's choice starts.
func (r *rig) bookScreen(t *testing.T) *Book {
	t.Helper()
	b := r.area.BookScreen("", "")
	r.show(b.Content())
	waitFor(t, func() bool { return len(b.service.Options) > 0 }) // the offices load on a first start
	b.service.SetSelected("Register your residence")
	b.office.SetSelected("Citizens' office at the town hall")
	waitFor(t, func() bool { return len(b.slots.Objects) > 0 })
	return b
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// tapSlot taps the first free time shown and confirms it in the dialog.
func (r *rig) tapSlot(t *testing.T, b *Book) api.Slot {
	t.Helper()
	btn := uitest.AsButton(b.slots.Objects[0])
	slot := b.cached.Slots[0]
	test.Tap(btn)
	test.Tap(uitest.Button(t, r.win, "Book"))
	return slot
}

func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode the QR code: %v", err)
	}
	return res.GetText()
}

func checkIn(t *testing.T, r *rig, code string) int {
	t.Helper()
	body, _ := json.Marshal(api.TicketCheckIn{Code: code})
	req, _ := http.NewRequest("POST", r.dev.Backend.URL+api.PathTicketCheckIn, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+r.dev.Backend.StaffToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestBookOfflineThenTicket: slots loaded once are shown offline with
// their age; a time booked offline waits, goes out once when the town hall
// is back, and its ticket's QR code decodes to the ticket the backend
// checks in (a forged code fails).
func TestBookOfflineThenTicket(t *testing.T) {
	r := newRig(t)
	r.bookScreen(t) // online: the slots come into the cache

	r.dev.Backend.Stop()
	r.now = r.now.Add(2*time.Hour + time.Minute)
	b := r.bookScreen(t)
	waitFor(t, func() bool { return strings.Contains(b.age.Text, "offline") })
	if got := b.age.Text; !strings.HasPrefix(got, "As of: 2 hours ago") {
		t.Errorf("age = %q, want As of: 2 hours ago (offline)", got)
	}
	slot := r.tapSlot(t, b)
	if len(r.nav.tickets) != 1 {
		t.Fatalf("booking opened tickets %v, want one", r.nav.tickets)
	}
	local := r.nav.tickets[0]
	tk := r.area.TicketScreen(local)
	r.show(tk.Content())
	if tk.state.Text != "Waiting to be sent" || tk.QR() != nil {
		t.Errorf("offline ticket: %q, QR %v; want waiting, no QR yet", tk.state.Text, tk.QR() != nil)
	}

	r.dev.Backend.Start()
	ctx := context.Background()
	if err := r.dev.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.Engine.Sync(ctx); err != nil { // a second pass sends nothing again
		t.Fatal(err)
	}
	tk.Refresh()
	ap, _ := r.dev.Store.Appointment(ctx, local)
	if tk.state.Text != "Booked" || tk.QR() == nil || tk.code.Text != ap.Code || !ap.Slot.Start.Equal(slot.Start) {
		t.Fatalf("ticket after sync: %q, code %q; want booked with QR and code %q", tk.state.Text, tk.code.Text, ap.Code)
	}
	if got := decodeQR(t, tk.QR()); got != ap.Ticket {
		t.Errorf("QR decodes to %q, want the ticket %q", got, ap.Ticket)
	}
	if b := tk.qr.MinSize(); b.Width < 250 || tk.code.TextSize < 32 {
		t.Errorf("QR %v, code %v pt: want large enough to scan and read", b, tk.code.TextSize)
	}
	forged := []byte(strings.ReplaceAll(ap.Code, "-", ""))
	forged[7] = map[bool]byte{true: 'A', false: 'B'}[forged[7] != 'A']
	if got := checkIn(t, r, string(forged)); got != http.StatusUnprocessableEntity {
		t.Errorf("check-in of a forged code = %d, want 422", got)
	}
	if got := checkIn(t, r, decodeQR(t, tk.QR())); got != http.StatusOK {
		t.Errorf("check-in of the scanned QR code = %d, want 200", got)
	}
	if got := checkIn(t, r, ap.Code); got != http.StatusConflict {
		t.Errorf("second check-in = %d, want 409 (used)", got)
	}

	// The ticket works offline: it is on the device.
	r.dev.Backend.Stop()
	offline := r.area.TicketScreen(local)
	if offline.QR() == nil || decodeQR(t, offline.QR()) != ap.Ticket || offline.code.Text != ap.Code {
		t.Error("offline, the ticket screen does not show the ticket")
	}

	var ics bytes.Buffer
	if err := tk.WriteICS(&ics); err != nil {
		t.Fatal(err)
	}
	if s := ics.String(); !strings.Contains(s, "DTSTART:"+slot.Start.UTC().Format("20060102T150405Z")+"\r\n") || !strings.Contains(s, ap.Code) {
		t.Errorf("ics:\n%s\nwants the slot's start and the code", s)
	}
}

// TestTakenSlotOffersAlternatives: another device books the time first;
// the ticket screen offers free times nearby, and one tap books one.
func TestTakenSlotOffersAlternatives(t *testing.T) {
	r := newRig(t)
	b := r.bookScreen(t)
	taken := b.cached.Slots[0]

	ctx := context.Background()
	other := &uitest.Device{Backend: r.dev.Backend, Keys: r.dev.Keys, Path: t.TempDir() + "/other.db"}
	other.Open(t)
	if _, err := other.Store.BookAppointment(ctx, "anmeldung-wohnung", "buergerbuero", taken, ""); err != nil {
		t.Fatal(err)
	}
	if err := other.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	r.tapSlot(t, b)
	_ = r.dev.Engine.Sync(ctx) // the booking is refused: taken
	tk := r.area.TicketScreen(r.nav.tickets[0])
	r.show(tk.Content())
	if tk.alts == nil || len(tk.alts.Objects) != 5 {
		t.Fatalf("ticket of a taken time: %q; want 5 alternatives", uitest.Text(tk.root))
	}
	test.Tap(tk.alts.Objects[0].(*kit.Button))
	if len(r.nav.tickets) != 2 {
		t.Fatalf("choosing an alternative opened %v, want a second ticket", r.nav.tickets)
	}
	if err := r.dev.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	ap, _ := r.dev.Store.Appointment(ctx, r.nav.tickets[1])
	if ap.State != citizen.AppointmentBooked {
		t.Errorf("the alternative is %s, want booked", ap.State)
	}
	old, _ := r.dev.Store.Appointment(ctx, r.nav.tickets[0])
	if old.State != citizen.AppointmentCancelled {
		t.Errorf("the taken one is %s, want off the list (cancelled)", old.State)
	}
}

// TestCancelFromTicket: cancelling asks first, then the appointment waits
// to be cancelled and is, at the backend, after a pass.
func TestCancelFromTicket(t *testing.T) {
	r := newRig(t)
	b := r.bookScreen(t)
	r.tapSlot(t, b)
	ctx := context.Background()
	if err := r.dev.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	tk := r.area.TicketScreen(r.nav.tickets[0])
	r.show(tk.Content())
	test.Tap(tk.export) // the save dialog: where the .ics goes
	if r.win.Canvas().Overlays().Top() == nil {
		t.Error("Add to calendar shows no save dialog")
	}
	r.win.Canvas().Overlays().Remove(r.win.Canvas().Overlays().Top())
	test.Tap(tk.cancel)
	test.Tap(uitest.Button(t, r.win, "Yes"))
	if tk.state.Text != "Cancellation waiting to be sent" {
		t.Errorf("after cancelling: %q", tk.state.Text)
	}
	if err := r.dev.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	tk.Refresh()
	if tk.state.Text != "Cancelled" || tk.cancel != nil {
		t.Errorf("after the pass: %q, cancel button %v", tk.state.Text, tk.cancel != nil)
	}
	r.area.List().Refresh()
	if !r.area.List().empty.Visible() {
		t.Error("the list still shows the cancelled appointment")
	}
}

// TestReminderTheDayBefore: the checker, on its clock, notifies once the
// day before, and not again.
func TestReminderTheDayBefore(t *testing.T) {
	r := newRig(t)
	b := r.bookScreen(t)
	slot := r.tapSlot(t, b)
	ctx := context.Background()
	if err := r.dev.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	var got []*fyne.Notification
	rem := r.area.Reminders(func(n *fyne.Notification) { got = append(got, n) })
	for _, tc := range []struct {
		name string
		at   time.Time
		want int
	}{
		{"two days before", slot.Start.Add(-48 * time.Hour), 0},
		{"the day before", slot.Start.Add(-23 * time.Hour), 1},
		{"an hour later", slot.Start.Add(-22 * time.Hour), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.now = tc.at
			n, err := rem.Check(ctx)
			if err != nil || n != tc.want {
				t.Errorf("Check = %d, %v; want %d", n, err, tc.want)
			}
		})
	}
	if len(got) != 1 || !strings.HasPrefix(got[0].Title, "Appointment tomorrow: Register your residence") {
		t.Errorf("notifications %+v, want one for the appointment", got)
	}
}

func TestAge(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"en", 2*time.Hour + 5*time.Minute, "As of: 2 hours ago"},
		{"de", 2*time.Hour + 5*time.Minute, "Stand: vor 2 Stunden"},
		{"de", 10 * time.Second, "Stand: gerade eben"},
		{"de", 3 * 24 * time.Hour, "Stand: vor 3 Tagen"},
	} {
		t.Run(tc.lang+" "+tc.d.String(), func(t *testing.T) {
			if err := kit.SetLanguage(tc.lang); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = kit.SetLanguage("en") })
			if got := Age(at, at.Add(tc.d)); got != tc.want {
				t.Errorf("Age = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestLegalDeadline: a registration form with the moving date entered
// shows its deadline when booking, and the checker reminds of it three
// days before while no appointment in time is booked.
func TestLegalDeadline(t *testing.T) {
	r := newRig(t)
	moved := time.Now().AddDate(0, 0, -12).Format(time.DateOnly)
	r.dev.Draft(t, "anmeldung-wohnung", map[string]any{"move_in_date": moved})
	b := r.bookScreen(t)
	if !b.deadline.Visible() || !strings.Contains(b.deadline.Text, "Deadline: register by") {
		t.Errorf("deadline label %q (shown %v), want the deadline", b.deadline.Text, b.deadline.Visible())
	}
	var got []*fyne.Notification
	rem := r.area.Reminders(func(n *fyne.Notification) { got = append(got, n) })
	n, err := rem.Check(context.Background())
	if err != nil || n != 1 || !strings.HasPrefix(got[0].Title, "Deadline soon: Register your residence") {
		t.Fatalf("Check = %d, %v, %+v; want one deadline reminder", n, err, got)
	}
	if n, _ := rem.Check(context.Background()); n != 0 {
		t.Errorf("second Check = %d, want 0 (reminded once)", n)
	}
}

// TestChangeTime: "Change time" opens the choice of a time for the
// rebooking; once it went out, the old appointment is cancelled and the
// new one booked, at the backend too.
func TestChangeTime(t *testing.T) {
	r := newRig(t)
	b := r.bookScreen(t)
	r.tapSlot(t, b)
	ctx := context.Background()
	if err := r.dev.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	old := r.nav.tickets[0]
	tk := r.area.TicketScreen(old)
	r.show(tk.Content())
	test.Tap(tk.rebook)
	if want := "anmeldung-wohnung/" + old; len(r.nav.bookings) != 1 || r.nav.bookings[0] != want {
		t.Fatalf("Change time opened %v, want %s", r.nav.bookings, want)
	}
	nb := r.area.BookScreen("anmeldung-wohnung", old)
	r.show(nb.Content())
	nb.office.SetSelected("Citizens' office at the town hall")
	waitFor(t, func() bool { return len(nb.slots.Objects) > 1 })
	test.Tap(uitest.AsButton(nb.slots.Objects[1]))
	test.Tap(uitest.Button(t, r.win, "Book"))
	if err := r.dev.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	was, _ := r.dev.Store.Appointment(ctx, old)
	now, _ := r.dev.Store.Appointment(ctx, r.nav.tickets[1])
	if was.State != citizen.AppointmentCancelled || now.State != citizen.AppointmentBooked || now.Replaces != old {
		t.Errorf("after changing the time: old %s, new %s (replaces %q)", was.State, now.State, now.Replaces)
	}
}

// TestSlotsFollowTheTextSize: the times' buttons have the room their text
// needs at 100 %, at 200 % chosen while they show, and at 100 % again.
func TestSlotsFollowTheTextSize(t *testing.T) {
	r := newRig(t)
	fyne.CurrentApp().Settings().SetTheme(kit.NewLook(100, kit.ContrastNormal))
	b := r.bookScreen(t)
	var last float32
	for _, p := range []int{100, 200, 100} {
		fyne.CurrentApp().Settings().SetTheme(kit.NewLook(p, kit.ContrastNormal))
		btn := b.slots.Objects[0].(*kit.Button)
		got, need := btn.Size(), btn.MinSize()
		if got.Width < need.Width-0.5 || got.Height < need.Height-0.5 {
			t.Errorf("at %d %%: a time's button is %.0fx%.0f, its text needs %.0fx%.0f", p, got.Width, got.Height, need.Width, need.Height)
		}
		if p == 200 && got.Height <= last {
			t.Errorf("at 200 %%: a time's button is %.0f high, at 100 %% %.0f", got.Height, last)
		}
		last = got.Height
	}
}
