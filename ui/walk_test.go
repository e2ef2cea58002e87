package ui

import (
	"context"
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/assets"
	"rathaus/assets/demotest"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// sizes the screens must work at: a small phone, the app's window on the
// desktop, a large desktop window.
var sizes = []fyne.Size{{Width: 360, Height: 740}, {Width: 480, Height: 820}, {Width: 1280, Height: 800}}

// formView is what the walk looks at on the form on screen.
type formView struct {
	scroll *kit.Scroll
	first  fyne.CanvasObject // the step's first field: its heading or input
	errs   []*widget.Label   // the error messages shown, in order
}

func (r *rig) formView(t *testing.T) formView {
	t.Helper()
	var v formView
	uitest.Walk(r.win.Content(), func(o fyne.CanvasObject) {
		if s, ok := o.(*kit.Scroll); ok && v.scroll == nil {
			v.scroll = s
		}
	})
	if v.scroll == nil {
		t.Fatal("no form on screen")
	}
	uitest.Walk(v.scroll, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			if x.Importance == widget.DangerImportance && x.Text != "" {
				v.errs = append(v.errs, x)
			}
			if x.TextStyle.Bold && v.first == nil {
				v.first = x
			}
		case *kit.Entry, *kit.DateEntry, *kit.Check, *kit.RadioList, *kit.CheckList, *kit.Select:
			if v.first == nil {
				v.first = x
			}
		}
	})
	return v
}

// onScreen reports whether o lies wholly inside the window.
func (r *rig) onScreen(o fyne.CanvasObject) bool {
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	size, win := o.Size(), r.win.Canvas().Size()
	return o.Visible() && pos.X >= 0 && pos.Y >= 0 && pos.X+size.Width <= win.Width+0.5 && pos.Y+size.Height <= win.Height+0.5
}

// checkStep asserts what the citizen must see on every step: the step's
// first field without scrolling (or, when a field has an error, that
// field's message), the buttons to go on and back, and nothing wider than
// the window.
func (r *rig) checkStep(t *testing.T, where string) formView {
	t.Helper()
	v := r.formView(t)
	switch {
	case len(v.errs) > 0:
		if !v.scroll.Shows(v.errs[0]) {
			t.Errorf("%s: the first error (%q) is not in view (scrolled %v)", where, v.errs[0].Text, v.scroll.Offset())
		}
	case v.first == nil:
		t.Errorf("%s: no field on the step", where)
	case !v.scroll.Shows(v.first):
		t.Errorf("%s: the first field is not in view (scrolled %v)", where, v.scroll.Offset())
	}
	for _, text := range []string{"Back", "Next", "Submit"} {
		if b := r.findButton(text); b != nil && !r.onScreen(uitest.OnWindow(r.win, b)) {
			t.Errorf("%s: the %q button is off the screen", where, text)
		}
	}
	if r.findButton("Next") == nil && r.findButton("Submit") == nil {
		t.Errorf("%s: neither Next nor Submit is shown", where)
	}
	if w, win := r.win.Content().MinSize().Width, r.win.Canvas().Size().Width; w > win {
		t.Errorf("%s: the screen needs %.0f px, the window has %.0f", where, w, win)
	}
	return v
}

// TestWalkEveryDemoForm takes every demo form step by step, forward with
// "Next", back with "Back" and into each step from the summary's
// "Change", at a phone's size and at desktop sizes. Before each move the
// citizen has scrolled down the step they leave: every step must still
// open at its top.
func TestWalkEveryDemoForm(t *testing.T) {
	r := newRig(t)
	cat, err := assets.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	scrollDown := func() { r.formView(t).scroll.ScrollToOffset(1e6) }
	for _, size := range sizes {
		r.win.Resize(size)
		for _, s := range cat.Services {
			t.Run(fmt.Sprintf("%vx%v/%s", size.Width, size.Height, s.ID), func(t *testing.T) {
				r.ui.OpenService(s)
				if w := r.win.Content().MinSize().Width; w > size.Width {
					t.Errorf("the service's screen needs %.0f px", w)
				}
				r.ui.nav.popToRoot()
				r.ui.OpenDraft(r.Example(t, s.ID))
				steps := 0
				for ; r.findButton("Submit") == nil && steps < 10; steps++ {
					r.checkStep(t, fmt.Sprintf("step %d", steps+1))
					scrollDown()
					test.Tap(r.button(t, "Next"))
				}
				r.checkStep(t, "summary")
				changes := 0
				uitest.Walk(r.win.Content(), func(o fyne.CanvasObject) {
					if b := uitest.AsButton(o); b != nil && b.Text == "Change" {
						changes++
					}
				})
				for i := range changes {
					scrollDown()
					var change *widget.Button
					n := 0
					uitest.Walk(r.win.Content(), func(o fyne.CanvasObject) {
						if b := uitest.AsButton(o); b != nil && b.Text == "Change" {
							if n == i {
								change = b
							}
							n++
						}
					})
					test.Tap(change)
					r.checkStep(t, fmt.Sprintf("change %d", i+1))
					for r.findButton("Submit") == nil {
						test.Tap(r.button(t, "Next"))
					}
				}
				for back := steps; back > 0; back-- {
					scrollDown()
					test.Tap(r.button(t, "Back"))
					r.checkStep(t, fmt.Sprintf("back to step %d", back))
				}
				if b := r.button(t, "Back"); !b.Disabled() {
					t.Error("the first step offers to go back")
				}
				r.ui.nav.popToRoot()
			})
		}
		// "My applications" with a draft of every demo form in it, and
		// the about screen.
		for i := 1; i < len(r.ui.tabs.Items); i++ {
			r.ui.tabs.SelectIndex(i)
			if w := r.win.Content().MinSize().Width; w > size.Width {
				t.Errorf("%v: %s needs %.0f px", size, r.ui.tabs.Items[i].Text, w)
			}
		}
		r.ui.tabs.SelectIndex(0)
	}
}

