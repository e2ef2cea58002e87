package forms

import (
	"context"
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
	"rathaus/app/fill"
	"rathaus/assets/demotest"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// keys is a keyboard on the rig's window: what it types goes where the
// window's canvas sends it, to the focused object.
type keys struct {
	t *testing.T
	r *rig
}

func (k keys) canvas() fyne.Canvas { return k.r.win.Canvas() }

func (k keys) tab() fyne.Focusable {
	test.FocusNext(k.canvas())
	kit.RevealFocused(k.canvas())
	return k.canvas().Focused()
}

func (k keys) press(name fyne.KeyName) {
	k.t.Helper()
	f := k.canvas().Focused()
	if f == nil {
		k.t.Fatalf("%s pressed with nothing focused", name)
	}
	f.TypedKey(&fyne.KeyEvent{Name: name})
}

// typeText types s into the focused object, as the driver passes typed
// characters on (test.TypeOnCanvas is for a canvas with nothing focused).
func (k keys) typeText(s string) {
	for _, r := range s {
		k.canvas().Focused().TypedRune(r)
	}
}

// tabTo presses Tab until a button with text has the focus.
func (k keys) tabTo(text string) {
	k.t.Helper()
	for range 200 {
		if b, ok := k.tab().(*kit.Button); ok && b.Text == text {
			return
		}
	}
	k.t.Fatalf("Tab never reached %q", text)
}

// owner is the field of the current step whose input holds o (for a
// signature: its pad or the entry for the typed name).
func (r *rig) owner(o fyne.CanvasObject) (string, *fieldInput) {
	for p, fi := range r.current.inputs {
		switch fi.field.Widget {
		case api.WidgetGroup, api.WidgetAddress, api.WidgetRepeat:
			continue
		}
		found := false
		uitest.Walk(fi.box, func(x fyne.CanvasObject) { found = found || x == o })
		if found {
			return p, fi
		}
	}
	return "", nil
}

// TestFormByKeyboardOnly fills "Wohnung anmelden" and sends it with keys
// alone, as someone without a mouse would: Tab to each field, typing,
// Space on check boxes and options, a typed name for the signature, Enter
// on "Fill in the form", "Next" and "Submit" and on the dialog that says
// what became of it. The town hall's backend takes it: the typed
// signature passes its check.
func TestFormByKeyboardOnly(t *testing.T) {
	r := newRig(t)
	r.win.Resize(fyne.NewSize(480, 820))
	k := keys{t, r}
	values := demotest.Example(t, "anmeldung-wohnung")
	values["household"] = false
	delete(values, "members")
	delete(values, "landlord_confirmation") // a file: chosen in the system's dialog
	values["signature"] = map[string]any{"typed": "Erika Mustermann"}

	r.openService(t, "anmeldung-wohnung")
	k.tabTo("Fill in the form")
	k.press(fyne.KeyReturn)
	fs := r.current
	if fs == nil {
		t.Fatal("Enter on \"Fill in the form\" opened no form")
	}

	for steps := 0; !fs.state.OnSummary(); steps++ {
		if steps > 10 {
			t.Fatal("the form never reached its summary")
		}
		before := fs.state.Step()
		for range 300 {
			f := k.tab()
			if b, ok := f.(*kit.Button); ok && b.Text == "Next" {
				break
			}
			k.enter(f, values)
		}
		k.press(fyne.KeyReturn)
		if fs.state.Step() == before {
			for p, fi := range fs.inputs {
				if fi.errLabel != nil && fi.errLabel.Visible() {
					t.Errorf("field %s: %s", p, fi.errLabel.Text)
				}
			}
			t.Fatalf("Enter on \"Next\" did not leave step %d (%s)", before, fs.form.Def.Steps[before].ID)
		}
	}
	k.tabTo("Submit")
	k.press(fyne.KeyReturn)
	if r.submitted == "" {
		t.Fatal("Enter on \"Submit\" sent nothing")
	}
	if top := r.win.Canvas().Overlays().Top(); top == nil {
		t.Fatal("no dialog about the application sent")
	}
	k.press(fyne.KeyReturn) // the dialog's "OK" has the focus
	if top := r.win.Canvas().Overlays().Top(); top != nil {
		t.Error("Enter left the dialog open")
	}

	if err := r.Engine.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	d, err := r.Store.Draft(context.Background(), r.submitted)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != citizen.DraftSent || d.CaseNumber == "" {
		t.Fatalf("after a sync the draft is %v (case %q), want sent with a case", d.State, d.CaseNumber)
	}
	if got := d.Values["signature"]; fmt.Sprint(got) != fmt.Sprint(map[string]any{"typed": "Erika Mustermann"}) {
		t.Errorf("signature sent = %v, want the typed name", got)
	}
}

// enter does with keys what the focused object needs for values: types a
// field's text, ticks a box with Space, chooses an option with Space.
func (k keys) enter(f fyne.Focusable, values map[string]any) {
	k.t.Helper()
	o, ok := f.(fyne.CanvasObject)
	if !ok {
		return
	}
	p, fi := k.r.owner(o)
	if fi == nil {
		return // a button: "Sign again", "Back"
	}
	v, ok := formschema.Get(values, p)
	if !ok {
		return
	}
	switch in := f.(type) {
	case *kit.Entry:
		if in.Text != "" {
			return
		}
		if fi.field.Widget == api.WidgetSignature {
			k.typeText(v.(map[string]any)["typed"].(string))
			return
		}
		k.typeText(fill.Format(fi.field.Widget, v, "en"))
	case *kit.DateEntry:
		if in.Text == "" {
			k.typeText(fill.Format(fi.field.Widget, v, "en"))
		}
	case *kit.Check:
		if in.Checked != (v == true) {
			k.typeText(" ")
		}
	case interface{ Text() string }: // an option of a list
		if in.Text() == optionLabel(k.t, fi.field, v) {
			if list, ok := fi.input.(*kit.RadioList); !ok || list.Selected != in.Text() {
				k.typeText(" ")
			}
		}
	}
}

// TestItemStatesHaveIcons: each state of an application in "My
// applications" has its text and an icon of its own, so that no state is
// told by colour alone.
func TestItemStatesHaveIcons(t *testing.T) {
	r := newRig(t)
	icons := map[string]citizen.DraftState{}
	for _, state := range []citizen.DraftState{citizen.DraftEditing, citizen.DraftQueued, citizen.DraftSent, citizen.DraftRejected} {
		d := &citizen.Draft{ID: "d-" + state.String(), Service: "hundesteuer", State: state, CaseNumber: "2026-000001"}
		row := r.apps().newRow(d, nil, nil, 0)
		if row.status.Text == "" || row.icon.Resource == nil {
			t.Errorf("%s: text %q, icon %v; want both", state, row.status.Text, row.icon.Resource)
			continue
		}
		if other, ok := icons[row.icon.Resource.Name()]; ok {
			t.Errorf("%s has the icon of %s", state, other)
		}
		icons[row.icon.Resource.Name()] = state
	}
}
