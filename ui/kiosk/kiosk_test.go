//go:build !screenshot

package kiosk_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/mobile"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/assets/demotest"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kiosk"
	"rathaus/ui/kit"
)

func TestFirstStartSetsThePIN(t *testing.T) {
	r := newRig(t, false)
	tests := []struct {
		name, first, second, want string
	}{
		{"the two differ", "12345678", "12345679", "The two PINs differ."},
		{"too short", "1234", "1234", "The PIN must have 6 to 12 digits."},
		{"not digits", "abcdefgh", "abcdefgh", "The PIN must have 6 to 12 digits."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := r.entries()
			if len(e) != 2 {
				t.Fatalf("the PIN's setup has %d fields; want 2", len(e))
			}
			e[0].SetText(tc.first)
			e[1].SetText(tc.second)
			r.tap(t, "Save PIN")
			if got := r.allText(); !strings.Contains(got, tc.want) {
				t.Errorf("after Save: %q; want %q", got, tc.want)
			}
			if set, _ := r.pin.IsSet(context.Background()); set {
				t.Error("a refused PIN was stored")
			}
		})
	}
	e := r.entries()
	e[0].SetText("")
	e[1].SetText("")
	test.Type(e[0], testPIN)
	test.Type(e[1], testPIN)
	r.tap(t, "Save PIN")
	r.waitFor(t, "[Start]")
	if err := r.pin.Check(context.Background(), testPIN); err != nil {
		t.Errorf("the PIN set on the screen: %v", err)
	}
}

func TestStartScreenLanguages(t *testing.T) {
	r := newRig(t, true)
	got := r.allText()
	for _, want := range []string{"Welcome to the town hall", "[Start]", "[Staff]"} {
		if !strings.Contains(got, want) {
			t.Errorf("the start screen lacks %q:\n%s", want, got)
		}
	}
	// Each language named in itself.
	for _, name := range []string{"Deutsch", "English", "Türkçe", "Українська"} {
		if !strings.Contains(strings.Join(radioOptions(r), "\n"), name) {
			t.Errorf("the language switch lacks %q: %v", name, radioOptions(r))
		}
	}
}

// TestSessionDoneGivesTheReceipt: a citizen submits a form in a session
// and taps "Done": the receipt shows the case number; the session is
// gone; "Finish" leads back to the start.
func TestSessionDoneGivesTheReceipt(t *testing.T) {
	r := newRig(t, true)
	r.tap(t, "Start")
	s := r.kiosk.Session()
	if s == nil {
		t.Fatal("no session after Start")
	}
	r.waitFor(t, "[Done]")
	if got := r.allText(); !strings.Contains(got, "[Continue on my phone]") {
		t.Errorf("the session bar lacks the handoff:\n%s", got)
	}
	if !strings.Contains(r.allText(), "Help mode (large type for the clerk beside you)") {
		t.Error("the session bar lacks the help mode")
	}
	// The form is filled in by the forms' screens, tested in ui/forms;
	// here the store calls they make, then the sync's Kick, as Submit does.
	ctx := context.Background()
	svc := demotest.Service(t, "hundesteuer")
	d := citizen.NewDraft(svc, time.Now())
	if err := s.Store.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.Submit(ctx, d.ID, demotest.Example(t, svc.Form.ID)); err != nil {
		t.Fatal(err)
	}
	r.tap(t, "Done")
	r.waitFor(t, "Case number:")
	if got := r.b.Cases(); got != 1 {
		t.Errorf("cases at the backend = %d; want 1", got)
	}
	if r.kiosk.Session() != nil {
		t.Error("the session is still there after Done")
	}
	r.tap(t, "Finish")
	r.waitFor(t, "Welcome to the town hall")

	// The next citizen finds nothing of the first.
	r.tap(t, "Start")
	r.waitFor(t, "[Done]")
	next := r.kiosk.Session()
	if next == nil || next.ID == s.ID {
		t.Fatal("no new session for the next citizen")
	}
	if drafts, err := next.Store.Drafts(ctx); err != nil || len(drafts) != 0 {
		t.Errorf("the next session's drafts = %d, %v; want none", len(drafts), err)
	}
	if drafts, err := r.store.Drafts(ctx); err != nil || len(drafts) != 0 {
		t.Errorf("the kiosk's drafts after the first's case = %d, %v; want none", len(drafts), err)
	}
}

