// Package formschema loads form definitions and validates form data against
// them. The app (offline, as the citizen types) and the backend (the trust
// boundary) both use it, so a rule and its message are the same on both sides.
//
// Pointers come in two kinds. An instance pointer is an RFC 6901 JSON
// Pointer into the form data, with array indices: "/members/2/name", as
// validation errors name the failing value. A layout pointer joins the keys
// of a field and of the groups and repeats around it, without indices:
// "/members/name" is the name field of every item of the repeat "members".
package formschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"rathaus/api"
)

// schemaURL names the schema being compiled; it never leaves the process.
const schemaURL = "mem:///form.json"

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// DefinitionError reports what is wrong with a form definition: every
// problem found, not just the first, so that an author can fix them at once.
type DefinitionError struct {
	Form     string
	Problems []string
}

func (e *DefinitionError) Error() string {
	name := e.Form
	if name == "" {
		name = "(no id)"
	}
	return fmt.Sprintf("form %s: %s", name, strings.Join(e.Problems, "; "))
}

// Form is a compiled form definition, safe for concurrent use.
type Form struct {
	Def    *api.Form
	schema *jsonschema.Schema
	// root stands for the data object: its children are the top-level
	// fields.
	root    *node
	byPtr   map[string]*node // by layout pointer
	byField map[*api.Field]*node
}

// node is one field with a value, placed in the layout.
type node struct {
	field    *api.Field
	pointer  string // layout pointer
	parent   *node  // the group, address or repeat around it; the root at the top
	step     int    // index of the step it is on
	pos      int    // position in form order (depth first)
	required bool   // the schema object holding it always requires it
	minItems int    // a repeat's bounds from the schema; maxItems 0: none
	maxItems int
	kids     []api.Field
	children []*node
	byKey    map[string]*node
}

// Parse decodes and compiles a form definition from JSON.
func Parse(data []byte) (*Form, error) {
	if !utf8.Valid(data) {
		return nil, &DefinitionError{Problems: []string{"not valid UTF-8"}}
	}
	var def api.Form
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&def); err != nil {
		return nil, &DefinitionError{Problems: []string{"not a form definition: " + err.Error()}}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &DefinitionError{Form: def.ID, Problems: []string{"data after the definition"}}
	}
	return Compile(&def)
}

// Compile checks a decoded definition and compiles its schema. It checks
// every field, recursively, against the schema property it fills (see
// docs/forms.md for what each widget needs), and every condition against
// the layout, and reports all problems in one *DefinitionError.
func Compile(def *api.Form) (*Form, error) {
	c := &compiler{def: def}
	if !idPattern.MatchString(def.ID) {
		c.add("id %q must be lower-case letters, digits and dashes", def.ID)
	}
	if def.Version < 1 {
		c.add("version must be 1 or more, is %d", def.Version)
	}
	if def.Title.In("de") == "" {
		c.add("title is missing")
	}

	schema, doc, err := compileSchema(def.Schema)
	if err != nil {
		c.add("schema: %v", err)
	}
	f := &Form{
		Def:     def,
		schema:  schema,
		root:    &node{byKey: map[string]*node{}},
		byPtr:   map[string]*node{},
		byField: map[*api.Field]*node{},
	}
	c.f = f
	if len(def.Steps) == 0 {
		c.add("no steps")
	}
	stepIDs := map[string]bool{}
	for si := range def.Steps {
		st := &def.Steps[si]
		if st.ID == "" || stepIDs[st.ID] {
			c.add("step %d: id %q is empty or used twice", si+1, st.ID)
		}
		stepIDs[st.ID] = true
		if st.Title.In("de") == "" {
			c.add("step %q: title is missing", st.ID)
		}
		first := len(f.root.children)
		c.addFields(f.root, doc, st.Fields, si, fmt.Sprintf("step %q field ", st.ID), "")
		if st.ShowWhen != nil {
			c.conds = append(c.conds, condSite{c: st.ShowWhen, scope: f.root, step: si, where: fmt.Sprintf("step %q: showWhen", st.ID)})
			for _, n := range f.root.children[first:] {
				if n.required {
					c.add("step %q: field %q is on a step shown only under a condition, but the schema always requires it (require it with if/then or dependentRequired)", st.ID, n.field.Key)
				}
			}
		}
	}
	for _, s := range c.conds {
		c.checkCondition(s.c, s, s.where)
	}
	c.checkCycles()
	if len(c.problems) > 0 {
		return nil, &DefinitionError{Form: def.ID, Problems: c.problems}
	}
	return f, nil
}

