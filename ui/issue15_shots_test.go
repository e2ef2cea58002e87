//go:build screenshot

package ui

// The screens issue 15 is about, in a real window under Xvfb:
//
//	xvfb-run -a -s "-screen 0 1280x900x24" go test -tags=sqlite_fts5,screenshot \
//	    -run Issue15 ./ui/ -args -shots $PWD/docs/issue15 -prefix before

import (
	"context"
	"flag"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/assets"
	"rathaus/server/servertest"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

var prefix = flag.String("prefix", "before", "name prefix of the issue 15 screenshots")

func findScroll(o fyne.CanvasObject) *container.Scroll {
	var s *container.Scroll
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if s != nil || o == nil {
			return
		}
		if x, ok := o.(*container.Scroll); ok {
			s = x
			return
		}
		if c, ok := o.(*fyne.Container); ok {
			for _, x := range c.Objects {
				walk(x)
			}
		}
	}
	walk(o)
	return s
}

func TestIssue15Shots(t *testing.T) {
	ctx := context.Background()
	backend := servertest.New(t)
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "app.db"), secrets.OpenMemory("rathaus-shots15"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cat, _ := assets.DemoCatalog()
	files, _ := assets.DemoFormFiles()
	var forms [][]byte
	for _, b := range files {
		forms = append(forms, b)
	}
	st.Seed(ctx, cat, forms)
	eng := engine.New(st, portal.New(backend.URL), upload.New(backend.URL), secrets.OpenMemory("rathaus-shots15-device"))
	var u *UI
	fyne.DoAndWait(func() {
		u = New(realApp, Deps{Store: st, Sync: eng})
		u.win.Resize(fyne.NewSize(480, 820))
		u.win.Show()
	})
	shot := func(name string) { capture(t, u.win, *prefix+"-"+name+".png") }
	open := func(service string, values map[string]any) *citizen.Draft {
		old, _ := st.Drafts(ctx) // one application at a time on screen
		for _, o := range old {
			st.DeleteDraft(ctx, o.ID)
		}
		svc, _ := u.service(service)
		d := citizen.NewDraft(svc, time.Now())
		d.Values = values
		if err := st.CreateDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
		fyne.DoAndWait(func() {
			u.nav.popToRoot()
			u.openDraft(d)
		})
		return d
	}
	stepOf := func(id string) int {
		for i, s := range u.current.form.Def.Steps {
			if s.ID == id {
				return i
			}
		}
		t.Fatalf("no step %s", id)
		return 0
	}

	// 1. A short step opens where the long one before it was scrolled to.
	home, _ := assets.DemoExample("anmeldung-wohnung")
	home["household"] = false
	delete(home, "members")
	open("anmeldung-wohnung", home)
	fyne.DoAndWait(func() { u.current.goToStep(stepOf("wohnung")) })
	time.Sleep(500 * time.Millisecond)
	fyne.DoAndWait(func() { findScroll(u.current.root).ScrollToBottom() })
	time.Sleep(500 * time.Millisecond)
	fyne.DoAndWait(func() { u.current.onNext() })
	shot("short-step")

	// 4. A German IBAN with wrong check digits, and an impossible date.
	open("hundesteuer", map[string]any{})
	fyne.DoAndWait(func() {
		u.current.goToStep(stepOf("zahlung"))
		u.current.inputs["/payment"].input.(*widget.RadioGroup).SetSelected(u.current.form.Field("/payment").Options[0].Label.In("de"))
	})
	time.Sleep(300 * time.Millisecond)
	fyne.DoAndWait(func() {
		u.current.inputs["/iban"].input.(*widget.Entry).SetText("DE88 3704 0044 0532 0130 00")
	})
	shot("iban")

	open("hundesteuer", map[string]any{})
	fyne.DoAndWait(func() { u.current.goToStep(stepOf("hund")) })
	time.Sleep(300 * time.Millisecond)
	fyne.DoAndWait(func() {
		e := u.current.inputs["/kept_since"].input.(*widget.DateEntry)
		e.SetText("31.02.2026")
		e.FocusLost()
	})
	shot("date")

	// 3. The dialog after an online submission, and 6. the same application
	// twice under "Meine Anträge".
	open("sperrmuell", must(assets.DemoExample("sperrmuell")))
	go eng.Run(ctx)
	fyne.DoAndWait(func() {
		u.current.step = len(u.current.form.Def.Steps)
		u.current.showStep()
	})
	time.Sleep(300 * time.Millisecond)
	fyne.DoAndWait(func() { u.current.onSubmit() })
	for range 50 {
		if cs, _ := st.Cases(ctx); len(cs) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	fyne.DoAndWait(func() { u.drafts.refresh() })
	shot("submitted")
	fyne.DoAndWait(func() {
		if top := u.win.Canvas().Overlays().Top(); top != nil {
			u.win.Canvas().Overlays().Remove(top)
		}
		u.drafts.refresh()
	})
	shot("applications")

	// 7. A search that finds nothing.
	fyne.DoAndWait(func() {
		u.tabs.SelectIndex(0)
		u.nav.popToRoot()
		u.home.search.SetText("Fuehrerschein")
	})
	shot("empty-search")
	_ = engine.Idle
}

func must(v map[string]any, err error) map[string]any {
	if err != nil {
		panic(err)
	}
	return v
}
