package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// The tour is every screen of the app as the citizen reaches it, with a
// device that has something to show on each: a case the town hall is
// working on, a booked appointment, drafts on a form's step and at its
// summary. The width test at a phone's size and the screenshots of
// docs/screens/ both take it.

// tourData is what the tour's device holds.
type tourData struct {
	step, summary *citizen.Draft
	ticket        string // the booked appointment's local id
}

// prepareTour fills the device: call it before the UI is built (it
// syncs with the backend).
func prepareTour(t testing.TB, dev *uitest.Device) *tourData {
	t.Helper()
	ctx := context.Background()
	st, eng := dev.Store, dev.Engine
	sent := dev.Example(t, "sperrmuell")
	if _, err := st.Submit(ctx, sent.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := eng.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	cases, err := st.Cases(ctx)
	if err != nil || len(cases) == 0 {
		t.Fatalf("cases: %v, %v", cases, err)
	}
	dev.Backend.SetCaseStatus(cases[0].ID, api.StatusInReview, api.Text{"de": "Wir prüfen Ihren Antrag.", "en": "We are checking your application."})
	if err := eng.RefreshAppointments(ctx, "anmeldung-wohnung", "buergerbuero"); err != nil {
		t.Fatal(err)
	}
	sl, _, _, err := st.CachedSlots(ctx, "anmeldung-wohnung", "buergerbuero")
	if err != nil || len(sl.Slots) < 6 {
		t.Fatalf("slots: %d, %v", len(sl.Slots), err)
	}
	ap, err := st.BookAppointment(ctx, "anmeldung-wohnung", "buergerbuero", sl.Slots[5], "")
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	d := &tourData{step: dev.Example(t, "anmeldung-wohnung"), summary: dev.Example(t, "hundesteuer"), ticket: ap.Local}
	d.step.Step = 2 // the household, with its repeat
	if err := st.SaveDraft(ctx, d.step.ID, d.step.Values, d.step.Step); err != nil {
		t.Fatal(err)
	}
	return d
}

// tourScreen is a screen of the tour: open shows it (on fyne's
// goroutine), from wherever the one before left the window.
type tourScreen struct {
	name string
	open func(u *UI, d *tourData)
}

// Indexes of the shell's areas, in the order of its navigation.
const (
	areaServices = iota
	areaApplications
	areaAppointments
	areaAssistant
	areaHelp
	areaAbout
)

// showArea shows an area at its first screen, with no dialog over it.
func (u *UI) showArea(area int) {
	if top := u.win.Canvas().Overlays().Top(); top != nil {
		top.Hide()
	}
	u.nav.popToRoot()
	u.apptsNav.popToRoot()
	if u.aboutNav != nil {
		u.aboutNav.popToRoot()
	}
	u.tabs.SelectIndex(area)
}

var tour = []tourScreen{
	{"services", func(u *UI, _ *tourData) { u.showArea(areaServices) }},
	{"service", func(u *UI, _ *tourData) {
		u.showArea(areaServices)
		s, _ := u.Service("anmeldung-wohnung")
		u.OpenService(s)
	}},
	{"form-step", func(u *UI, d *tourData) { u.showArea(areaServices); u.OpenDraft(d.step) }},
	{"summary", func(u *UI, d *tourData) {
		u.showArea(areaServices)
		u.OpenDraft(d.summary)
		for range 10 {
			if uitest.FindButton(u.win, lang.L("Submit")) != nil {
				break
			}
			if b := uitest.FindButton(u.win, lang.L("Next")); b != nil {
				b.OnTapped()
			}
		}
	}},
	{"applications", func(u *UI, _ *tourData) { u.showArea(areaApplications); u.apps.Refresh() }},
	{"case-timeline", func(u *UI, _ *tourData) {
		u.showArea(areaApplications)
		u.apps.Refresh()
		if b := uitest.FindButton(u.win, lang.L("Timeline")); b != nil {
			b.OnTapped()
		}
	}},
	{"report", func(u *UI, _ *tourData) { u.showArea(areaServices); u.OpenReport() }},
	{"appointments", func(u *UI, _ *tourData) { u.showArea(areaAppointments) }},
	{"ticket", func(u *UI, d *tourData) { u.showArea(areaAppointments); apptsNavigator{u}.OpenTicket(d.ticket) }},
	{"booking", func(u *UI, _ *tourData) {
		u.showArea(areaAppointments)
		apptsNavigator{u}.OpenBooking("anmeldung-wohnung", "")
	}},
	{"assistant", func(u *UI, _ *tourData) {
		u.showArea(areaAssistant)
		s, _ := u.Service("hundesteuer")
		u.AskAssistant(s.Title.In(kit.Lang()))
	}},
	{"opendata", func(u *UI, _ *tourData) { u.showArea(areaServices); u.OpenOpenData() }},
	{"mitreden", func(u *UI, _ *tourData) { u.showArea(areaServices); u.OpenPolls() }},
	{"settings", func(u *UI, _ *tourData) { u.showArea(areaAbout); u.OpenSettings() }},
	{"about", func(u *UI, _ *tourData) { u.showArea(areaAbout) }},
	{"help", func(u *UI, _ *tourData) { u.showArea(areaHelp) }},
}

// openTour shows the tour's screen on the UI's goroutine, and waits
// until what it fetches has come: its text stays the same for a moment
// and says no "…" (fetching, sending), or 5 s have passed.
func openTour(u *UI, s tourScreen, d *tourData) {
	fyne.DoAndWait(func() { s.open(u, d) })
	last := ""
	for range 25 {
		var text string
		fyne.DoAndWait(func() { text = uitest.WindowText(u.win) })
		if text == last && !strings.Contains(text, "…") {
			return
		}
		last = text
		time.Sleep(200 * time.Millisecond)
	}
}
