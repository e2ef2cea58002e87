// Package fill is one form being filled in, free of Fyne: its values, the
// steps shown, the step the citizen is on, the fields they touched, the
// errors (the app's own and the town hall's) and the summary. A screen shows
// a State and hands it what the citizen does; the State saves the draft
// through one method, write, coalescing the saves of a citizen typing
// (autosave.go).
package fill

import (
	"context"
	"strconv"
	"strings"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
)

// Saver keeps a draft's values and step (the store).
type Saver interface {
	SaveDraft(ctx context.Context, id string, values map[string]any, step int) error
}

// State is a draft being filled in. It is not safe for concurrent use: the
// screen calls it from the UI's goroutine. Only its saves run elsewhere,
// on a timer's goroutine (autosave.go).
type State struct {
	form  *formschema.Form
	draft *citizen.Draft
	lang  string
	saver Saver

	step    int                       // index into the form's steps; len(steps) is the summary
	touched map[string]bool           // pointers the citizen changed or "next" checked
	server  map[string]api.FieldError // the backend's, until the field changes
	errs    map[string]api.FieldError // the validator's, first per pointer; nil when stale
	view    *formschema.Visible       // the values as sent, for what is shown; nil when stale

	autosave
}

// New starts filling in draft d of form f, showing messages in lng and
// saving through s. The draft's values are changed in place; a rejected
// draft brings the town hall's field errors. It opens on the draft's step
// (or the first shown step from there).
func New(f *formschema.Form, d *citizen.Draft, lng string, s Saver, opts ...Option) *State {
	if d.Values == nil {
		d.Values = map[string]any{}
	}
	st := &State{form: f, draft: d, lang: lng, saver: s, touched: map[string]bool{}, server: map[string]api.FieldError{}}
	st.clock, st.quiet, st.max = realClock{}, DefaultQuiet, DefaultMax
	for _, o := range opts {
		o(st)
	}
	// A refused draft, or one reopened to answer the town hall, shows the
	// town hall's marks on its fields.
	if (d.State == citizen.DraftRejected || d.Answers != "") && d.Problem != nil {
		for _, e := range d.Problem.Errors {
			st.server[e.Pointer] = e
		}
	}
	st.step = st.shownFrom(min(max(d.Step, 0), len(f.Def.Steps)-1), +1)
	if st.prepare() { // opening alone changes nothing worth a save
		st.gen++
		_ = st.Flush() // a failure is in SaveStatus
	}
	return st
}

// Form is the form being filled in.
func (s *State) Form() *formschema.Form { return s.form }

// Draft is the draft being filled in; its Values are the State's.
func (s *State) Draft() *citizen.Draft { return s.draft }

// Lang is the language of the messages.
func (s *State) Lang() string { return s.lang }

// Values are the draft's values, hidden fields' included. Read only: change
// them through Set.
func (s *State) Values() map[string]any { return s.draft.Values }

// Value is the value at an instance pointer.
func (s *State) Value(pointer string) (any, bool) { return formschema.Get(s.draft.Values, pointer) }

// Rejected reports whether the town hall refused the draft and its errors
// are shown on the fields.
func (s *State) Rejected() bool {
	return s.draft.State == citizen.DraftRejected && s.draft.Problem != nil
}

// Answering reports whether the draft answers the town hall's request
// for more information on its case.
func (s *State) Answering() bool { return s.draft.Answers != "" && s.draft.State.Editable() }

// Step is the index of the step shown; it equals len(Form().Def.Steps) on
// the summary.
func (s *State) Step() int { return s.step }

// OnSummary reports whether the summary is shown.
func (s *State) OnSummary() bool { return s.step >= len(s.form.Def.Steps) }

// First reports whether the step shown is the first one shown (no "back").
func (s *State) First() bool { return s.step == s.shownFrom(0, +1) }

// shownFrom returns the first step from i on (dir +1) or back (dir -1)
// whose condition holds; past the last step comes the summary, before the
// first the first step.
func (s *State) shownFrom(i, dir int) int {
	for ; i >= 0 && i < len(s.form.Def.Steps); i += dir {
		if s.visible().StepShown(i) {
			return i
		}
	}
	if i < 0 {
		return s.shownFrom(0, +1)
	}
	return len(s.form.Def.Steps)
}

// Position returns where the citizen is: step k of n, counting the steps
// that are shown and the summary.
func (s *State) Position() (k, n int) {
	n, k = 1, 1
	for i := range s.form.Def.Steps {
		if s.visible().StepShown(i) {
			n++
			if i < s.step {
				k++
			}
		}
	}
	if s.OnSummary() {
		k = n
	}
	return k, n
}

// Next checks the step shown: with errors it stays and marks them (they
// show on their fields, Focus names the first); without it goes on to the
// next step shown, or the summary. It reports whether it moved. Either way
// the draft is saved.
func (s *State) Next() bool {
	if s.OnSummary() {
		return false
	}
	for _, p := range s.StepPointers(s.step) {
		s.touched[p] = true
	}
	if errs := s.stepErrors(s.step); len(errs) > 0 {
		for _, p := range errs {
			s.touched[p] = true
		}
		_ = s.Flush() // a failure is in SaveStatus
		return false
	}
	s.move(s.shownFrom(s.step+1, +1))
	return true
}