func compileSchema(raw json.RawMessage) (*jsonschema.Schema, map[string]any, error) {
	if len(raw) == 0 {
		return nil, nil, errors.New("missing")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, err
	}
	obj, ok := doc.(map[string]any)
	if !ok || obj["type"] != "object" {
		return nil, nil, errors.New(`the top level must be {"type": "object", ...}`)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	for _, f := range customFormats {
		c.RegisterFormat(f)
	}
	// A definition comes over the network: it may not make the validator
	// read files or fetch URLs. Only the built-in meta-schemas resolve.
	c.UseLoader(refuseLoader{})
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, nil, err
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		return nil, nil, err
	}
	return s, obj, nil
}

type refuseLoader struct{}

func (refuseLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("external reference %s is not allowed", url)
}

// Required reports whether the schema always requires the field's value:
// the object holding it (the data, a group's object, a repeat's item)
// lists it in "required".
func (f *Form) Required(fd *api.Field) bool {
	if n := f.byField[fd]; n != nil {
		return n.required
	}
	return false
}

// Field returns the field at a layout pointer ("/name", "/members/name"),
// or nil.
func (f *Form) Field(pointer string) *api.Field {
	if n := f.byPtr[pointer]; n != nil {
		return n.field
	}
	return nil
}

// FieldAt returns the field an instance pointer concerns: the field whose
// value it names ("/members/2/name"), the field whose value holds it (an
// item of a multi field "/activities/1", a part of an attachment
// "/photo/size"), or the repeat for one of its items ("/members/2"). It
// returns nil for the root and for keys that are no field of the form.
func (f *Form) FieldAt(pointer string) *api.Field {
	w := f.walk(pointer)
	if w.unknown || len(w.hops) == 0 {
		return nil
	}
	return w.hops[len(w.hops)-1].n.field
}

// Pointer returns the layout pointer of a field of this form ("" for info
// texts and fields of other forms).
func (f *Form) Pointer(fd *api.Field) string {
	if n := f.byField[fd]; n != nil {
		return n.pointer
	}
	return ""
}

// Children returns the fields inside a group, repeat or address field: its
// Fields or, for an address without Fields, the default street, postcode
// and city. The slice belongs to the form: do not modify it.
func (f *Form) Children(fd *api.Field) []api.Field {
	if n := f.byField[fd]; n != nil {
		return n.kids
	}
	return fd.Fields
}

// StepOf returns the index of the step that holds the field an instance
// pointer concerns, or -1.
func (f *Form) StepOf(pointer string) int {
	w := f.walk(pointer)
	if w.unknown || len(w.hops) == 0 {
		return -1
	}
	return w.hops[0].n.step
}

// hop is one field on the way along an instance pointer, with the
// instance pointer of its value and of the object that holds it.
type hop struct {
	n    *node
	at   string // instance pointer of the field's value
	base string // instance pointer of the object holding the field
}

// walked is an instance pointer resolved against the layout.
type walked struct {
	hops []hop
	// key orders the pointer in form order: positions of fields, indices
	// of items; tail tokens inside a value follow.
	key []int
	// unknown: the pointer names a key that is no field.
	unknown bool
}

const unknownKey = int(^uint(0) >> 1)

// walk resolves an instance pointer through the layout.
func (f *Form) walk(pointer string) walked {
	var w walked
	tokens, ok := splitPointer(pointer)
	if !ok {
		w.unknown = true
		return w
	}
	cur, at := f.root, ""
	for i := 0; i < len(tokens); i++ {
		n := cur.byKey[tokens[i]]
		if n == nil {
			w.unknown = true
			w.key = append(w.key, unknownKey)
			return w
		}
		base := at
		at = join(at, tokens[i])
		w.hops = append(w.hops, hop{n: n, at: at, base: base})
		w.key = append(w.key, n.pos)
		switch n.field.Widget {
		case api.WidgetGroup, api.WidgetAddress:
			cur = n
			continue
		case api.WidgetRepeat:
			if i+1 == len(tokens) {
				return w
			}
			idx, ok := arrayIndex(tokens[i+1])
			if !ok {
				w.unknown = true
				w.key = append(w.key, unknownKey)
				return w
			}
			i++
			at = join(at, tokens[i])
			w.key = append(w.key, idx)
			cur = n
			continue
		}
		// Inside a value: an item of a multi field, a part of an
		// attachment. Order by index where there is one.
		for _, t := range tokens[i+1:] {
			if idx, ok := arrayIndex(t); ok {
				w.key = append(w.key, idx)
			} else {
				w.key = append(w.key, unknownKey)
			}
		}
		return w
	}
	return w
}

