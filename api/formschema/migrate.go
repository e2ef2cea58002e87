package formschema

import (
	"slices"
	"strconv"
	"strings"

	"rathaus/api"
)

// Reasons why Migrate could not carry a value.
const (
	// LeftoverRemoved: the new version has no field at the value's place.
	LeftoverRemoved = "removed"
	// LeftoverInvalid: the field still exists, but the value breaks its
	// new rules.
	LeftoverInvalid = "invalid"
)

// Leftover is a value of a draft that Migrate could not carry to the new
// version of its form; the app lists it for the citizen.
type Leftover struct {
	// Pointer is the value's instance pointer in the old data.
	Pointer string
	// Label is the label of the value's field in the old form (in the
	// new one if the old had none).
	Label  api.Text
	Value  any
	Reason string
	// Errors are the new version's errors about the value (invalid only).
	Errors []api.FieldError
}

// Migrate carries a draft's data from one version of a form to another:
// every value whose field (by layout pointer, through groups and the items
// of repeats) still exists in to and still validates there is carried, at
// the same place. Everything else is listed in left, in the old form's
// order: nothing is dropped silently. Missing values are no reason to hold
// a value back (the citizen fills them in afterwards), and neither are a
// repeat's too few items; a value is invalid when the new version reports
// an error at its place or inside it.
func Migrate(from, to *Form, data map[string]any) (carried map[string]any, left []Leftover) {
	carried = map[string]any{}
	m := &migration{from: from, to: to}
	m.split(to.root, from.root, data, carried, "")

	// Validate in place; take out what fails, then validate again, since
	// taking out a value may change what the rest must satisfy.
	// Each round takes out at least one value not taken out before, so
	// this ends.
	done := map[string]bool{}
	for {
		errs := to.Validate(carried)
		evicted := false
		for _, e := range errs {
			owner, ok := m.owner(e)
			if !ok || done[owner] {
				continue
			}
			v, present := lookup(carried, owner)
			if !present {
				continue
			}
			var mine []api.FieldError
			for _, x := range errs {
				if hasPrefix(x.Pointer, owner) {
					mine = append(mine, x)
				}
			}
			m.left = append(m.left, Leftover{Pointer: owner, Label: m.label(owner), Value: v, Reason: LeftoverInvalid, Errors: mine})
			remove(carried, owner)
			done[owner] = true
			evicted = true
		}
		if !evicted {
			break
		}
	}
	keys := map[string][]int{}
	for _, l := range m.left {
		keys[l.Pointer] = from.walk(l.Pointer).key
	}
	slices.SortStableFunc(m.left, func(a, b Leftover) int {
		if c := slices.Compare(keys[a.Pointer], keys[b.Pointer]); c != 0 {
			return c
		}
		return strings.Compare(a.Pointer, b.Pointer)
	})
	return carried, m.left
}

type migration struct {
	from, to *Form
	left     []Leftover
}

// split copies into dst the values of src (the object at instance pointer
// at) that have a field in the new layout (under tn), and lists the rest.
// fn is the same object's place in the old layout (nil if it has none).
func (m *migration) split(tn, fn *node, src, dst map[string]any, at string) {
	for _, k := range sortedKeys(src) {
		v := src[k]
		p := join(at, k)
		var fc *node
		if fn != nil {
			fc = fn.byKey[k]
		}
		tc := tn.byKey[k]
		if tc == nil {
			m.removed(fc, v, p)
			continue
		}
		switch tc.field.Widget {
		case api.WidgetGroup, api.WidgetAddress:
			if obj, ok := v.(map[string]any); ok {
				inner := map[string]any{}
				m.split(tc, fc, obj, inner, p)
				if len(inner) > 0 || len(obj) == 0 {
					dst[k] = inner
				}
				continue
			}
		case api.WidgetRepeat:
			if list, ok := v.([]any); ok {
				items := make([]any, len(list))
				for i, item := range list {
					if obj, ok := item.(map[string]any); ok {
						inner := map[string]any{}
						m.split(tc, fc, obj, inner, p+"/"+strconv.Itoa(i))
						items[i] = inner
					} else {
						items[i] = Copy(item)
					}
				}
				dst[k] = items
				continue
			}
		}
		dst[k] = Copy(v)
	}
}

// removed lists a value that has no place in the new layout: a group's or
// repeat's values one by one, each with its own label.
func (m *migration) removed(fn *node, v any, p string) {
	if fn != nil {
		switch fn.field.Widget {
		case api.WidgetGroup, api.WidgetAddress:
			if obj, ok := v.(map[string]any); ok && len(obj) > 0 {
				for _, k := range sortedKeys(obj) {
					m.removed(fn.byKey[k], obj[k], join(p, k))
				}
				return
			}
		case api.WidgetRepeat:
			if list, ok := v.([]any); ok && len(list) > 0 {
				for i, item := range list {
					ip := p + "/" + strconv.Itoa(i)
					if obj, ok := item.(map[string]any); ok && len(obj) > 0 {
						for _, k := range sortedKeys(obj) {
							m.removed(fn.byKey[k], obj[k], join(ip, k))
						}
					} else {
						m.left = append(m.left, Leftover{Pointer: ip, Label: fn.field.Label, Value: item, Reason: LeftoverRemoved})
					}
				}
				return
			}
		}
	}
	m.left = append(m.left, Leftover{Pointer: p, Label: m.label(p), Value: v, Reason: LeftoverRemoved})
}

// owner returns the instance pointer of the value an error is about, or
// false when the error is about a value that is missing (required, too
// few items), about the whole data, or names no field.
func (m *migration) owner(e api.FieldError) (string, bool) {
	switch e.Code {
	case "required", "minItems", "minProperties", "contains", "minContains":
		return "", false
	}
	w := m.to.walk(e.Pointer)
	if w.unknown || len(w.hops) == 0 {
		return "", false
	}
	last := w.hops[len(w.hops)-1]
	if last.n.field.Widget == api.WidgetRepeat && e.Pointer != last.at {
		// An item of the repeat that is not an object: take it out,
		// keep the others where they are.
		tokens, _ := splitPointer(e.Pointer[len(last.at):])
		return last.at + "/" + escape(tokens[0]), true
	}
	return last.at, true
}

func (m *migration) label(p string) api.Text {
	if fd := m.from.FieldAt(p); fd != nil && len(fd.Label) > 0 {
		return fd.Label
	}
	if fd := m.to.FieldAt(p); fd != nil {
		return fd.Label
	}
	return nil
}

// remove takes the value at p out of data: deletes an object's key, or
// empties an item of a list (so that the other items keep their index).
func remove(data map[string]any, p string) {
	i := strings.LastIndexByte(p, '/')
	parent, ok := lookup(data, p[:i])
	if !ok {
		return
	}
	tok := unescape(p[i+1:])
	switch x := parent.(type) {
	case map[string]any:
		delete(x, tok)
	case []any:
		if n, ok := arrayIndex(tok); ok && n < len(x) {
			x[n] = map[string]any{}
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
