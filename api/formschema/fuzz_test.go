package formschema_test

import (
	"errors"
	"sort"
	"testing"

	"rathaus/api/formschema"
	"rathaus/assets"
)

// FuzzParse feeds Parse arbitrary bytes. Parse must never panic; what it
// refuses it refuses with a *DefinitionError, and a form it accepts must
// validate data without panicking either.
func FuzzParse(f *testing.F) {
	files, err := assets.DemoFormFiles()
	if err != nil {
		f.Fatalf("DemoFormFiles() error = %v, want nil", err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f.Add(files[n])
	}
	f.Add([]byte(widgetFormJSON))
	for _, seed := range []string{
		``,
		`null`,
		`{}`,
		`[]`,
		`"form"`,
		`{"id": "x", "version": 1`,
		"{\"id\": \"\xff\"}",
		`{"id": "x", "version": 1, "title": {"de": "X"}, "schema": {"type": "object"}, "steps": [{"id": "s", "fields": []}]}`,
		`{"id": "x", "version": 1, "title": {"de": "X"}, "schema": {"type": "object", "properties": {"a": {"$ref": "file:///etc/passwd"}}}, "steps": [{"id": "s"}]}`,
		`{"id": "x", "version": 1, "title": {"de": "X"}, "schema": {"type": "object", "properties": {"a": {"$ref": "#/$defs/a"}}, "$defs": {"a": {"$ref": "#/$defs/a"}}}, "steps": [{"id": "s"}]}`,
		`{"id": "x", "version": 1, "title": {"de": "X"}, "schema": {"type": "object", "required": ["a"], "properties": {"a": {"type": "string", "enum": [1, null, "a"]}}}, "steps": [{"id": "s", "fields": [{"key": "a", "widget": "choice", "label": {"de": "A"}, "options": [{"value": "1"}]}]}]}`,
		`{"id": "x", "version": 1, "title": {"de": "X"}, "schema": {"type": "object", "properties": {"a": true}, "additionalProperties": false, "dependentRequired": {"a": ["b"]}}, "steps": [{"id": "s", "fields": [{"key": "a", "widget": "text", "label": {"de": "A"}}]}]}`,
	} {
		f.Add([]byte(seed))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		form, err := formschema.Parse(data)
		if err != nil {
			var de *formschema.DefinitionError
			if !errors.As(err, &de) {
				t.Fatalf("Parse() error = %v (%T), want *formschema.DefinitionError", err, err)
			}
			if len(de.Problems) == 0 {
				t.Fatal("Parse() returned a DefinitionError without problems")
			}
			if form != nil {
				t.Fatal("Parse() returned both a form and an error")
			}
			return
		}
		if form == nil {
			t.Fatal("Parse() returned neither a form nor an error")
		}
		errs := form.Validate(map[string]any{})
		assertNoDuplicates(t, errs)
		if _, err := form.ValidateJSON([]byte(`{}`)); err != nil {
			t.Fatalf("ValidateJSON({}) error = %v, want nil", err)
		}
		if _, err := form.ValidateJSON([]byte(`{"a": [1, {"b": null}], "": "x"}`)); err != nil {
			t.Fatalf("ValidateJSON(object) error = %v, want nil", err)
		}
		for i := range form.Def.Steps {
			for j := range form.Def.Steps[i].Fields {
				fd := &form.Def.Steps[i].Fields[j]
				_ = form.Required(fd)
				if p := fd.Pointer(); p != "" && form.Field(p) != fd {
					t.Fatalf("Field(%q) does not return the field placed with that key", p)
				}
			}
		}
	})
}
