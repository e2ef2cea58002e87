// Package formschema loads form definitions and validates form data against
// them. The app (offline, as the citizen types) and the backend (the trust
// boundary) both use it, so a rule and its message are the same on both sides.
package formschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
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
	Def      *api.Form
	schema   *jsonschema.Schema
	fields   map[string]*api.Field // by JSON Pointer
	order    map[string]int        // pointer -> position in the form
	required map[string]bool       // top-level keys the schema requires
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

// Compile checks a decoded definition and compiles its schema.
func Compile(def *api.Form) (*Form, error) {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if !idPattern.MatchString(def.ID) {
		add("id %q must be lower-case letters, digits and dashes", def.ID)
	}
	if def.Version < 1 {
		add("version must be 1 or more, is %d", def.Version)
	}
	if def.Title.In("de") == "" {
		add("title is missing")
	}

	var props map[string]json.RawMessage
	var enums map[string][]any
	var required map[string]bool
	schema, err := compileSchema(def.Schema)
	if err != nil {
		add("schema: %v", err)
	} else {
		props, enums, required = topLevelProperties(def.Schema)
	}

	f := &Form{Def: def, schema: schema, fields: map[string]*api.Field{}, order: map[string]int{}, required: required}
	if len(def.Steps) == 0 {
		add("no steps")
	}
	stepIDs := map[string]bool{}
	known := map[api.Widget]bool{}
	for _, w := range api.Widgets {
		known[w] = true
	}
	pos := 0
	for si := range def.Steps {
		st := &def.Steps[si]
		if st.ID == "" || stepIDs[st.ID] {
			add("step %d: id %q is empty or used twice", si+1, st.ID)
		}
		stepIDs[st.ID] = true
		for fi := range st.Fields {
			fd := &st.Fields[fi]
			where := fmt.Sprintf("step %q field %d", st.ID, fi+1)
			if !known[fd.Widget] {
				add("%s: unknown widget %q", where, fd.Widget)
				continue
			}
			if !fd.Widget.HasValue() {
				if fd.Label.In("de") == "" {
					add("%s: info text is empty", where)
				}
				continue
			}
			if fd.Key == "" {
				add("%s: key is missing", where)
				continue
			}
			p := fd.Pointer()
			if _, dup := f.fields[p]; dup {
				add("%s: key %q is placed twice", where, fd.Key)
				continue
			}
			if props != nil {
				if _, ok := props[fd.Key]; !ok {
					add("%s: key %q is not a property of the schema", where, fd.Key)
				}
			}
			if fd.Label.In("de") == "" {
				add("%s: label is missing", where)
			}
			if fd.Widget == api.WidgetChoice && props != nil {
				if len(enums[fd.Key]) == 0 {
					add("%s: choice %q needs an enum in the schema", where, fd.Key)
				}
				for _, o := range fd.Options {
					if !containsValue(enums[fd.Key], o.Value) {
						add("%s: option %q is not in the schema's enum", where, o.Value)
					}
				}
			}
			f.fields[p] = fd
			f.order[p] = pos
			pos++
		}
	}
	if len(problems) > 0 {
		return nil, &DefinitionError{Form: def.ID, Problems: problems}
	}
	return f, nil
}

func compileSchema(raw json.RawMessage) (*jsonschema.Schema, error) {
	if len(raw) == 0 {
		return nil, errors.New("missing")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	obj, ok := doc.(map[string]any)
	if !ok || obj["type"] != "object" {
		return nil, errors.New(`the top level must be {"type": "object", ...}`)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	// A definition comes over the network: it may not make the validator
	// read files or fetch URLs. Only the built-in meta-schemas resolve.
	c.UseLoader(refuseLoader{})
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	return c.Compile(schemaURL)
}

type refuseLoader struct{}

func (refuseLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("external reference %s is not allowed", url)
}

// topLevelProperties returns the schema's properties, their enums and the
// required keys, for checking the layout against it.
func topLevelProperties(raw json.RawMessage) (map[string]json.RawMessage, map[string][]any, map[string]bool) {
	var s struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Required   []string                   `json:"required"`
	}
	if json.Unmarshal(raw, &s) != nil {
		return nil, nil, nil
	}
	required := map[string]bool{}
	for _, k := range s.Required {
		required[k] = true
	}
	enums := map[string][]any{}
	for k, v := range s.Properties {
		var p struct {
			Enum []any `json:"enum"`
		}
		if json.Unmarshal(v, &p) == nil {
			enums[k] = p.Enum
		}
	}
	if s.Properties == nil {
		s.Properties = map[string]json.RawMessage{}
	}
	return s.Properties, enums, required
}

func containsValue(vals []any, v string) bool {
	for _, x := range vals {
		if fmt.Sprint(x) == v {
			return true
		}
	}
	return false
}

// Required reports whether the schema always requires the field's value.
func (f *Form) Required(fd *api.Field) bool { return f.required[fd.Key] }

// Field returns the field at a JSON Pointer, or nil.
func (f *Form) Field(pointer string) *api.Field { return f.fields[pointer] }

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

// Validate validates decoded form data (as from encoding/json).
func (f *Form) Validate(data map[string]any) []api.FieldError {
	// Round-trip through JSON so that numbers are json.Number, as the
	// validator expects, whatever the caller decoded them as.
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
	sort.SliceStable(out, func(i, j int) bool {
		oi, iok := f.order[out[i].Pointer]
		oj, jok := f.order[out[j].Pointer]
		if iok != jok {
			return iok
		}
		if oi != oj {
			return oi < oj
		}
		return out[i].Pointer < out[j].Pointer
	})
	return out
}
