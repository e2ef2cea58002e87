// Package uitest is what the screen tests share: the app's real parts
// behind the screens (a store file with the demo town in it, the sync
// engine, the real backend over loopback) and finding on a window what the
// citizen sees. Only tests import it: it starts a backend.
package uitest

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/assets"
	"rathaus/assets/demotest"
	"rathaus/server/servertest"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// Device is the app's core as main.go wires it, on a temp file, against
// the real backend over loopback.
type Device struct {
	Backend *servertest.Backend
	Keys    *secrets.Keychain
	Path    string // the database file
	Store   *store.Store
	Engine  *engine.Engine
}

// NewDevice starts a backend and opens a device on a new file, with the
// demo town seeded.
func NewDevice(t testing.TB) *Device {
	t.Helper()
	d := &Device{Backend: servertest.New(t), Keys: secrets.OpenMemory("rathaus-ui-test"), Path: filepath.Join(t.TempDir(), "app.db")}
	d.Open(t)
	return d
}

// Open opens the store on the device's file and a new engine, as at a
// cold start. The store closes when the test ends.
func (d *Device) Open(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, d.Path, d.Keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := assets.SeedDemo(ctx, st); err != nil {
		t.Fatal(err)
	}
	d.Store = st
	d.Engine = engine.New(st, portal.New(d.Backend.URL, portal.WithTimeout(5*time.Second)), upload.New(d.Backend.URL), d.Keys)
}

// Draft stores a new draft of a demo service holding values (nil: none).
func (d *Device) Draft(t testing.TB, service string, values map[string]any) *citizen.Draft {
	t.Helper()
	dr := citizen.NewDraft(demotest.Service(t, service), time.Now())
	if values != nil {
		dr.Values = values
	}
	if err := d.Store.CreateDraft(context.Background(), dr); err != nil {
		t.Fatal(err)
	}
	return dr
}

// Example stores a new draft of a demo service holding its form's example.
func (d *Device) Example(t testing.TB, service string) *citizen.Draft {
	t.Helper()
	return d.Draft(t, service, demotest.Example(t, demotest.Service(t, service).Form.ID))
}

// Walk visits every visible object below o.
func Walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	Inspect(o, func(x fyne.CanvasObject) bool { visit(x); return true })
}

// Inspect visits every visible object below o, o first, as Walk does,
// but goes below an object only where visit returns true.
func Inspect(o fyne.CanvasObject, visit func(fyne.CanvasObject) bool) {
	if o == nil || !o.Visible() || !visit(o) {
		return
	}
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			Inspect(c, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			Inspect(c, visit)
		}
	}
}

// IsEntry reports whether o is a text entry, fyne's or kit's (whose
// Widget is fyne's): its insides are fyne's (its text scrolls inside it,
// a date entry's button stands over its edge).
func IsEntry(o fyne.CanvasObject) bool {
	switch o.(type) {
	case *widget.Entry, interface{ Widget() *widget.Entry }:
		return true
	}
	return false
}

// All is every visible object of type T below o, in the order shown.
func All[T fyne.CanvasObject](o fyne.CanvasObject) []T {
	var all []T
	Walk(o, func(x fyne.CanvasObject) {
		if t, ok := x.(T); ok {
			all = append(all, t)
		}
	})
	return all
}

// Buttons are the visible buttons below o, fyne's and those that extend
// it (AsButton's), as fyne's.
func Buttons(o fyne.CanvasObject) []*widget.Button {
	var all []*widget.Button
	Walk(o, func(x fyne.CanvasObject) {
		if b := AsButton(x); b != nil {
			all = append(all, b)
		}
	})
	return all
}

// FindButton is the first visible button with the given text in the
// window's top overlay (a dialog) or, if none is there, in the window; nil
// if there is none.
func FindButton(w fyne.Window, text string) *widget.Button {
	if top := w.Canvas().Overlays().Top(); top != nil {
		if b := findButton(top, text); b != nil {
			return b
		}
	}
	return findButton(w.Content(), text)
}

// Button is FindButton's button; without one the test fails.
func Button(t testing.TB, w fyne.Window, text string) *widget.Button {
	t.Helper()
	b := FindButton(w, text)
	if b == nil {
		t.Fatalf("no visible button %q", text)
	}
	return b
}

// ButtonIn is the first visible button with the given text below o; without
// one the test fails.
func ButtonIn(t testing.TB, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	b := findButton(o, text)
	if b == nil {
		t.Fatalf("no visible button %q", text)
	}
	return b
}

func findButton(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	Walk(o, func(x fyne.CanvasObject) {
		if b := AsButton(x); found == nil && b != nil && b.Text == text {
			found = b
		}
	})
	return found
}

// OnWindow is what the window shows for b: b, or the button that extends
// it (AsButton's), whose place on the window the driver knows.
func OnWindow(w fyne.Window, b *widget.Button) fyne.CanvasObject {
	var found fyne.CanvasObject = b
	for _, root := range []fyne.CanvasObject{w.Content(), w.Canvas().Overlays().Top()} {
		Walk(root, func(x fyne.CanvasObject) {
			if AsButton(x) == b {
				found = x
			}
		})
	}
	return found
}

// AsButton is o as a button: fyne's, or the one inside a button that
// extends it (kit.Button, which takes Enter); nil for anything else.
func AsButton(o fyne.CanvasObject) *widget.Button {
	switch b := o.(type) {
	case *widget.Button:
		return b
	case interface{ Widget() *widget.Button }:
		return b.Widget()
	}
	return nil
}

// Text joins the texts of the visible labels below o, a line each.
func Text(o fyne.CanvasObject) string {
	var b strings.Builder
	for _, l := range All[*widget.Label](o) {
		b.WriteString(l.Text + "\n")
	}
	return b.String()
}

// WindowText is Text of the window and then of its top overlay (a dialog).
func WindowText(w fyne.Window) string {
	return Text(w.Content()) + Text(w.Canvas().Overlays().Top())
}

// TooWide lists the visible objects below o that need more than width or
// reach past it, with their type: what makes a screen wider than a phone's.
// A text entry's own text is not looked into: it scrolls inside the entry;
// nor a shadow, which falls outside its card or dialog.
func TooWide(o fyne.CanvasObject, width float32) []string {
	var wide []string
	d := fyne.CurrentApp().Driver()
	Inspect(o, func(o fyne.CanvasObject) bool {
		switch o.(type) {
		case *canvas.LinearGradient, *canvas.RadialGradient:
			return false
		}
		right := d.AbsolutePositionForObject(o).X + o.Size().Width
		if o.MinSize().Width > width+0.5 || right > width+0.5 {
			wide = append(wide, fmt.Sprintf("%T min %.0f right %.0f", o, o.MinSize().Width, right))
		}
		return !IsEntry(o)
	})
	return wide
}
