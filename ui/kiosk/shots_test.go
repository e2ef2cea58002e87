//go:build screenshot

package kiosk_test

// Screenshots of kiosk mode in a real window (the GLFW driver, under Xvfb
// in `make screenshot`), against the real backend. Run with
//
//	xvfb-run -a -s "-screen 0 1280x800x24" go test -tags screenshot -run Screenshots ./ui/kiosk/ -args -shots DIR

import (
	"context"
	"flag"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fynelang "fyne.io/fyne/v2/lang"

	"rathaus/app/citizen"
	appkiosk "rathaus/app/kiosk"
	"rathaus/app/secrets"
	"rathaus/assets/demotest"
	"rathaus/server/servertest"
	"rathaus/ui"
	"rathaus/ui/internal/shots"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kiosk"
	"rathaus/ui/kit"
)

var (
	shotsDir = flag.String("shots", "../../docs", "folder for the screenshots")
	realApp  fyne.App
)

func TestMain(m *testing.M) {
	flag.Parse()
	shots.Main(m, kit.LoadTranslations, &realApp)
}

// TestKioskScreenshots: the start screen (docs/kiosk-start.png), a
// session with a form open (docs/kiosk-session.png) and the handoff's QR
// code (docs/kiosk-handoff.png).
func TestKioskScreenshots(t *testing.T) {
	ctx := context.Background()
	b := servertest.New(t)
	kd := newKioskDevice(t, b, t.TempDir(), secrets.OpenMemory("kiosk-shots"))
	st, pc, eng, sessions := kd.store, kd.portal, kd.engine, kd.sessions
	runCtx, stopEngine := context.WithCancel(ctx)
	defer stopEngine()
	go eng.Run(runCtx) // "Done" asks it for the case numbers
	pin := appkiosk.NewPIN(st, nil)
	if err := pin.Set(ctx, "24681357"); err != nil {
		t.Fatal(err)
	}
	var u *ui.UI
	var w fyne.Window
	var k *kiosk.Kiosk
	fyne.DoAndWait(func() {
		w = realApp.NewWindow("Rathaus")
		k = kiosk.New(kiosk.Deps{Window: w, PIN: pin, Sessions: sessions, Engine: eng, Handoffs: pc, NoTicker: true,
			Screens: func(s *appkiosk.Session, sync *kiosk.SessionSync, w fyne.Window, frame func(fyne.CanvasObject) fyne.CanvasObject) func() {
				u = ui.New(realApp, ui.Deps{Store: sync.Store(), Sync: sync, FixedLanguage: true, Window: w, Frame: frame})
				return u.Stop
			}})
		w.Resize(fyne.NewSize(1280, 800))
		k.Show()
		w.Show()
	})
	time.Sleep(time.Second)
	shots.Capture(t, w, *shotsDir, "kiosk-start.png")

	fyne.DoAndWait(func() { uitest.Button(t, w, fynelang.L("Start")).OnTapped() })
	s := k.Session()
	svc := demotest.Service(t, "hundesteuer")
	d := citizen.NewDraft(svc, time.Now())
	d.Values = demotest.Example(t, svc.Form.ID)
	if err := s.Store.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	fyne.DoAndWait(func() { u.OpenDraft(d) })
	shots.Capture(t, w, *shotsDir, "kiosk-session.png")

	fyne.DoAndWait(func() { uitest.Button(t, w, fynelang.L("Continue on my phone")).OnTapped() })
	shots.Capture(t, w, *shotsDir, "kiosk-handoff.png")

	// The receipt (docs/kiosk-receipt.png): the form submitted, "Done".
	fyne.DoAndWait(func() { uitest.Button(t, w, fynelang.L("Close")).OnTapped() })
	if _, err := s.Store.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}
	fyne.DoAndWait(func() { uitest.Button(t, w, fynelang.L("Done")).OnTapped() })
	deadline := time.Now().Add(20 * time.Second)
	for k.Session() != nil || uitest.FindButton(w, fynelang.L("Finish")) == nil {
		if time.Now().After(deadline) {
			t.Fatal("no receipt")
		}
		time.Sleep(100 * time.Millisecond)
	}
	shots.Capture(t, w, *shotsDir, "kiosk-receipt.png")
}
