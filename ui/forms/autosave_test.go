package forms

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/citizen"
	"rathaus/app/fill"
	"rathaus/assets/demotest"
	"rathaus/ui/kit"
)

// diskFull is the store with a disk that can fill up: saves of drafts
// fail while full is set.
type diskFull struct {
	Store
	full  atomic.Bool
	tries atomic.Int32
}

// under puts the disk under the area's store.
func (d *diskFull) under(deps *Deps) {
	d.Store = deps.Store
	deps.Store = d
}

var errFull = &citizen.Error{Code: citizen.ESTORAGE, Message: "There is no space left on this device."}

func (d *diskFull) SaveDraft(ctx context.Context, id string, values map[string]any, step int) error {
	d.tries.Add(1)
	if d.full.Load() {
		return errFull
	}
	return d.Store.SaveDraft(ctx, id, values, step)
}

// TestSavedLineSaysWhatIsSaved: while the citizen types the line says the
// changes are being saved, and the store has not got them; once typing
// pauses they are saved and the line says when, in German too.
func TestSavedLineSaysWhatIsSaved(t *testing.T) {
	for _, tc := range []struct{ lang, saving, saved string }{
		{"en", "Saving…", "Draft saved at "},
		{"de", "Wird gespeichert …", "Entwurf gespeichert um "},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			setLanguage(t, tc.lang)
			r := newRig(t)
			fs := r.startForm(t, "hundesteuer")
			r.typeInto(t, "given_name", "Erika")
			if got := fs.saved.Text; got != tc.saving {
				t.Errorf("line while typing = %q, want %q", got, tc.saving)
			}
			if got := r.storedDraft(t).Values["given_name"]; got != nil {
				t.Errorf("stored given_name while typing = %v, want none yet", got)
			}
			r.clock.Advance(fill.DefaultQuiet)
			want := tc.saved + r.clock.Now().Local().Format("15:04:05")
			if got := fs.saved.Text; got != want || fs.saved.Importance != widget.LowImportance {
				t.Errorf("line after a pause = %q (%v), want %q", got, fs.saved.Importance, want)
			}
			if got := r.storedDraft(t).Values["given_name"]; got != "Erika" {
				t.Errorf("stored given_name after a pause = %v, want Erika", got)
			}
			r.typeInto(t, "given_name", " Maria")
			if got := fs.saved.Text; got != tc.saving {
				t.Errorf("line while typing again = %q, want %q", got, tc.saving)
			}
		})
	}
}

