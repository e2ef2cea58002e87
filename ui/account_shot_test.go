//go:build screenshot

package ui

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/assets"
	"rathaus/sync/engine"
	"rathaus/sync/login"
	"rathaus/sync/login/logintest"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// TestAccountScreenshots shows the account section of the settings:
// logged out (docs/account-signed-out.png), the kiosk's login with a code
// (docs/account-code.png) and logged in (docs/account.png), against the
// backend with its provider on loopback (sync/login/logintest).
func TestAccountScreenshots(t *testing.T) {
	ctx := context.Background()
	p := logintest.New(t)
	keys := secrets.OpenMemory("rathaus-account-shots")
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "app.db"), keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := assets.SeedDemo(ctx, st); err != nil {
		t.Fatal(err)
	}
	pc := portal.New(p.URL)
	eng := engine.New(st, pc, upload.New(p.URL), keys)
	approve := make(chan struct{})
	m := login.New(login.Config{Issuer: p.URL, Open: p.Browser(p.UserName(), logintest.Password),
		Sleep: func(ctx context.Context, d time.Duration) error {
			select {
			case <-approve:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}}, keys, pc, eng)
	if err := eng.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	var u *UI
	fyne.DoAndWait(func() {
		u = New(realApp, Deps{Store: st, Sync: eng, Account: m})
		u.win.Resize(fyne.NewSize(480, 900))
		u.win.Show()
		u.OpenSettings()
	})
	scrollToEnd(u)
	capture(t, u.win, "account-signed-out.png")

	var code string
	fyne.DoAndWait(func() { uitest.Button(t, u.win, lang.L("Log in with a code")).OnTapped() })
	for deadline := time.Now().Add(10 * time.Second); code == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		fyne.DoAndWait(func() { code = u.account.Code() })
	}
	if code == "" {
		t.Fatal("no code on screen")
	}
	scrollToEnd(u)
	capture(t, u.win, "account-code.png")
	if err := p.ApproveDevice(code, p.UserName(), logintest.Password); err != nil {
		t.Fatal(err)
	}
	close(approve)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if a, ok, _ := m.Account(); ok && a.Linked {
			break
		}
	}
	time.Sleep(500 * time.Millisecond) // the screen follows by fyne.Do
	scrollToEnd(u)
	capture(t, u.win, "account.png")
}

// scrollToEnd shows the bottom of the settings, where the account is.
func scrollToEnd(u *UI) {
	fyne.DoAndWait(func() {
		for _, s := range uitest.All[*kit.Scroll](u.win.Content()) {
			s.ScrollToOffset(1e6)
		}
	})
	time.Sleep(300 * time.Millisecond) // a frame drawn
}
