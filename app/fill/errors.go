package fill

import (
	"strconv"

	"rathaus/api"
	"rathaus/api/formschema"
)

// errors validates what would be sent (hidden fields pruned) and returns
// the first error per pointer; it validates again only after a change.
func (s *State) errors() map[string]api.FieldError {
	if s.errs != nil {
		return s.errs
	}
	s.errs = map[string]api.FieldError{}
	for _, e := range s.form.Validate(s.visible().Data()) {
		if _, seen := s.errs[e.Pointer]; !seen {
			s.errs[e.Pointer] = e
		}
	}
	return s.errs
}

// Message is the error to show on the field at pointer, in the State's
// language, or "": the validator's once the field was touched, else the
// town hall's.
func (s *State) Message(pointer string) string {
	if e, ok := s.errors()[pointer]; ok && s.touched[pointer] {
		return MessageIn(e, s.lang)
	}
	if e, ok := s.server[pointer]; ok {
		return MessageIn(e, s.lang)
	}
	return ""
}

// MessageIn is a field error's message in lng, or its English detail.
func MessageIn(e api.FieldError, lng string) string {
	if m := e.Message.In(lng); m != "" {
		return m
	}
	return e.Detail
}

// Focus is where the step shown should open: the first of its fields (in
// form order) that shows an error, or "" for the top of the step.
func (s *State) Focus() string {
	if s.OnSummary() {
		return ""
	}
	for _, p := range s.StepPointers(s.step) {
		if s.Message(p) != "" && s.FieldShown(p) {
			return p
		}
	}
	return ""
}

// stepErrors returns the pointers with errors on step i, the validator's
// and the town hall's (Focus says which comes first on screen).
func (s *State) stepErrors(i int) []string {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] && s.form.StepOf(p) == i {
			seen[p] = true
			out = append(out, p)
		}
	}
	for p := range s.errors() {
		add(p)
	}
	for p := range s.server {
		add(p)
	}
	return out
}

// StepPointers lists the instance pointers of step i's fields in the order
// the step shows them: each field, then the fields of its group, of each
// item of its repeat.
func (s *State) StepPointers(i int) []string {
	if i < 0 || i >= len(s.form.Def.Steps) {
		return nil
	}
	return s.pointers(nil, s.form.Def.Steps[i].Fields, "")
}

func (s *State) pointers(out []string, fields []api.Field, base string) []string {
	for i := range fields {
		fd := &fields[i]
		if !fd.Widget.HasValue() {
			continue
		}
		p := base + api.PointerToken(fd.Key)
		out = append(out, p)
		switch fd.Widget {
		case api.WidgetGroup, api.WidgetAddress:
			out = s.pointers(out, s.form.Children(fd), p)
		case api.WidgetRepeat:
			v, _ := formschema.Get(s.draft.Values, p)
			items, _ := v.([]any)
			for j := range items {
				out = s.pointers(out, s.form.Children(fd), p+"/"+strconv.Itoa(j))
			}
		}
	}
	return out
}