func setLanguage(t *testing.T, lng string) {
	t.Helper()
	if err := kit.SetLanguage(lng); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := kit.SetLanguage("en"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestMovesSaveTheForm: whatever takes the citizen away from the fields
// typed in saves them at once, without waiting for a pause, and the line
// says so: a step change either way, "next" refused, the summary's
// "change", leaving the form, opening another draft, the window closing,
// and submitting (every way to the summary saves; "submit" saves what
// might still wait, before the submission takes the values).
func TestMovesSaveTheForm(t *testing.T) {
	values := demotest.Example(t, "hundesteuer")
	typeName := func(t *testing.T, r *rig) { r.typeInto(t, "given_name", "Zz") }
	tests := []struct {
		name   string
		change func(t *testing.T, r *rig) // the change that waits
		do     func(t *testing.T, r *rig)
	}{
		{"next", func(t *testing.T, r *rig) { r.fill(t, values); typeName(t, r) },
			func(t *testing.T, r *rig) { test.Tap(r.button(t, "Next")) }},
		{"next refused", typeName,
			func(t *testing.T, r *rig) { test.Tap(r.button(t, "Next")) }},
		{"back", func(t *testing.T, r *rig) {
			r.fill(t, values)
			test.Tap(r.button(t, "Next"))
			r.typeInto(t, "dog_name", "Zz")
		}, func(t *testing.T, r *rig) { test.Tap(r.button(t, "Back")) }},
		{"change from the summary", typeName,
			func(t *testing.T, r *rig) { r.current.onChangeStep(1) }},
		{"leave", typeName, func(t *testing.T, r *rig) { r.Back() }},
		{"another draft opened", typeName,
			func(t *testing.T, r *rig) { r.startForm(t, "sperrmuell") }},
		{"window closed", typeName, func(t *testing.T, r *rig) { r.win.Close() }},
		{"submit", func(t *testing.T, r *rig) {
			r.fillAll(t, values)
			r.current.onChange("/given_name", "Zz")
		}, func(t *testing.T, r *rig) { test.Tap(r.button(t, "Submit")) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			fs := r.startForm(t, "hundesteuer")
			id := fs.state.Draft().ID
			tt.change(t, r)
			if st := fs.state.SaveStatus(); !st.Pending {
				t.Fatalf("SaveStatus() after the change = %+v, want it pending", st)
			}
			want := map[string]any{}
			for k, v := range fs.state.Values() {
				want[k] = v
			}
			tt.do(t, r)
			d, err := r.Store.Draft(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"given_name", "dog_name"} {
				if got := d.Values[k]; got != want[k] {
					t.Errorf("stored %s = %v, want %v, saved without a pause", k, got, want[k])
				}
			}
			if st := fs.state.SaveStatus(); st.Pending || st.Err != nil {
				t.Errorf("SaveStatus() = %+v, want everything saved", st)
			}
			if got := fs.saved.Text; got == "Saving…" {
				t.Errorf("line = %q after the save", got)
			}
		})
	}
}

// TestFailedSaveStaysAndIsRetried: a save that fails (a full disk) stays
// on the line, in red, with the typed values on screen; it is tried again
// with the next change and with "next", and once there is space the
// values typed meanwhile are all saved.
func TestFailedSaveStaysAndIsRetried(t *testing.T) {
	disk := &diskFull{}
	r := newRig(t, disk.under)
	fs := r.startForm(t, "hundesteuer")
	disk.full.Store(true)
	r.typeInto(t, "given_name", "Erika")
	r.clock.Advance(fill.DefaultQuiet)
	notSaved := "Not saved: " + errFull.Message
	if got := fs.saved.Text; got != notSaved || fs.saved.Importance != widget.DangerImportance {
		t.Fatalf("line after a failed save = %q (%v), want %q in red", got, fs.saved.Importance, notSaved)
	}
	r.typeInto(t, "family_name", "Mustermann")
	if got := fs.saved.Text; got != notSaved {
		t.Errorf("line while a retry waits = %q, want the failure still: %q", got, notSaved)
	}
	r.clock.Advance(fill.DefaultQuiet)
	test.Tap(r.button(t, "Next")) // refused: the step is not complete; tries again
	if got := disk.tries.Load(); got != 3 {
		t.Errorf("tries = %d, want 3: the pause, the next change's pause, \"next\"", got)
	}
	if got := r.input(t, "given_name").input.(*kit.Entry).Text; got != "Erika" {
		t.Errorf("given name on screen = %q, want Erika kept", got)
	}
	disk.full.Store(false)
	r.typeInto(t, "city", "Musterstadt")
	r.clock.Advance(fill.DefaultQuiet)
	if got := fs.saved.Text; !strings.HasPrefix(got, "Draft saved at ") {
		t.Errorf("line once there is space = %q, want saved", got)
	}
	d := r.storedDraft(t)
	for k, want := range map[string]string{"given_name": "Erika", "family_name": "Mustermann", "city": "Musterstadt"} {
		if got := d.Values[k]; got != want {
			t.Errorf("stored %s = %v, want %q", k, got, want)
		}
	}
}

// TestLeftUnsavedIsKept: a form left while the disk is full says that its
// changes are not saved; they are not lost: the draft opens with them
// again, and the next flush saves them once there is space.
func TestLeftUnsavedIsKept(t *testing.T) {
	disk := &diskFull{}
	r := newRig(t, disk.under)
	fs := r.startForm(t, "hundesteuer")
	d := fs.state.Draft()
	disk.full.Store(true)
	r.typeInto(t, "given_name", "Erika")
	r.Back()
	if top := r.win.Canvas().Overlays().Top(); top == nil || !strings.Contains(overlayText(r), "Not saved: "+errFull.Message) {
		t.Fatalf("leaving with a failed save: dialog %q, want that it is not saved", overlayText(r))
	}
	test.Tap(r.button(t, "OK"))

	stored, _ := r.Store.Draft(context.Background(), d.ID)
	r.OpenDraft(stored) // as "My applications" does, with the store's values
	if got := r.input(t, "given_name").input.(*kit.Entry).Text; got != "Erika" {
		t.Errorf("given name after opening the draft again = %q, want Erika", got)
	}
	r.Back() // still full: said again, kept again
	test.Tap(r.button(t, "OK"))
	disk.full.Store(false)
	r.area.Flush()
	if got := r.storedDraft(t).Values["given_name"]; got != "Erika" {
		t.Errorf("stored given_name after the flush = %v, want Erika", got)
	}
}
