package forms

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
	"rathaus/app/fill"
	"rathaus/app/fill/filltest"
	"rathaus/assets"
	"rathaus/sync/engine"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// rig is the app's real parts (store file, engine, backend over loopback)
// behind the forms area, in fyne's test driver. It stands in for the shell:
// it is the area's Navigator, showing one screen at a time in its window,
// tells a form screen when it is left, flushes the forms when the window
// closes, and refreshes "My applications" when the engine's state changes.
// Forms save by its clock, which moves when a test says.
type rig struct {
	*uitest.Device
	area    *Area
	win     fyne.Window
	catalog api.Catalog
	clock   *filltest.Clock
	opts    []func(*Deps)

	current   *FormScreen // the form on screen, if any
	service   *ServiceScreen
	submitted string // the draft ShowSubmitted was called with
	// beforeSubmitted runs when the form asks for "My applications",
	// before the dialog shows.
	beforeSubmitted func()
}

// newRig builds the forms area on a new device; opts change what it is
// built with (a store whose disk fills up, say).
func newRig(t testing.TB, opts ...func(*Deps)) *rig {
	t.Helper()
	r := &rig{Device: uitest.NewDevice(t), clock: filltest.NewClock(time.Now()), opts: opts}
	r.start(t)
	return r
}

// open starts the app on the rig's database file, as at a cold start.
func (r *rig) open(t testing.TB) {
	t.Helper()
	r.Device.Open(t)
	r.start(t)
}

// start builds the forms area on the device and shows "My applications".
func (r *rig) start(t testing.TB) {
	t.Helper()
	test.NewTempApp(t)
	r.catalog, _ = assets.DemoCatalog()
	r.current, r.service = nil, nil
	r.win = test.NewWindow(nil)
	r.win.Resize(fyne.NewSize(480, 900))
	deps := Deps{Store: r.Store, Sync: r.Engine, Catalog: r, Nav: r, Window: r.win, Clock: r.clock}
	for _, o := range r.opts {
		o(&deps)
	}
	r.area = New(deps)
	r.win.SetOnClosed(r.area.Flush)
	r.Engine.OnChange(func(st engine.Status) { fyne.Do(func() { r.area.Applications().StatusChanged(st) }) })
	r.showApplications()
}

// Service finds a demo service (the rig is the area's Catalog).
func (r *rig) Service(id string) (api.Service, bool) {
	for _, s := range r.catalog.Services {
		if s.ID == id {
			return s, true
		}
	}
	return api.Service{}, false
}

func (r *rig) OpenDraft(d *citizen.Draft) {
	fs, err := r.area.FormScreen(d)
	if err != nil {
		panic(err)
	}
	r.leave()
	r.current = fs
	r.win.SetContent(fs.Content())
	fs.Shown()
}

func (r *rig) ShowSubmitted(id string) {
	r.submitted = id
	if r.beforeSubmitted != nil {
		r.beforeSubmitted()
	}
	r.showApplications()
	r.area.Applications().ShowSubmitted(id)
}

func (r *rig) Back() {
	r.showApplications()
}

// leave takes the form off the window, if one is there.
func (r *rig) leave() {
	if r.current != nil {
		r.current.Left()
		r.current = nil
	}
}

func (r *rig) showApplications() {
	r.leave()
	r.area.Applications().Refresh()
	r.win.SetContent(r.area.Applications().Content())
}

// openService shows a service's screen, as the shell does from the home
// screen.
func (r *rig) openService(t testing.TB, id string) {
	t.Helper()
	s, ok := r.Service(id)
	if !ok {
		t.Fatalf("no demo service %s", id)
	}
	r.leave()
	r.service = r.area.ServiceScreen(s)
	r.win.SetContent(r.service.Content())
}

// startForm opens a new draft of a service's form, as "Fill in the form"
// does.
func (r *rig) startForm(t *testing.T, service string) *FormScreen {
	t.Helper()
	r.openService(t, service)
	test.Tap(r.button(t, lang.L("Fill in the form")))
	if r.current == nil {
		t.Fatal("no form on screen")
	}
	return r.current
}

// typeInto types text at the end of a text field of the current step.
func (r *rig) typeInto(t *testing.T, pointer, text string) {
	t.Helper()
	test.Type(r.input(t, pointer).input.(*kit.Entry), text)
}

// apps is "My applications".
func (r *rig) apps() *Applications { return r.area.Applications() }

// quit closes the app's window and database, as when the citizen quits.
func (r *rig) quit() {
	r.win.Close()
	r.Store.Close()
}

// button finds the visible button with the given text in the window or its
// top overlay (a dialog).
func (r *rig) button(t *testing.T, text string) *widget.Button {
	t.Helper()
	return uitest.Button(t, r.win, text)
}

