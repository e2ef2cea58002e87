package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/assets"
	"rathaus/server/servertest"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// rig is the app's real parts (store file, engine, backend over loopback)
// behind the UI, in fyne's test driver.
type rig struct {
	backend *servertest.Backend
	path    string
	keys    *secrets.Keychain
	store   *store.Store
	engine  *engine.Engine
	ui      *UI
	win     fyne.Window
}

func newRig(t testing.TB) *rig {
	t.Helper()
	r := &rig{backend: servertest.New(t), path: filepath.Join(t.TempDir(), "app.db"), keys: secrets.OpenMemory("rathaus-ui-test")}
	r.open(t)
	return r
}

// open starts the app on the rig's database file, as at a cold start.
func (r *rig) open(t testing.TB) {
	t.Helper()
	a := test.NewTempApp(t)
	st, err := store.Open(context.Background(), r.path, r.keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat, _ := assets.DemoCatalog()
	files, _ := assets.DemoFormFiles()
	var forms [][]byte
	for _, b := range files {
		forms = append(forms, b)
	}
	if _, err := st.Seed(context.Background(), cat, forms); err != nil {
		t.Fatal(err)
	}
	r.store = st
	r.engine = engine.New(st, portal.New(r.backend.URL, portal.WithTimeout(5*time.Second)), upload.New(r.backend.URL), r.keys)
	r.ui = New(a, Deps{Store: st, Sync: r.engine})
	r.win = r.ui.Window()
	r.win.Resize(fyne.NewSize(480, 900))
	r.win.Show()
}

// quit closes the app's window and database, as when the citizen quits.
func (r *rig) quit() {
	r.win.Close()
	r.store.Close()
}

// walk visits every visible object below o.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	visit(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, visit)
		}
	}
}

// button finds the visible button with the given text in the window or its
// top overlay (a dialog).
func (r *rig) button(t *testing.T, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	visit := func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	}
	if top := r.win.Canvas().Overlays().Top(); top != nil {
		walk(top, visit)
	}
	if found == nil {
		walk(r.win.Content(), visit)
	}
	if found == nil {
		t.Fatalf("no visible button %q", text)
	}
	return found
}