// ValidateJSON validates form data given as JSON. Data that is not JSON, or
// not valid UTF-8, is an error of its own rather than a field error.
func (f *Form) ValidateJSON(data []byte) ([]api.FieldError, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("data is not valid UTF-8")
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("data is not JSON: %w", err)
	}
	return f.validate(v), nil
}

// ValidateDecoded validates form data decoded as ValidateJSON decodes it:
// objects as map[string]any, arrays as []any, numbers as json.Number,
// text as valid UTF-8, nothing else. The backend, which parses every body
// with a parser of its own that yields these, saves decoding the data a
// second time; anything else should call Validate.
func (f *Form) ValidateDecoded(v any) []api.FieldError {
	return f.validate(v)
}

// Validate validates decoded form data (as from encoding/json) as given:
// the values of hidden fields count. The app sends Prune(values), so it
// validates that.
func (f *Form) Validate(data map[string]any) []api.FieldError {
	// The validator expects what it decodes from JSON text: numbers as
	// json.Number. Convert the common types directly; anything else takes
	// the way through JSON, with the same result.
	if v, ok := jsonValue(data); ok {
		return f.validate(v)
	}
	b, err := json.Marshal(data)
	if err != nil {
		return []api.FieldError{{Pointer: "", Code: "type", Detail: err.Error()}}
	}
	errs, err := f.ValidateJSON(b)
	if err != nil {
		return []api.FieldError{{Pointer: "", Code: "type", Detail: err.Error()}}
	}
	return errs
}

func (f *Form) validate(v any) []api.FieldError {
	err := f.schema.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []api.FieldError{{Code: "invalid", Detail: err.Error()}}
	}
	var out []api.FieldError
	seen := map[string]bool{}
	emit := func(pointer, code string, params map[string]any) {
		if seen[pointer+" "+code] {
			return
		}
		seen[pointer+" "+code] = true
		msg := f.message(pointer, code, params)
		out = append(out, api.FieldError{Pointer: pointer, Code: code, Detail: msg.In("en"), Message: msg})
	}
	collect(ve, emit)
	f.sortErrors(out)
	return out
}

// sortErrors puts errors in form order: by step and field, items of a
// repeat by index; keys that are no field come after the fields of their
// object, by pointer.
func (f *Form) sortErrors(errs []api.FieldError) {
	keys := make(map[string][]int, len(errs))
	for _, e := range errs {
		if _, ok := keys[e.Pointer]; !ok {
			keys[e.Pointer] = f.walk(e.Pointer).key
		}
	}
	slices.SortStableFunc(errs, func(a, b api.FieldError) int {
		if c := slices.Compare(keys[a.Pointer], keys[b.Pointer]); c != 0 {
			return c
		}
		return strings.Compare(a.Pointer, b.Pointer)
	})
}

// jsonValue converts decoded data to the values the validator gets from
// the same data as JSON text (numbers as json.Number, written as
// encoding/json writes them). It returns false for what it does not
// handle: other types, invalid UTF-8, NaN and infinities.
func jsonValue(v any) (any, bool) {
	switch x := v.(type) {
	case nil, bool:
		return x, true
	case string:
		return x, utf8.ValidString(x)
	case json.Number:
		return nil, false // encoding/json checks its syntax
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		return json.Number(formatFloat(x)), true
	case int:
		return json.Number(strconv.Itoa(x)), true
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), true
	case map[string]any:
		if x == nil {
			return nil, true
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, ok := jsonValue(e)
			if !ok || !utf8.ValidString(k) {
				return nil, false
			}
			out[k] = c
		}
		return out, true
	case []any:
		if x == nil {
			return nil, true
		}
		out := make([]any, len(x))
		for i, e := range x {
			c, ok := jsonValue(e)
			if !ok {
				return nil, false
			}
			out[i] = c
		}
		return out, true
	}
	return nil, false
}

// formatFloat writes a float64 as encoding/json does.
func formatFloat(f float64) string {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b := strconv.AppendFloat(nil, f, format, -1, 64)
	if format == 'e' {
		// e-09 to e-9, as encoding/json does
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return string(b)
}
