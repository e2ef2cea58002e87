// Package fill is one form being filled in, free of Fyne: its values, the
// steps shown, the step the citizen is on, the fields they touched, the
// errors (the app's own and the town hall's) and the summary. A screen shows
// a State and hands it what the citizen does; the State saves the draft
// through one method, persist, so that saving can be coalesced later.
package fill

import (
	"context"
	"strconv"
	"strings"
	"time"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
)

// Saver keeps a draft's values and step (the store).
type Saver interface {
	SaveDraft(ctx context.Context, id string, values map[string]any, step int) error
}

// State is a draft being filled in. It is not safe for concurrent use: the
// screen calls it from the UI's goroutine.
type State struct {
	form  *formschema.Form
	draft *citizen.Draft
	lang  string
	saver Saver

	step    int                       // index into the form's steps; len(steps) is the summary
	touched map[string]bool           // pointers the citizen changed or "next" checked
	server  map[string]api.FieldError // the backend's, until the field changes
	errs    map[string]api.FieldError // the validator's, first per pointer; nil when stale

	saved   time.Time // when the draft was last saved
	saveErr error     // why the last save failed, if it did
}

// Now is the clock the State stamps saves with; tests may replace it.
var Now = time.Now

// New starts filling in draft d of form f, showing messages in lng. The
// draft's values are changed in place; a rejected draft brings the town
// hall's field errors. It opens on the draft's step (or the first shown
// step from there).
func New(f *formschema.Form, d *citizen.Draft, lng string, s Saver) *State {
	if d.Values == nil {
		d.Values = map[string]any{}
	}
	st := &State{form: f, draft: d, lang: lng, saver: s, touched: map[string]bool{}, server: map[string]api.FieldError{}}
	if d.State == citizen.DraftRejected && d.Problem != nil {
		for _, e := range d.Problem.Errors {
			st.server[e.Pointer] = e
		}
	}
	st.step = st.shownFrom(min(max(d.Step, 0), len(f.Def.Steps)-1), +1)
	if st.prepare() { // opening alone changes nothing worth a save
		st.persist()
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
		if s.form.StepShown(i, s.draft.Values) {
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
		if s.form.StepShown(i, s.draft.Values) {
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
// next step shown, or the summary. It reports whether it moved.
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
		if !s.form.StepShown(i, s.draft.Values) {
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

// move shows step i and saves the draft with it, so that it resumes there.
func (s *State) move(i int) {
	s.step = i
	s.prepare()
	s.persist()
}

// prepare readies the step shown: its unticked boxes count as "no". It
// reports whether that changed the values.
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
		s.errs = nil
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

// Set keeps a new value at pointer (nil removes it) and saves the draft at
// once. The field counts as touched, and the town hall's error on it is
// gone.
func (s *State) Set(pointer string, v any) {
	if v == nil {
		formschema.Delete(s.draft.Values, pointer)
	} else {
		formschema.Set(s.draft.Values, pointer, v)
	}
	s.touched[pointer] = true
	delete(s.server, pointer)
	s.errs = nil
	s.persist()
}

// AddItem appends an empty item to the repeat at pointer and saves.
func (s *State) AddItem(pointer string) {
	fd := s.form.Field(pointer)
	v, _ := formschema.Get(s.draft.Values, pointer)
	items, _ := v.([]any)
	ip := pointer + "/" + strconv.Itoa(len(items))
	formschema.Set(s.draft.Values, ip, map[string]any{})
	if fd != nil {
		s.defaultBooleans(s.form.Children(fd), ip)
	}
	s.touched[pointer] = true
	s.errs = nil
	s.persist()
}

// RemoveItem takes item i out of the repeat at pointer and saves; the marks
// of its fields and of the items after it no longer fit their pointers and
// are dropped.
func (s *State) RemoveItem(pointer string, i int) {
	formschema.Delete(s.draft.Values, pointer+"/"+strconv.Itoa(i))
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
	s.errs = nil
	s.persist()
}

// Items is the number of items of the repeat at pointer.
func (s *State) Items(pointer string) int {
	v, _ := formschema.Get(s.draft.Values, pointer)
	items, _ := v.([]any)
	return len(items)
}

// FieldShown reports whether the field at an instance pointer is shown.
func (s *State) FieldShown(pointer string) bool {
	return s.form.FieldShown(pointer, s.draft.Values)
}

// Payload is what is sent: the values of the shown fields.
func (s *State) Payload() map[string]any { return s.form.Prune(s.draft.Values) }

// Summary lists what will be sent, in form order, for the citizen to check.
func (s *State) Summary() []formschema.SummaryEntry {
	return s.form.Summary(s.draft.Values, s.lang)
}

// Save writes the draft now (for example before it is sent) and reports
// whether that worked.
func (s *State) Save() bool { return s.persist() == nil }

// Saved returns when the draft was last saved, and the error of the last
// attempt if it failed (a full disk): the values stay in the State, so
// the next change saves them all.
func (s *State) Saved() (time.Time, error) { return s.saved, s.saveErr }

// persist is the one place the State writes the draft.
func (s *State) persist() error {
	s.draft.Step = s.step
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.saver.SaveDraft(ctx, s.draft.ID, s.draft.Values, s.step); err != nil {
		s.saveErr = err
		return err
	}
	s.saved, s.saveErr = Now(), nil
	return nil
}
