package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	appkiosk "rathaus/app/kiosk"
	"rathaus/sync/login"
	"rathaus/ui"
	"rathaus/ui/kiosk"
)

// kioskMode: RATHAUS_KIOSK=1 runs the app as a town-hall kiosk (README,
// "Kiosk mode").
func kioskMode() bool { return os.Getenv("RATHAUS_KIOSK") == "1" }

// showKiosk runs kiosk mode in a full-screen window: sessions left by a
// crash are ended first, the kiosk's database purged of what was sent.
// staff is the sign-in with a staff account beside the staff PIN.
func showKiosk(ctx context.Context, a fyne.App, p *parts, dir string, staff *login.Manager) error {
	ui.LoadFonts() // or waits for main's: a face may not shape two texts at once
	idle, err := appkiosk.IdleFromEnv()
	if err != nil {
		return err
	}
	sessions, err := appkiosk.NewSessions(filepath.Join(dir, "kiosk-sessions"), p.keys, p.store, nil)
	if err != nil {
		return err
	}
	if err := sessions.Sweep(ctx); err != nil {
		slog.Error("kiosk: sessions left behind could not all be ended", "err", err)
	}
	if err := p.store.PurgeSent(ctx); err != nil {
		slog.Error("kiosk: purge", "err", err)
	}
	go p.engine.Run(ctx)
	win := a.NewWindow(lang.L("Rathaus"))
	win.SetMaster()
	k := kiosk.New(kiosk.Deps{
		Window: win, PIN: appkiosk.NewPIN(p.store, nil), Sessions: sessions, Engine: p.engine, Handoffs: p.portal, Idle: idle,
		Staff: kiosk.StaffAccount{Login: staff},
		Screens: func(s *appkiosk.Session, sync *kiosk.SessionSync, w fyne.Window, frame func(fyne.CanvasObject) fyne.CanvasObject) func() {
			u := ui.New(kiosk.Confine(a), ui.Deps{Store: sync.Store(), Sync: sync, Protection: p.keys.Backend(),
				DataDir: fmt.Sprintf("(%s)", lang.L("kiosk session")), FixedLanguage: true, Window: w, Frame: frame})
			return u.Stop
		},
		OnLeave: a.Quit,
	})
	k.Show()
	go k.Run(ctx)
	win.Show()
	return nil
}
