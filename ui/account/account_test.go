package account

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/server/servertest"
	"rathaus/sync/engine"
	"rathaus/sync/login"
	"rathaus/sync/login/logintest"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

func TestMain(m *testing.M) {
	if err := kit.LoadTranslations("en"); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// rig is the screen on a device with a real store, engine and login,
// against the backend with its provider on loopback (sync/login/logintest:
// zitadel's example OP until the backend's own is on main). The system
// browser is logintest's, which logs in as the test citizen.
type rig struct {
	p      *logintest.Provider
	keys   *secrets.Keychain
	login  *login.Manager
	screen *Screen
	win    fyne.Window
}

func newRig(t *testing.T, cfg login.Config) *rig {
	t.Helper()
	test.NewTempApp(t)
	p := logintest.New(t)
	keys := secrets.OpenMemory("rathaus-account-test")
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "rathaus.db"), keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pc := portal.New(p.URL)
	cfg.Issuer = p.URL
	if cfg.Open == nil {
		cfg.Open = p.Browser(p.UserName(), logintest.Password)
	}
	m := login.New(cfg, keys, pc, engine.New(st, pc, upload.New(p.URL), keys))
	s := NewScreen(m)
	w := test.NewWindow(s.Content())
	w.Resize(fyne.NewSize(360, 740))
	t.Cleanup(w.Close)
	return &rig{p: p, keys: keys, login: m, screen: s, win: w}
}

func (r *rig) text() string {
	var s string
	fyne.DoAndWait(func() { s = uitest.Text(r.win.Content()) })
	return s
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestScreen_LoginAndLogoutThroughTheBrowser: signed out, the screen
// offers both logins; "Log in" goes through the browser and shows the
// citizen's name and e-mail; "Log out" revokes and shows signed out.
func TestScreen_LoginAndLogoutThroughTheBrowser(t *testing.T) {
	r := newRig(t, login.Config{})
	if got := r.text(); !strings.Contains(got, "You are not logged in") {
		t.Fatalf("screen at first:\n%s\nwant signed out", got)
	}
	if uitest.FindButton(r.win, "Log out") != nil {
		t.Error("Log out shown while signed out")
	}
	uitest.Button(t, r.win, "Log in with a code")
	test.Tap(uitest.Button(t, r.win, "Log in"))
	want := "Logged in as " + r.p.Citizen.Name + " (" + r.p.Citizen.Email + ")"
	// The screen changes from the login's goroutine (fyne.Do): wait for
	// all of it, the name and the buttons.
	waitFor(t, "the name and Log out on screen, Log in gone", func() bool {
		var buttons bool
		fyne.DoAndWait(func() {
			buttons = uitest.FindButton(r.win, "Log out") != nil && uitest.FindButton(r.win, "Log in") == nil
		})
		return buttons && strings.Contains(r.text(), want)
	})
	if strings.Contains(r.text(), "joins your account as soon as") {
		t.Error("the screen says the link waits, but the backend was there")
	}
	access, err := r.login.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	test.Tap(uitest.Button(t, r.win, "Log out"))
	waitFor(t, "signed out", func() bool { return strings.Contains(r.text(), "You are not logged in") })
	if _, err := r.p.Userinfo(context.Background(), access); !errors.Is(err, logintest.ErrRefused) {
		t.Errorf("the access token after Log out: %v, want refused", err)
	}
}

// TestScreen_LoginWithACode: a kiosk shows the device grant's code in big
// type, its QR code and the address; once someone entered the code, the
// screen shows the account.
func TestScreen_LoginWithACode(t *testing.T) {
	var r *rig
	approved := false
	r = newRig(t, login.Config{Sleep: func(ctx context.Context, d time.Duration) error {
		// Staff read the code off the screen and enter it on their phone.
		var code string
		fyne.DoAndWait(func() { code = r.screen.Code() })
		if code != "" && !approved {
			approved = true
			if err := r.p.ApproveDevice(code, r.p.UserName(), logintest.Password); err != nil {
				return err
			}
		}
		// Past the test provider's interval, not the 5 s the app waits.
		time.Sleep(servertest.DevicePollInterval + 100*time.Millisecond)
		return nil
	}})
	test.Tap(uitest.Button(t, r.win, "Log in with a code"))
	waitFor(t, "signed in", func() bool { return strings.Contains(r.text(), "Logged in as "+r.p.Citizen.Name) })
	if got := r.p.DevicePolls(); got < 1 {
		t.Errorf("device polls = %d", got)
	}
}

// TestScreen_CodeQRAndAddress: while the code waits to be entered the
// screen shows it, a QR code of the address that carries it, and the
// address; Cancel goes back to signed out.
func TestScreen_CodeQRAndAddress(t *testing.T) {
	r := newRig(t, login.Config{Sleep: func(ctx context.Context, d time.Duration) error {
		<-ctx.Done()
		return ctx.Err()
	}})
	test.Tap(uitest.Button(t, r.win, "Log in with a code"))
	waitFor(t, "the code", func() bool {
		var c string
		fyne.DoAndWait(func() { c = r.screen.Code() })
		return c != ""
	})
	fyne.DoAndWait(func() {
		if r.screen.qr.Image == nil || !r.screen.qr.Visible() {
			t.Error("no QR code on screen")
		}
		if r.screen.code.TextSize < 30 {
			t.Errorf("code's text size = %v, want big", r.screen.code.TextSize)
		}
	})
	if got := r.text(); !strings.Contains(got, "Address: "+r.p.URL) || !strings.Contains(got, "enter this code") {
		t.Errorf("screen:\n%s\nwant the address and what to do", got)
	}
	test.Tap(uitest.Button(t, r.win, "Cancel"))
	waitFor(t, "signed out again", func() bool {
		var c string
		fyne.DoAndWait(func() { c = r.screen.Code() })
		return c == "" && strings.Contains(r.text(), "You are not logged in")
	})
	if strings.Contains(r.text(), "did not work") {
		t.Error("a cancel is shown as a problem")
	}
}

// TestScreen_ErrorsInTheCitizensLanguage: with the backend down, a login
// says so, in German and in English.
func TestScreen_ErrorsInTheCitizensLanguage(t *testing.T) {
	for _, tc := range []struct{ lang, want string }{
		{"de", "Die Anmeldung des Rathauses ist nicht erreichbar."},
		{"en", "The town hall's login cannot be reached."},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			if err := kit.SetLanguage(tc.lang); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = kit.SetLanguage("en") })
			r := newRig(t, login.Config{})
			r.p.Stop()
			var b string
			fyne.DoAndWait(func() { b = r.screen.loginB.Text })
			test.Tap(uitest.Button(t, r.win, b))
			waitFor(t, "the problem", func() bool { return strings.Contains(r.text(), tc.want) })
		})
	}
}
