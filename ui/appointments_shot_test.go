//go:build screenshot

package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// TestTicketScreenshots shows an appointment's ticket, booked at the real
// backend (docs/ticket.png), and the choice of a time
// (docs/appointment-booking.png).
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

	// The choice of a time, from the slots cached an hour and a half ago.
	fyne.DoAndWait(func() {
		apptsNavigator{u}.OpenBooking("anmeldung-wohnung", "")
		uitest.All[*kit.Select](u.win.Content())[1].SetSelectedIndex(0) // the office
	})
	time.Sleep(2 * time.Second) // the slots are fetched afresh
	capture(t, u.win, "appointment-booking.png")
}
