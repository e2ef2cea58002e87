package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/citizen"
	"rathaus/app/fill/filltest"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// rig is the app's real parts (store file, engine, backend over loopback)
// behind the whole UI, in fyne's test driver. Its tests see the screens as
// the citizen does: buttons and labels by their text.
type rig struct {
	*uitest.Device
	app   fyne.App
	ui    *UI
	win   fyne.Window
	clock *filltest.Clock // forms save by it while the citizen types
}

// newRig builds the shell on a new device; opts change what it is built
// with (a store that counts what it is asked, say).
func newRig(t testing.TB, opts ...func(*Deps)) *rig {
	t.Helper()
	r := &rig{Device: uitest.NewDevice(t), clock: filltest.NewClock(time.Now())}
	r.app = test.NewTempApp(t)
	deps := Deps{Store: r.Store, Sync: r.Engine, Clock: r.clock}
	for _, o := range opts {
		o(&deps)
	}
	r.ui = New(r.app, deps)
	r.win = r.ui.Window()
	r.win.Resize(fyne.NewSize(480, 900))
	r.win.Show()
	return r
}

// button finds the visible button with the given text in the window or its
// top overlay (a dialog).
func (r *rig) button(t *testing.T, text string) *widget.Button {
	t.Helper()
	return uitest.Button(t, r.win, text)
}

func (r *rig) findButton(text string) *widget.Button { return uitest.FindButton(r.win, text) }

// text joins the texts of the visible labels of the window and its dialog.
func (r *rig) text() string { return uitest.WindowText(r.win) }

// sendDraft opens a draft holding a demo form's example and takes it
// through every step to "Submit", tapping as the citizen does.
func (r *rig) sendDraft(t *testing.T, service string) *citizen.Draft {
	t.Helper()
	d := r.Example(t, service)
	r.ui.OpenDraft(d)
	for range 10 {
		if r.findButton("Submit") != nil {
			break
		}
		test.Tap(r.button(t, "Next"))
	}
	test.Tap(r.button(t, "Submit"))
	return d
}

// TestNavigation: the home screen leads to a service, the service to its
// form, "back" returns, and a sent form gives way to "My applications".
func TestNavigation(t *testing.T) {
	r := newRig(t)
	var search *kit.Entry
	uitest.Walk(r.win.Content(), func(o fyne.CanvasObject) {
		if e, ok := o.(*kit.Entry); ok && strings.HasPrefix(e.PlaceHolder, "Search services") {
			search = e
		}
	})
	if search == nil {
		t.Fatal("no search box on the home screen")
	}
	test.Type(search, "dog")
	if !strings.Contains(r.text(), "Register a dog (dog tax)") {
		t.Fatalf("search for dog: %q", r.text())
	}
	svc, _ := r.ui.Service("hundesteuer")
	r.ui.OpenService(svc)
	if r.ui.nav.title.Text != svc.Title.In("en") || !r.ui.nav.bar.Visible() {
		t.Errorf("title bar = %q (visible %v), want the service", r.ui.nav.title.Text, r.ui.nav.bar.Visible())
	}
	test.Tap(r.button(t, "Fill in the form"))
	if r.findButton("Next") == nil || len(r.ui.nav.stack.Objects) != 3 {
		t.Fatalf("after \"Fill in the form\": %d screens, next button %v; want the form on top", len(r.ui.nav.stack.Objects), r.findButton("Next"))
	}
	test.Tap(r.ui.nav.back)
	if r.findButton("Fill in the form") == nil && r.findButton("Start a new form") == nil {
		t.Error("back from the form does not show the service")
	}
	test.Tap(r.ui.nav.back)
	if r.ui.nav.bar.Visible() {
		t.Error("back to the services still shows a back button")
	}

	d := r.sendDraft(t, "sperrmuell")
	if r.ui.tabs.SelectedIndex() != 1 || len(r.ui.nav.stack.Objects) != 1 {
		t.Errorf("after submit: tab %d, %d screens on the services tab; want My applications and the services alone", r.ui.tabs.SelectedIndex(), len(r.ui.nav.stack.Objects))
	}
	if !strings.Contains(r.text(), "Your application") {
		t.Errorf("after submit no dialog says what became of it: %q", r.text())
	}
	test.Tap(r.button(t, "OK"))

	// Resuming from "My applications" opens the form on the services tab.
	stored, _ := r.Store.Draft(context.Background(), d.ID)
	if stored.State != citizen.DraftQueued {
		t.Fatalf("draft after submit = %s, want queued", stored.State)
	}
}

