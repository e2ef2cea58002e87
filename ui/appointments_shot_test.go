//go:build screenshot

package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"

	"rathaus/ui/internal/uitest"
)

// TestTicketScreenshots shows an appointment's ticket, booked at the real
// backend: docs/ticket.png.
func TestTicketScreenshots(t *testing.T) {
	ctx := context.Background()
	dev := uitest.NewDevice(t)
	if err := dev.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := dev.Engine.RefreshAppointments(ctx, "anmeldung-wohnung", "buergerbuero"); err != nil {
		t.Fatal(err)
	}
	sl, _, _, err := dev.Store.CachedSlots(ctx, "anmeldung-wohnung", "buergerbuero")
	if err != nil || len(sl.Slots) < 6 {
		t.Fatalf("slots: %d, %v", len(sl.Slots), err)
	}
	ap, err := dev.Store.BookAppointment(ctx, "anmeldung-wohnung", "buergerbuero", sl.Slots[5], "")
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	var u *UI
	fyne.DoAndWait(func() {
		u = New(realApp, Deps{Store: dev.Store, Sync: dev.Engine})
		u.win.Resize(fyne.NewSize(480, 900))
		u.win.Show()
		apptsNavigator{u}.OpenTicket(ap.Local)
	})
	capture(t, u.win, "ticket.png")
}