// TestInactivityCountdown: without a touch, the warning comes 30 s before
// the end; "Continue" restarts the countdown; then the session ends by
// itself and the start screen is back.
func TestInactivityCountdown(t *testing.T) {
	r := newRig(t, true)
	r.tap(t, "Start")
	r.waitFor(t, "[Done]")
	steps := []struct {
		advance time.Duration
		want    string
	}{
		{89 * time.Second, ""},
		{time.Second, "The session ends in 30 seconds."},
		{20 * time.Second, "The session ends in 10 seconds."},
	}
	for _, s := range steps {
		r.advance(s.advance)
		r.kiosk.Tick()
		got := r.allText()
		if s.want == "" && strings.Contains(got, "Still there?") {
			t.Errorf("after %v: a warning too early", s.advance)
		}
		if s.want != "" && !strings.Contains(got, s.want) {
			t.Errorf("after %v: %q; want %q", s.advance, got, s.want)
		}
	}
	r.tap(t, "Continue")
	r.advance(119 * time.Second)
	r.kiosk.Tick()
	if r.kiosk.Session() == nil {
		t.Fatal("the session ended although Continue was tapped")
	}
	r.advance(time.Second)
	r.kiosk.Tick()
	r.waitFor(t, "Welcome to the town hall")
	if r.kiosk.Session() != nil {
		t.Error("the session is still there after the countdown")
	}
}

// TestEscapeOnTheWarningContinues: Escape (or the back key) on the
// inactivity warning is a sign of someone there: the session goes on, as
// with "Continue".
func TestEscapeOnTheWarningContinues(t *testing.T) {
	for _, key := range []fyne.KeyName{fyne.KeyEscape, mobile.KeyBack} {
		t.Run(string(key), func(t *testing.T) {
			r := newRig(t, true)
			r.tap(t, "Start")
			r.waitFor(t, "[Done]")
			r.advance(90 * time.Second)
			r.kiosk.Tick()
			c := r.win.Canvas()
			f := c.Focused()
			if c.Overlays().Top() == nil || f == nil {
				t.Fatalf("no warning with its button focused (%T)", f)
			}
			f.TypedKey(&fyne.KeyEvent{Name: key})
			if c.Overlays().Top() != nil {
				t.Error("the warning stays")
			}
			// 60 s more: past the end without the key, early in a new
			// countdown with it.
			r.advance(60 * time.Second)
			r.kiosk.Tick()
			if got := r.allText(); !strings.Contains(got, "[Done]") {
				t.Errorf("the session ended although someone pressed a key: %q", got)
			}
		})
	}
}

// TestLeaveNeedsThePIN: the staff's way out asks for the PIN; a wrong one
// says how many tries are left, the fifth locks it; the right one leaves.
func TestLeaveNeedsThePIN(t *testing.T) {
	r := newRig(t, true)
	r.tap(t, "Staff")
	pinEntry := func() {
		t.Helper()
		if len(r.entries()) != 1 {
			t.Fatalf("the PIN dialog has %d fields", len(r.entries()))
		}
	}
	pinEntry()
	for i := 1; i <= 5; i++ {
		test.Type(r.entries()[0], "000000")
		r.tap(t, "Leave kiosk mode")
		want := "tries left"
		if i == 5 {
			want = "Too many wrong PINs. Try again in 1 minutes."
		}
		if got := r.allText(); !strings.Contains(got, want) {
			t.Fatalf("wrong PIN %d: %q; want %q", i, got, want)
		}
	}
	test.Type(r.entries()[0], testPIN)
	r.tap(t, "Leave kiosk mode")
	if r.hasLeft() {
		t.Fatal("left kiosk mode while the PIN was locked")
	}
	r.advance(time.Minute)
	test.Type(r.entries()[0], testPIN)
	r.tap(t, "Leave kiosk mode")
	if !r.hasLeft() {
		t.Error("the right PIN did not leave kiosk mode")
	}
}

// TestEscapeCancelsThePIN: Escape or the phone's back key in the PIN field
// (where the dialog puts the focus) closes the dialog without leaving
// kiosk mode, also with the right PIN typed.
func TestEscapeCancelsThePIN(t *testing.T) {
	for _, key := range []fyne.KeyName{fyne.KeyEscape, mobile.KeyBack} {
		t.Run(string(key), func(t *testing.T) {
			r := newRig(t, true)
			r.tap(t, "Staff")
			c := r.win.Canvas()
			e, ok := c.Focused().(*kit.Entry)
			if !ok || c.Overlays().Top() == nil {
				t.Fatalf("the PIN dialog opens with %T focused", c.Focused())
			}
			test.Type(e, testPIN)
			e.TypedKey(&fyne.KeyEvent{Name: key})
			if c.Overlays().Top() != nil {
				t.Error("the PIN dialog stays open")
			}
			if r.hasLeft() {
				t.Error("kiosk mode was left")
			}
		})
	}
}

// TestHandoffToAPhone: the citizen's draft goes to a phone by the QR
// code's link; the kiosk shows when the phone took it.
func TestHandoffToAPhone(t *testing.T) {
	r := newRig(t, true)
	r.tap(t, "Start")
	r.waitFor(t, "[Done]")
	s := r.kiosk.Session()
	ctx := context.Background()
	svc := demotest.Service(t, "hundesteuer")
	d := citizen.NewDraft(svc, time.Now())
	d.Values = map[string]any{"dog_name": "Wuffi"}
	if err := s.Store.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	r.tap(t, "Continue on my phone")
	r.waitFor(t, "Waiting for your phone")
	link := decodeQR(t, r.win)
	if !strings.HasPrefix(link, "rathaus://handoff/") {
		t.Fatalf("the QR code holds %q", link)
	}
	phone := newPhone(t, r.b.URL)
	got, err := phone.take(t, link)
	if err != nil || got.Values["dog_name"] != "Wuffi" || got.Form != (api.FormRef{ID: svc.Form.ID, Version: svc.Form.Version}) {
		t.Fatalf("the phone's draft = %+v, %v", got, err)
	}
	r.waitFor(t, "Your phone took the draft at")
}

