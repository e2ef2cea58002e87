package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"rathaus/assets/demotest"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// TestServiceLeadsToBooking: a service the citizens' office holds
// appointments for offers one on its screen; the button opens the choice
// of a time on the appointments' tab, the service chosen.
func TestServiceLeadsToBooking(t *testing.T) {
	r := newRig(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if o, ok, _ := r.Store.CachedOffices(context.Background()); ok && len(o.Offices) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the offices were not fetched at the start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.ui.OpenService(demotest.Service(t, "hundesteuer"))
	if r.findButton("Book an appointment") != nil {
		t.Error("the dog tax offers an appointment; no office holds them for it")
	}
	r.ui.OpenService(demotest.Service(t, "anmeldung-wohnung"))
	test.Tap(r.button(t, "Book an appointment"))
	if got := r.ui.tabs.Selected().Text; got != "Appointments" {
		t.Errorf("tab %q, want Appointments", got)
	}
	sel := uitest.All[*kit.Select](r.ui.apptsNav.content())
	if len(sel) == 0 || sel[0].Selected != "Register your residence" {
		t.Errorf("selects %v: want the service chosen", sel)
	}
}