// TestStepOpensAtItsFirstError: "Next" on a step with an error far down
// scrolls to that field and focuses it; opening a refused draft opens at
// the town hall's error.
func TestStepOpensAtItsFirstError(t *testing.T) {
	r := newRig(t)
	r.win.Resize(sizes[0])
	values := demotest.Example(t, "hundesteuer")
	delete(values, "dog_count") // far down on the dog's step
	r.ui.OpenDraft(r.Draft(t, "hundesteuer", values))
	test.Tap(r.button(t, "Next"))
	if v := r.checkStep(t, "before"); len(v.errs) != 0 || v.scroll.Offset() != 0 {
		t.Fatalf("the dog's step opened with errors %d at %v, want clean at the top", len(v.errs), v.scroll.Offset())
	}
	test.Tap(r.button(t, "Next"))
	v := r.checkStep(t, "after a refused next")
	if len(v.errs) == 0 || v.scroll.Offset() == 0 {
		t.Fatalf("after a refused next: %d errors, scrolled %v; want the missing count in view", len(v.errs), v.scroll.Offset())
	}
	focused, ok := r.win.Canvas().Focused().(*kit.Entry)
	if !ok || focused.Text != "" {
		t.Errorf("focused = %v, want the empty count entry", r.win.Canvas().Focused())
	}
}

// TestWheelOverAFormField: the mouse wheel over a text field of a form
// moves the form, at a phone's size where the step is longer than the
// screen.
func TestWheelOverAFormField(t *testing.T) {
	r := newRig(t)
	r.win.Resize(sizes[0])
	r.ui.OpenDraft(r.Draft(t, "hundesteuer", nil))
	v := r.formView(t)
	var entry *kit.Entry
	uitest.Walk(v.scroll, func(o fyne.CanvasObject) {
		if e, ok := o.(*kit.Entry); ok && entry == nil {
			entry = e
		}
	})
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(entry).AddXY(entry.Size().Width/2, entry.Size().Height/2)
	test.Scroll(r.win.Canvas(), pos, 0, -25) // one notch of fyne's desktop driver
	if got, want := v.scroll.Offset(), float32(25*kit.WheelSpeed); got != want {
		t.Errorf("form scrolled %v by a notch over a text field, want %v", got, want)
	}
}

// TestRefusedDraftOpensAtTheTownHallsError: a draft the town hall refused
// opens, on a phone, at the field its error names, far down the step.
func TestRefusedDraftOpensAtTheTownHallsError(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.win.Resize(sizes[0])
	d := r.Example(t, "hundesteuer")
	it, err := r.Store.Submit(ctx, d.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &api.Problem{Status: 422, Errors: []api.FieldError{{Pointer: "/email", Code: "format",
		Message: api.Text{"de": "Diese Adresse kennt das Rathaus nicht.", "en": "The town hall does not know this address."}}}}
	if err := r.Store.Reject(ctx, it.ID, p, citizen.EINVALID, "The town hall found errors in the form. Please correct the marked fields."); err != nil {
		t.Fatal(err)
	}
	d, _ = r.Store.Draft(ctx, d.ID)
	r.ui.OpenDraft(d)
	v := r.checkStep(t, "refused")
	if len(v.errs) == 0 || v.errs[0].Text != "The town hall does not know this address." || v.scroll.Offset() == 0 {
		t.Errorf("refused draft opened with errors %d, scrolled %v; want the e-mail's error in view", len(v.errs), v.scroll.Offset())
	}
}
