//go:build !screenshot

package kiosk_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	appkiosk "rathaus/app/kiosk"
	"rathaus/app/secrets"
	"rathaus/server/servertest"
	"rathaus/sync/engine"
	"rathaus/ui"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kiosk"
	"rathaus/ui/kit"
)

// rig is a kiosk in fyne's test driver against the real backend over
// loopback: its own database, engine and sessions, the app's screens in
// each session, and a clock the test moves.
type rig struct {
	*kioskDevice
	b     *servertest.Backend
	win   fyne.Window
	kiosk *kiosk.Kiosk
	pin   *appkiosk.PIN

	mu   sync.Mutex
	now  time.Time
	left bool
}

const testPIN = "24681357"

func newRig(t *testing.T, setPIN bool, opts ...func(*kiosk.Deps)) *rig {
	t.Helper()
	a := test.NewTempApp(t)
	ctx := context.Background()
	r := &rig{b: servertest.New(t), now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	r.kioskDevice = newKioskDevice(t, r.b, t.TempDir(), secrets.OpenMemory("kiosk-ui-test"))
	r.pin = appkiosk.NewPIN(r.store, r.clock)
	if setPIN {
		if err := r.pin.Set(ctx, testPIN); err != nil {
			t.Fatal(err)
		}
	}
	r.win = test.NewWindow(nil)
	r.win.Resize(fyne.NewSize(1024, 768))
	t.Cleanup(r.win.Close)
	d := kiosk.Deps{
		Window: r.win, PIN: r.pin, Sessions: r.sessions, Engine: syncNow{r.engine, t}, Handoffs: r.portal,
		Idle: 2 * time.Minute, Now: r.clock, NoTicker: true, SendWait: 3 * time.Second,
		Screens: func(s *appkiosk.Session, sync *kiosk.SessionSync, w fyne.Window, frame func(fyne.CanvasObject) fyne.CanvasObject) func() {
			u := ui.New(kiosk.Confine(a), ui.Deps{Store: sync.Store(), Sync: sync, FixedLanguage: true, Window: w, Frame: frame})
			return u.Stop
		},
		OnLeave: func() { r.mu.Lock(); r.left = true; r.mu.Unlock() },
	}
	for _, o := range opts {
		o(&d)
	}
	r.kiosk = kiosk.New(d)
	r.kiosk.Show()
	return r
}

// syncNow is the kiosk's engine with its passes run at once (the engine's
// loop does not run in these tests).
type syncNow struct {
	*engine.Engine
	t *testing.T
}

func (s syncNow) SyncNow() { go func() { _ = s.Engine.Sync(context.Background()) }() }

func (r *rig) hasLeft() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.left
}

func (r *rig) clock() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now
}

func (r *rig) advance(d time.Duration) {
	r.mu.Lock()
	r.now = r.now.Add(d)
	r.mu.Unlock()
}

func (r *rig) tap(t *testing.T, text string) {
	t.Helper()
	test.Tap(uitest.Button(t, r.win, text))
}

// waitFor waits until the window shows text (some screens come from a
// goroutine).
func (r *rig) waitFor(t *testing.T, text string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var got string
		fyne.DoAndWait(func() { got = r.allText() })
		if strings.Contains(got, text) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the window never showed %q; it shows:\n%s", text, r.allText())
}

// allText is the labels and buttons of the window and its dialog.
func (r *rig) allText() string {
	var b strings.Builder
	b.WriteString(uitest.WindowText(r.win))
	for _, root := range []fyne.CanvasObject{r.win.Content(), r.win.Canvas().Overlays().Top()} {
		uitest.Walk(root, func(o fyne.CanvasObject) {
			if btn := uitest.AsButton(o); btn != nil {
				b.WriteString("[" + btn.Text + "]\n")
			}
			if txt, ok := o.(*canvas.Text); ok {
				b.WriteString(txt.Text + "\n")
			}
		})
	}
	return b.String()
}

// entries are the text fields of the window's dialog, else of the window.
func (r *rig) entries() []*kit.Entry {
	if top := r.win.Canvas().Overlays().Top(); top != nil {
		return uitest.All[*kit.Entry](top)
	}
	return uitest.All[*kit.Entry](r.win.Content())
}