// openService searches the home screen and taps the one hit.
func (r *rig) openService(t *testing.T, query string) {
	t.Helper()
	h := r.ui.home
	test.Type(h.search, query)
	if len(h.shown) != 1 {
		t.Fatalf("search %q shows %d services, want 1", query, len(h.shown))
	}
	h.list.Select(0)
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
	fs := r.ui.current
	for added := true; added; {
		added = false
		for _, p := range fs.order {
			fi := fs.inputs[p]
			if fi.field.Widget != api.WidgetRepeat || !fs.form.FieldShown(p, fs.draft.Values) {
				continue
			}
			want, _ := formschema.Get(values, p)
			have, _ := formschema.Get(fs.draft.Values, p)
			if len(asList(have)) < len(asList(want)) {
				test.Tap(buttonIn(t, fi.box, fi.field.AddLabel.In("en")))
				added = true
				break
			}
		}
	}
	for _, p := range append([]string(nil), fs.order...) {
		fi := fs.inputs[p]
		v, ok := formschema.Get(values, p)
		if fi == nil || !ok || !fs.form.FieldShown(p, fs.draft.Values) {
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
			if err := fromMap(v, &sig); err != nil {
				t.Fatal(err)
			}
			fi.input.(*signaturePad).OnChanged(&sig)
			continue
		}
		switch in := fi.input.(type) {
		case *widget.DateEntry:
			d, err := time.Parse(time.DateOnly, v.(string))
			if err != nil {
				t.Fatal(err)
			}
			in.SetDate(&d)
		case *widget.Entry:
			in.SetText("")
			test.Type(in, formatValue(fi.field.Widget, v))
		case *widget.Check:
			if in.Checked != (v == true) {
				test.Tap(in)
			}
		case *widget.RadioGroup:
			in.SetSelected(optionLabel(t, fi.field, v))
		case *widget.Select:
			in.SetSelected(optionLabel(t, fi.field, v))
		case *widget.CheckGroup:
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

// buttonIn finds a visible button with the given text below o.
func buttonIn(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	walk(o, func(x fyne.CanvasObject) {
		if b, ok := x.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("no visible button %q", text)
	}
	return found
}

// fillAll fills every shown step and goes on to the summary.
func (r *rig) fillAll(t *testing.T, values map[string]any) {
	t.Helper()
	fs := r.ui.current
	for !fs.summary() {
		r.fill(t, values)
		before := fs.step
		test.Tap(r.button(t, "Next"))
		if fs.step == before {
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
	if fi := r.ui.current.inputs[pointer]; fi != nil {
		return fi
	}
	t.Fatalf("field %s is not on the current step", pointer)
	return nil
}

func (r *rig) storedDraft(t *testing.T) *citizen.Draft {
	t.Helper()
	drafts, err := r.store.Drafts(context.Background())
	if err != nil || len(drafts) != 1 {
		t.Fatalf("drafts in the store = %d (%v), want 1", len(drafts), err)
	}
	return drafts[0]
}

func example(t testing.TB, form string) map[string]any {
	t.Helper()
	v, err := assets.DemoExample(form)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestFillSubmitAndSync is the citizen's way through the app: find the dog
// tax, fill its two steps (an error blocks "next"), submit, and see the
// case number once the engine has sent it.
func TestFillSubmitAndSync(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.openService(t, "dog")
	test.Tap(r.button(t, "Fill in the form"))
	fs := r.ui.current
	if fs == nil || fs.form.Def.ID != "hundesteuer" {
		t.Fatalf("form on screen = %v, want hundesteuer", fs)
	}

	// Every change is in the store at once.
	test.Type(r.input(t, "given_name").input.(*widget.Entry), "Erika")
	if got := r.storedDraft(t).Values["given_name"]; got != "Erika" {
		t.Fatalf("stored given_name = %v, want Erika", got)
	}

	// A wrong postcode shows its message on its field and blocks "next".
	values := example(t, "hundesteuer")
	values["postcode"] = "123"
	r.fill(t, values)
	pc := r.input(t, "postcode")
	if !pc.errLabel.Visible() || !strings.Contains(pc.errLabel.Text, "five digits") {
		t.Errorf("postcode error = %q (visible %v), want the five-digit message", pc.errLabel.Text, pc.errLabel.Visible())
	}
	test.Tap(r.button(t, "Next"))
	if fs.step != 0 {
		t.Fatalf("step after next with an error = %d, want 0", fs.step)
	}
	pc.input.(*widget.Entry).SetText("")
	test.Type(pc.input.(*widget.Entry), "51147")
	if pc.errLabel.Visible() {
		t.Errorf("postcode error still shown after a valid postcode: %q", pc.errLabel.Text)
	}
	test.Tap(r.button(t, "Next"))
	if fs.step != 1 {
		t.Fatalf("step after next = %d, want 1", fs.step)
	}
	r.fillAll(t, values) // the rest of the steps
	test.Tap(r.button(t, "Submit"))

	d := r.storedDraft(t)
	if d.State != citizen.DraftQueued {
		t.Fatalf("draft after submit = %s, want queued", d.State)
	}
	for k, want := range example(t, "hundesteuer") {
		if k == "iban" { // stored as the bank writes it, without spaces
			want = strings.ReplaceAll(want.(string), " ", "")
		}
		if got := d.Values[k]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("stored %s = %v, want %v", k, got, want)
		}
	}
	items, _ := r.store.Outbox(ctx)
	if len(items) != 1 || items[0].DraftID != d.ID || items[0].IdempotencyKey == "" {
		t.Fatalf("outbox = %+v, want one item for the draft with a key", items)
	}
	if r.ui.tabs.SelectedIndex() != 1 {
		t.Errorf("tab after submit = %d, want My drafts", r.ui.tabs.SelectedIndex())
	}

	if err := r.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if n := r.backend.Cases(); n != 1 {
		t.Errorf("server cases = %d, want 1", n)
	}
	d = r.storedDraft(t)
	if d.State != citizen.DraftSent || d.CaseNumber == "" {
		t.Fatalf("draft after sync = %s %q, want sent with a case number", d.State, d.CaseNumber)
	}
	row := r.ui.drafts.rows[d.ID]
	if row == nil || !strings.Contains(row.status.Text, d.CaseNumber) {
		t.Errorf("drafts screen row = %+v, want the case number %s", row, d.CaseNumber)
	}
	if !strings.HasPrefix(r.ui.indicator.label.Text, "Synced at") {
		t.Errorf("sync indicator = %q, want synced at a time", r.ui.indicator.label.Text)
	}
}

// TestOfflineSubmitWaitsThenGoesOnce: with the backend down the item says
// it waits for a connection; when the backend is back it goes out once.
func TestOfflineSubmitWaitsThenGoesOnce(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.backend.Stop()
	r.openService(t, "bulky")
	test.Tap(r.button(t, "Fill in the form"))
	r.fillAll(t, example(t, "sperrmuell"))
	test.Tap(r.button(t, "Submit"))
	_ = r.engine.Sync(ctx)

	d := r.storedDraft(t)
	if got := r.ui.drafts.rows[d.ID].status.Text; got != "Waiting for connection" {
		t.Errorf("row status offline = %q, want Waiting for connection", got)
	}
	if got := r.ui.indicator.label.Text; !strings.HasPrefix(got, "Server not reachable") {
		t.Errorf("indicator offline = %q, want Server not reachable…", got)
	}
	if r.ui.drafts.rows[d.ID].delete.Disabled() == false {
		t.Error("a queued draft can be deleted")
	}

	r.backend.Start()
	for i := 0; i < 3; i++ {
		if err := r.engine.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.backend.Cases(); n != 1 {
		t.Errorf("server cases = %d, want exactly 1", n)
	}
	if got := r.ui.drafts.rows[d.ID].status.Text; !strings.HasPrefix(got, "Sent") {
		t.Errorf("row status after sync = %q, want Sent…", got)
	}
}

// TestDraftSurvivesRestartAndCanBeDeleted: quit with a half-filled form,
// start again: the draft is listed, resumes with its values, and can be
// deleted.
func TestDraftSurvivesRestartAndCanBeDeleted(t *testing.T) {
	r := newRig(t)
	r.openService(t, "dog")
	test.Tap(r.button(t, "Fill in the form"))
	test.Type(r.input(t, "family_name").input.(*widget.Entry), "Mustermann")
	test.Type(r.input(t, "city").input.(*widget.Entry), "Musterstadt")
	r.quit()

	r.open(t)
	d := r.storedDraft(t)
	row := r.ui.drafts.rows[d.ID]
	r.ui.tabs.SelectIndex(1)
	if row == nil {
		row = r.ui.drafts.rows[d.ID]
	}
	if row == nil || !strings.HasPrefix(row.status.Text, "Draft") {
		t.Fatalf("drafts screen after restart: row %+v, want the draft", row)
	}
	test.Tap(row.resume)
	if got := r.input(t, "family_name").input.(*widget.Entry).Text; got != "Mustermann" {
		t.Errorf("family name after restart = %q, want Mustermann", got)
	}

	r.ui.tabs.SelectIndex(1)
	test.Tap(r.ui.drafts.rows[d.ID].delete)
	test.Tap(r.button(t, "Yes"))
	drafts, _ := r.store.Drafts(context.Background())
	if len(drafts) != 0 {
		t.Errorf("drafts after delete = %d, want 0", len(drafts))
	}
	if len(r.ui.drafts.rows) != 0 || !r.ui.drafts.empty.Visible() {
		t.Errorf("drafts screen after delete: %d rows, empty note visible %v", len(r.ui.drafts.rows), r.ui.drafts.empty.Visible())
	}
}

func TestSearch(t *testing.T) {
	r := newRig(t)
	h := r.ui.home
	if len(h.shown) < 12 {
		t.Fatalf("home shows %d services, want the demo catalog (>= 12)", len(h.shown))
	}
	for _, tc := range []struct {
		query string
		want  string // a service id among the hits
	}{
		{"hund", "hundesteuer"},
		{"Sperrmüll", "sperrmuell"},
		{"sperrmull", "sperrmuell"},
		{"UMZUG halteverbot", "halteverbot-umzug"},
		{"business", "gewerbeanmeldung"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			h.search.SetText(tc.query)
			found := false
			for _, s := range h.shown {
				found = found || s.ID == tc.want
			}
			if !found || len(h.shown) == len(h.catalog.Services) {
				t.Errorf("search %q shows %d services without %s", tc.query, len(h.shown), tc.want)
			}
		})
	}
	h.search.SetText("xylophon")
	if len(h.shown) != 0 || !h.empty.Visible() {
		t.Errorf("nonsense search: %d shown, empty note visible %v", len(h.shown), h.empty.Visible())
	}
}