// TestSubmitOnlineAndOffline: the sync line and "My applications" say
// where an application stands, with the backend away and back.
func TestSubmitOnlineAndOffline(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.Backend.Stop()
	r.sendDraft(t, "sperrmuell")
	_ = r.Engine.Sync(ctx)
	if got := r.ui.indicator.label.Text; !strings.HasPrefix(got, "Server not reachable") {
		t.Errorf("indicator offline = %q, want Server not reachable…", got)
	}
	if got := r.text(); !strings.Contains(got, "Waiting for connection") || !strings.Contains(got, "waits in the outbox") {
		t.Errorf("offline: %q, want the row and the dialog to say it waits", got)
	}
	r.Backend.Start()
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	cases, _ := r.Store.Cases(ctx)
	if len(cases) != 1 || r.Backend.Cases() != 1 {
		t.Fatalf("cases here %d, at the backend %d; want 1", len(cases), r.Backend.Cases())
	}
	if got := r.text(); strings.Count(got, cases[0].Number) < 2 || strings.Contains(got, "outbox") {
		t.Errorf("online: %q, want the case number in the row and the dialog, no outbox", got)
	}
	if !strings.HasPrefix(r.ui.indicator.label.Text, "Synced at") {
		t.Errorf("sync indicator = %q, want synced at a time", r.ui.indicator.label.Text)
	}
}

// TestAboutTab: the about screen has the last tab.
func TestAboutTab(t *testing.T) {
	r := newRig(t)
	if got := r.ui.tabs.Items[len(r.ui.tabs.Items)-1].Text; got != "About" {
		t.Errorf("last tab = %q, want About", got)
	}
}

// TestTheShellSavesWhatAFormHasWaiting: a form saves once the citizen
// pauses typing; whatever the shell does that may end the citizen's work
// saves at once what waits: the app leaving the foreground (a phone may
// kill it there without a word), stopping, its window closing, another
// tab, and "back".
func TestTheShellSavesWhatAFormHasWaiting(t *testing.T) {
	hook := func(name string, get func(l lifecycleHooks) func()) func(t *testing.T, r *rig) {
		return func(t *testing.T, r *rig) {
			l, ok := r.app.Lifecycle().(lifecycleHooks)
			if !ok || get(l) == nil {
				t.Fatalf("the shell set no %s hook", name)
			}
			get(l)()
		}
	}
	tests := []struct {
		name string
		do   func(t *testing.T, r *rig)
	}{
		{"leaving the foreground", hook("exited foreground", lifecycleHooks.OnExitedForeground)},
		{"stopping", hook("stopped", lifecycleHooks.OnStopped)},
		{"window closed", func(t *testing.T, r *rig) { r.win.Close() }},
		{"another tab", func(t *testing.T, r *rig) { r.ui.tabs.SelectIndex(1) }},
		{"back", func(t *testing.T, r *rig) { test.Tap(r.ui.nav.back) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			svc, _ := r.ui.Service("hundesteuer")
			r.ui.OpenService(svc)
			test.Tap(r.button(t, "Fill in the form"))
			var first *kit.Entry // the form's first field: the given name
			uitest.Walk(r.win.Content(), func(o fyne.CanvasObject) {
				if e, ok := o.(*kit.Entry); ok && first == nil {
					first = e
				}
			})
			if first == nil {
				t.Fatal("no text field on the form")
			}
			test.Type(first, "Erika")
			drafts, err := r.Store.Drafts(context.Background())
			if err != nil || len(drafts) != 1 {
				t.Fatalf("drafts = %d (%v), want 1", len(drafts), err)
			}
			if got := drafts[0].Values["given_name"]; got != nil {
				t.Fatalf("stored given name while typing = %v, want none yet (saved when typing pauses)", got)
			}
			tt.do(t, r)
			d, err := r.Store.Draft(context.Background(), drafts[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Values["given_name"]; got != "Erika" {
				t.Errorf("stored given name = %v, want Erika saved without a pause", got)
			}
		})
	}
}

// lifecycleHooks reads the hooks the shell set on fyne's Lifecycle (the
// test driver's keeps them).
type lifecycleHooks interface {
	OnExitedForeground() func()
	OnStopped() func()
}