// fill enters values into the current step the way the citizen would:
// adding repeat items, typing, tapping, choosing, picking files, signing.
// Fields are filled in the order shown, so that a field appears (by its
// condition) before its turn comes.
func (r *rig) fill(t *testing.T, values map[string]any) {
	t.Helper()
	// A value may show a repeat (or a field) that needs its own pass.
	for range 3 {
		r.fillPass(t, values)
	}
}

func (r *rig) fillPass(t *testing.T, values map[string]any) {
	t.Helper()
	fs := r.current
	for added := true; added; {
		added = false
		for _, p := range fs.order {
			fi := fs.inputs[p]
			if fi.field.Widget != api.WidgetRepeat || !fs.state.FieldShown(p) {
				continue
			}
			want, _ := formschema.Get(values, p)
			have, _ := formschema.Get(fs.state.Values(), p)
			if len(asList(have)) < len(asList(want)) {
				test.Tap(uitest.ButtonIn(t, fi.box, fi.field.AddLabel.In("en")))
				added = true
				break
			}
		}
	}
	for _, p := range append([]string(nil), fs.order...) {
		fi := fs.inputs[p]
		v, ok := formschema.Get(values, p)
		if fi == nil || !ok || !fs.state.FieldShown(p) {
			continue
		}
		switch fi.field.Widget {
		case api.WidgetGroup, api.WidgetAddress, api.WidgetRepeat:
			continue // their fields are filled one by one
		case api.WidgetFile, api.WidgetPhoto:
			name, _ := v.(map[string]any)["name"].(string)
			fi.choose(name, sampleFile(t, fi.field))
			continue
		case api.WidgetSignature:
			var sig api.Signature
			if err := fill.FromValue(v, &sig); err != nil {
				t.Fatal(err)
			}
			fi.input.(*signaturePad).OnChanged(&sig)
			continue
		}
		switch in := fi.input.(type) {
		case *kit.DateEntry:
			in.SetText("")
			test.Type(in, fill.Format(fi.field.Widget, v, "en"))
		case *kit.Entry:
			in.SetText("")
			test.Type(in, fill.Format(fi.field.Widget, v, "en"))
		case *kit.Check:
			if in.Checked != (v == true) {
				test.Tap(in)
			}
		case *kit.RadioList:
			in.SetSelected(optionLabel(t, fi.field, v))
		case *kit.Select:
			in.SetSelected(optionLabel(t, fi.field, v))
		case *kit.CheckList:
			var labels []string
			for _, x := range asList(v) {
				labels = append(labels, optionLabel(t, fi.field, x))
			}
			in.SetSelected(labels)
		default:
			t.Fatalf("field %s: no way to fill a %T", p, in)
		}
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// sampleFile makes a small real file of the kind a field takes.
func sampleFile(t *testing.T, fd *api.Field) []byte {
	t.Helper()
	if fd.Widget == api.WidgetPhoto || len(fd.Accept) > 0 && strings.HasPrefix(fd.Accept[0], "image/") {
		img := image.NewRGBA(image.Rect(0, 0, 64, 48))
		for i := range img.Pix {
			img.Pix[i] = byte(i * 7)
		}
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

// fillAll fills every shown step and goes on to the summary.
func (r *rig) fillAll(t *testing.T, values map[string]any) {
	t.Helper()
	fs := r.current
	for !fs.state.OnSummary() {
		r.fill(t, values)
		before := fs.state.Step()
		test.Tap(r.button(t, "Next"))
		if fs.state.Step() == before {
			for p, fi := range fs.inputs {
				if fi.errLabel != nil && fi.errLabel.Visible() {
					t.Errorf("field %s: %s", p, fi.errLabel.Text)
				}
			}
			t.Fatalf("\"next\" did not leave step %d (%s)", before, fs.form.Def.Steps[before].ID)
		}
	}
}

func optionLabel(t *testing.T, fd *api.Field, v any) string {
	t.Helper()
	for _, o := range fd.Options {
		if o.Value == v {
			return o.Label.In("en")
		}
	}
	t.Fatalf("field %s has no option %v", fd.Key, v)
	return ""
}

// input returns the current step's field at a pointer ("/postcode", or a
// bare top-level key).
func (r *rig) input(t *testing.T, pointer string) *fieldInput {
	t.Helper()
	if !strings.HasPrefix(pointer, "/") {
		pointer = "/" + pointer
	}
	if fi := r.current.inputs[pointer]; fi != nil {
		return fi
	}
	t.Fatalf("field %s is not on the current step", pointer)
	return nil
}

func (r *rig) storedDraft(t *testing.T) *citizen.Draft {
	t.Helper()
	drafts, err := r.Store.Drafts(context.Background())
	if err != nil || len(drafts) != 1 {
		t.Fatalf("drafts in the store = %d (%v), want 1", len(drafts), err)
	}
	return drafts[0]
}
