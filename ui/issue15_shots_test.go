//go:build screenshot

package ui

// The screens issue 15 is about, in a real window under Xvfb, as the
// citizen meets them:
//
//	xvfb-run -a -s "-screen 0 1280x900x24" go test -tags=sqlite_fts5,screenshot \
//	    -run Issue15 ./ui/ -args -shots $PWD/docs/issue15 -prefix after

import (
	"context"
	"flag"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"rathaus/app/citizen"
	"rathaus/assets"
	"rathaus/assets/demotest"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

var prefix = flag.String("prefix", "after", "name prefix of the issue 15 screenshots")

// nth finds the n-th (from 0) visible object of type T on the window.
func nth[T fyne.CanvasObject](w fyne.Window, n int) T {
	var found T
	if all := uitest.All[T](w.Content()); n < len(all) {
		found = all[n]
	}
	return found
}

// tap taps the visible button with the given text.
func tap(w fyne.Window, text string) {
	if b := uitest.FindButton(w, text); b != nil && b.OnTapped != nil {
		b.OnTapped()
	}
}

func TestIssue15Shots(t *testing.T) {
	ctx := context.Background()
	dev := uitest.NewDevice(t)
	st, eng := dev.Store, dev.Engine
	var u *UI
	fyne.DoAndWait(func() {
		u = New(realApp, Deps{Store: st, Sync: eng})
		u.win.Resize(fyne.NewSize(480, 820))
		u.win.Show()
	})
	// The app has reached the town hall once, as after a start online: the
	// sync line says when.
	if err := eng.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	shot := func(name string) { capture(t, u.win, *prefix+"-"+name+".png") }
	stepOf := func(formID, step string) int { return demotest.Step(t, demotest.Form(t, formID), step) }
	// open shows a draft of service on its step, alone in the list.
	open := func(service string, values map[string]any, step int) *citizen.Draft {
		old, _ := st.Drafts(ctx)
		for _, o := range old {
			st.DeleteDraft(ctx, o.ID)
		}
		svc, _ := u.Service(service)
		d := citizen.NewDraft(svc, time.Now())
		d.Values, d.Step = values, step
		if err := st.CreateDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
		fyne.DoAndWait(func() {
			u.nav.popToRoot()
			u.OpenDraft(d)
		})
		time.Sleep(300 * time.Millisecond)
		return d
	}
	scrollDown := func() {
		fyne.DoAndWait(func() { nth[*kit.Scroll](u.win, 0).ScrollToOffset(1e6) })
		time.Sleep(300 * time.Millisecond)
	}

	// 1. A short step after a long one scrolled to its end.
	home, _ := assets.DemoExample("anmeldung-wohnung")
	home["household"] = false
	delete(home, "members")
	open("anmeldung-wohnung", home, stepOf("anmeldung-wohnung", "wohnung"))
	scrollDown()
	fyne.DoAndWait(func() { tap(u.win, "Weiter") })
	shot("short-step")

	// ... and a step with an error far down opens at it.
	noCount, _ := assets.DemoExample("hundesteuer")
	delete(noCount, "dog_count")
	open("hundesteuer", noCount, stepOf("hundesteuer", "hund"))
	fyne.DoAndWait(func() { tap(u.win, "Weiter") })
	shot("first-error")

	// 4. A German IBAN with wrong check digits, and an impossible date.
	open("hundesteuer", map[string]any{}, stepOf("hundesteuer", "zahlung"))
	fyne.DoAndWait(func() {
		r := nth[*kit.RadioList](u.win, 0)
		r.SetSelected(r.Options[0])
	})
	time.Sleep(300 * time.Millisecond)
	fyne.DoAndWait(func() { nth[*kit.Entry](u.win, 1).SetText("DE88 3704 0044 0532 0130 00") })
	shot("iban")

	open("hundesteuer", map[string]any{}, stepOf("hundesteuer", "hund"))
	fyne.DoAndWait(func() { nth[*kit.DateEntry](u.win, 1).SetText("31.02.2026") })
	shot("date")

	// The payment step on a small phone: nothing wider than the screen.
	fyne.DoAndWait(func() { u.win.Resize(fyne.NewSize(360, 740)) })
	dog, _ := assets.DemoExample("hundesteuer")
	open("hundesteuer", dog, stepOf("hundesteuer", "zahlung"))
	shot("phone-payment")
	fyne.DoAndWait(func() { u.win.Resize(fyne.NewSize(480, 820)) })

	// 3. The dialog after an online submission, and 6. one row for the
	// application and its case under "Meine Anträge".
	form, _ := assets.DemoExample("sperrmuell")
	open("sperrmuell", form, 0)
	go eng.Run(ctx)
	fyne.DoAndWait(func() {
		for range 5 {
			tap(u.win, "Weiter")
		}
		tap(u.win, "Absenden")
	})
	for range 50 {
		if cs, _ := st.Cases(ctx); len(cs) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	shot("submitted")
	fyne.DoAndWait(func() {
		if top := u.win.Canvas().Overlays().Top(); top != nil {
			u.win.Canvas().Overlays().Remove(top)
		}
	})
	shot("applications")
	fyne.DoAndWait(func() { tap(u.win, "Von diesem Gerät entfernen") })
	shot("remove")
	fyne.DoAndWait(func() {
		if top := u.win.Canvas().Overlays().Top(); top != nil {
			u.win.Canvas().Overlays().Remove(top)
		}
	})

	// 7. A search that finds nothing.
	fyne.DoAndWait(func() {
		u.tabs.SelectIndex(0)
		u.nav.popToRoot()
		nth[*kit.Entry](u.win, 0).SetText("Fuehrerschein")
	})
	shot("empty-search")
}