// Back goes to the previous step shown; it reports whether it moved.
func (s *State) Back() bool {
	prev := s.shownFrom(s.step-1, -1)
	if prev == s.step {
		return false
	}
	s.move(prev)
	return true
}

// GoTo shows step i (the summary's "change"), or the summary for
// len(steps).
func (s *State) GoTo(i int) {
	s.move(min(max(i, 0), len(s.form.Def.Steps)))
}

// CheckAll checks every shown step before sending. With errors it moves to
// the first step that has any, marks them and returns false.
func (s *State) CheckAll() bool {
	for i := range s.form.Def.Steps {
		if !s.visible().StepShown(i) {
			continue
		}
		if errs := s.stepErrors(i); len(errs) > 0 {
			for _, p := range errs {
				s.touched[p] = true
			}
			s.move(i)
			return false
		}
	}
	return true
}

// move shows step i and saves the draft with it at once, so that it
// resumes there.
func (s *State) move(i int) {
	s.edit(func() {
		s.step, s.draft.Step = i, i
		s.prepare()
	})
	_ = s.Flush() // a failure is in SaveStatus
}

// prepare readies the step shown: its unticked boxes count as "no". It
// reports whether that changed the values. It changes them: call it under
// mu once the State is made.
func (s *State) prepare() bool {
	if s.OnSummary() {
		return false
	}
	return s.defaultBooleans(s.form.Def.Steps[s.step].Fields, "")
}

// defaultBooleans stores "no" for the unticked boxes of fields, so that an
// unticked box is never reported as missing; it reports whether it did.
func (s *State) defaultBooleans(fields []api.Field, base string) bool {
	changed := false
	for i := range fields {
		fd := &fields[i]
		p := base + api.PointerToken(fd.Key)
		switch fd.Widget {
		case api.WidgetBoolean:
			if _, set := formschema.Get(s.draft.Values, p); !set && s.parentExists(base) {
				formschema.Set(s.draft.Values, p, false)
				changed = true
			}
		case api.WidgetGroup, api.WidgetAddress:
			changed = s.defaultBooleans(s.form.Children(fd), p) || changed
		case api.WidgetRepeat:
			v, _ := formschema.Get(s.draft.Values, p)
			items, _ := v.([]any)
			for j := range items {
				changed = s.defaultBooleans(s.form.Children(fd), p+"/"+strconv.Itoa(j)) || changed
			}
		}
	}
	if changed {
		s.errs, s.view = nil, nil
	}
	return changed
}

// parentExists reports whether the object at base is in the data (the
// root always is): booleans are not defaulted into absent groups.
func (s *State) parentExists(base string) bool {
	if base == "" {
		return true
	}
	_, ok := formschema.Get(s.draft.Values, base)
	return ok
}

// Set keeps a new value at pointer (nil removes it); the draft is saved
// once the citizen pauses (see autosave.go). The field counts as touched,
// and the town hall's error on it is gone.
func (s *State) Set(pointer string, v any) {
	s.edit(func() {
		if v == nil {
			formschema.Delete(s.draft.Values, pointer)
		} else {
			formschema.Set(s.draft.Values, pointer, v)
		}
	})
	s.touched[pointer] = true
	delete(s.server, pointer)
}

// AddItem appends an empty item to the repeat at pointer and saves at
// once: a tap, not typing.
func (s *State) AddItem(pointer string) {
	fd := s.form.Field(pointer)
	s.edit(func() {
		v, _ := formschema.Get(s.draft.Values, pointer)
		items, _ := v.([]any)
		ip := pointer + "/" + strconv.Itoa(len(items))
		formschema.Set(s.draft.Values, ip, map[string]any{})
		if fd != nil {
			s.defaultBooleans(s.form.Children(fd), ip)
		}
	})
	s.touched[pointer] = true
	_ = s.Flush() // a failure is in SaveStatus
}

// RemoveItem takes item i out of the repeat at pointer and saves at once;
// the marks of its fields and of the items after it no longer fit their
// pointers and are dropped.
func (s *State) RemoveItem(pointer string, i int) {
	s.edit(func() { formschema.Delete(s.draft.Values, pointer+"/"+strconv.Itoa(i)) })
	prefix := pointer + "/"
	for q := range s.touched {
		if strings.HasPrefix(q, prefix) {
			delete(s.touched, q)
		}
	}
	for q := range s.server {
		if strings.HasPrefix(q, prefix) {
			delete(s.server, q)
		}
	}
	s.touched[pointer] = true
	_ = s.Flush() // a failure is in SaveStatus
}

// Items is the number of items of the repeat at pointer.
func (s *State) Items(pointer string) int {
	v, _ := formschema.Get(s.draft.Values, pointer)
	items, _ := v.([]any)
	return len(items)
}

// FieldShown reports whether the field at an instance pointer is shown.
func (s *State) FieldShown(pointer string) bool {
	return s.visible().FieldShown(pointer)
}

// visible is the values as sent, pruned once per change for the many
// questions a screen asks after it.
func (s *State) visible() formschema.Visible {
	if s.view == nil {
		v := s.form.Visible(s.draft.Values)
		s.view = &v
	}
	return *s.view
}

// Payload is what is sent: the values of the shown fields.
func (s *State) Payload() map[string]any { return s.form.Prune(s.draft.Values) }

// Summary lists what will be sent, in form order, for the citizen to check.
func (s *State) Summary() []formschema.SummaryEntry {
	return s.form.Summary(s.draft.Values, s.lang)
}