func TestConfinedOpensNoLinks(t *testing.T) {
	a := kiosk.Confine(test.NewTempApp(t))
	u, _ := url.Parse("https://example.org")
	if err := a.OpenURL(u); citizen.ErrorCode(err) != citizen.EUNAVAILABLE {
		t.Errorf("OpenURL at the kiosk: %v; want %s", err, citizen.EUNAVAILABLE)
	}
}

// TestLanguageGoesBackAfterASession: a citizen picks Türkçe on the start
// screen; after the session the next citizen meets the kiosk's language.
func TestLanguageGoesBackAfterASession(t *testing.T) {
	r := newRig(t, true)
	t.Cleanup(func() { _ = kit.SetLanguage("en") })
	pickers := uitest.All[*kit.LanguagePicker](r.win.Content())
	if len(pickers) != 1 {
		t.Fatal("no language switch on the start screen")
	}
	pickers[0].Pick("tr")
	if got := kit.Lang(); got != "tr" {
		t.Fatalf("language after the pick: %s", got)
	}
	r.tap(t, lang.L("Start"))
	r.waitFor(t, "["+lang.L("Done")+"]")
	r.tap(t, lang.L("Done"))
	r.waitFor(t, "Welcome to the town hall")
	if got := kit.Lang(); got != "en" {
		t.Errorf("language for the next citizen: %s; want en", got)
	}
}

// fakeStaff stands in for the device-grant login so that the test says
// when the staff confirm (confirm); TestLeaveWithTheStaffSignIn runs the
// real one (StaffAccount) against the provider.
type fakeStaff struct{ confirm chan error }

func (f fakeStaff) StartDeviceLogin(context.Context) (kiosk.StaffCode, func(context.Context) error, error) {
	return kiosk.StaffCode{UserCode: "WDJB-MJHT", VerificationURI: "http://127.0.0.1/device"}, func(ctx context.Context) error {
		select {
		case err := <-f.confirm:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}, nil
}

func TestLeaveWithAStaffAccount(t *testing.T) {
	staff := fakeStaff{confirm: make(chan error, 1)}
	r := newRig(t, true, func(d *kiosk.Deps) { d.Staff = staff })
	r.tap(t, "Staff")
	r.tap(t, "Sign in with a staff account")
	r.waitFor(t, "WDJB-MJHT")
	if r.hasLeft() {
		t.Fatal("left before the staff confirmed")
	}
	staff.confirm <- nil
	deadline := time.Now().Add(10 * time.Second)
	for !r.hasLeft() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !r.hasLeft() {
		t.Error("the confirmed sign-in did not leave kiosk mode")
	}
}

// TestHelpModeAtOnce: the help mode, ticked and unticked in a session,
// sets 200 % and 150 % while the services show: their list's rows take
// the height their texts need at once (a row over the next, or a gap,
// was the home list's old height).
func TestHelpModeAtOnce(t *testing.T) {
	r := newRig(t, true)
	r.tap(t, "Start")
	r.waitFor(t, "[Done]")
	checks := uitest.All[*kit.Check](r.win.Content())
	if len(checks) == 0 {
		t.Fatal("no help mode to tick")
	}
	for _, step := range []struct {
		tick    bool
		percent int
	}{{true, 200}, {false, 150}} {
		test.Tap(checks[0])
		if l, ok := fyne.CurrentApp().Settings().Theme().(*kit.Look); !ok || l.TextPercent() != step.percent || checks[0].Checked != step.tick {
			t.Fatalf("help mode %v: the look is %v, want %d %%", checks[0].Checked, fyne.CurrentApp().Settings().Theme(), step.percent)
		}
		rows := 0
		uitest.Walk(r.win.Content(), func(o fyne.CanvasObject) {
			c, ok := o.(*fyne.Container)
			if !ok || len(c.Objects) != 3 {
				return
			}
			if l, ok := c.Objects[1].(*widget.Label); ok && l.TextStyle.Bold && l.Truncation == fyne.TextTruncateEllipsis {
				rows++
				if got, need := c.Size().Height, c.MinSize().Height; got < need-0.5 || got > need+0.5 {
					t.Errorf("at %d %%: the row %q is %.0f high, its texts need %.0f", step.percent, l.Text, got, need)
				}
			}
		})
		if rows < 2 {
			t.Errorf("at %d %%: %d rows of services on the screen, want several", step.percent, rows)
		}
	}
}
