//go:build screenshot

package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/open311"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// TestOpenDataScreenshots shows the town's figures (docs/opendata.png):
// half a year of applications, reports and decisions at the real backend.
func TestOpenDataScreenshots(t *testing.T) {
	ctx := context.Background()
	dev := uitest.NewDevice(t)
	db := dev.Backend.DB
	start := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	services := []string{"meldebescheinigung", "anmeldung-wohnung", "fuehrungszeugnis"}
	n := 0
	for m := range 6 {
		for i := range 8 + 3*m%7 {
			svc := services[i%len(services)]
			at := start.AddDate(0, m, i*3)
			if at.After(time.Now()) {
				break
			}
			id := fmt.Sprintf("c%03d", n)
			n++
			_, _, err := db.CreateCase(ctx, id, []byte(id), server.NewCase{ID: id, Service: svc, Form: api.FormRef{ID: svc, Version: 1},
				Data: json.RawMessage(`{}`), Status: api.StatusReceived, Created: at})
			if err != nil {
				t.Fatal(err)
			}
			if days := 2 + (i*5+m*3)%12 + 4*(i%len(services)); at.AddDate(0, 0, days).Before(time.Now()) {
				ev := api.CaseEvent{Status: api.StatusDecided, At: at.AddDate(0, 0, days)}
				if _, err := db.SetCaseStatus(ctx, id, ev, func(string) error { return nil }); err != nil {
					t.Fatal(err)
				}
			}
		}
		for i := range 3 + m%4 {
			lat, long := 50.94, 6.96
			_, _, err := db.CreateReport(ctx, "", nil, open311.NewReport{Token: fmt.Sprintf("t%d-%d", m, i), ServiceCode: "schlagloch",
				Description: "Schlagloch", Lat: &lat, Long: &long, Address: "Domstraße 4", AddressID: "st001-4",
				Attributes: map[string][]string{}, Source: "app", Requested: start.AddDate(0, m, i)})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := dev.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	var u *UI
	fyne.DoAndWait(func() {
		u = New(realApp, Deps{Store: dev.Store, Sync: dev.Engine})
		u.win.Resize(fyne.NewSize(480, 900))
		u.win.Show()
		u.OpenOpenData()
	})
	time.Sleep(2 * time.Second) // the figures are fetched afresh
	capture(t, u.win, "opendata.png")
	// The days to a decision: a line per service.
	fyne.DoAndWait(func() {
		cards := uitest.All[*widget.Card](u.openData.Content())
		scroll := uitest.All[*kit.Scroll](u.openData.Content())[0]
		scroll.ScrollToOffset(cards[len(cards)-1].Position().Y)
	})
	capture(t, u.win, "opendata-decisions.png")
}
