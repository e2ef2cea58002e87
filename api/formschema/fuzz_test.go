package formschema_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"testing"
	"unicode/utf8"

	"rathaus/api"
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
	f.Add([]byte(nestedFormJSON))
	f.Add([]byte(condFormJSON))
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
				checkLayout(t, form, fd)
			}
			_ = form.StepShown(i, map[string]any{})
		}
		_ = form.Prune(map[string]any{"a": []any{map[string]any{}}})
		_ = form.Summary(map[string]any{"a": 1.0}, "de")
	})
}

// checkLayout checks that a field and those inside it are found at their
// layout pointer, and that their pointers resolve.
func checkLayout(t *testing.T, form *formschema.Form, fd *api.Field) {
	t.Helper()
	if !fd.Widget.HasValue() {
		return
	}
	p := form.Pointer(fd)
	if form.Field(p) != fd {
		t.Fatalf("Field(Pointer(%q)) does not return the field", p)
	}
	_ = form.FieldShown(p, map[string]any{})
	_ = form.StepOf(p)
	kids := form.Children(fd)
	for i := range kids {
		checkLayout(t, form, &kids[i])
	}
}

// FuzzValidate feeds every demo form arbitrary data: validating, pruning,
// summarizing and migrating it must never panic, and every error must
// name a pointer that FieldAt and FieldShown can take.
func FuzzValidate(f *testing.F) {
	forms, err := assets.DemoForms()
	if err != nil {
		f.Fatalf("DemoForms() error = %v, want nil", err)
	}
	byRef := map[api.FormRef]*formschema.Form{}
	for _, form := range forms {
		byRef[form.Def.Ref()] = form
		if ex, err := assets.DemoExample(form.Def.ID); err == nil {
			b, err := json.Marshal(ex)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	dogV1 := byRef[api.FormRef{ID: "hundesteuer", Version: 1}]
	dogV2 := byRef[api.FormRef{ID: "hundesteuer", Version: 2}]
	if dogV1 == nil || dogV2 == nil {
		f.Fatal("hundesteuer versions 1 and 2 are not both among the demo forms")
	}
	for _, seed := range []string{
		``, `null`, `{}`, `[]`, `{"members": [null, 1, {"relationship": "other"}]}`,
		`{"household": true, "previous_residence": "abroad", "abroad_address": []}`,
		`{"items": [{"kind": "other", "description": 7}], "address": {"postcode": 51147}}`,
		`{"vehicle": {"holder": "company"}, "registration_photo": {"size": 1e300, "sha256": "x"}}`,
		`{"signature": {"width": 1, "height": 1, "strokes": [[[0, 0], [2, 2]], []]}}`,
		`{"iban": "DE89 3704 0044 0532 0130 00", "turnover": 0.001, "activities": ["x", "x"]}`,
		`{"person": {"birth": {"date": "2026-02-30"}}, "/": {"~": 1}}`,
	} {
		f.Add([]byte(seed))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		var m map[string]any
		// ValidateJSON refuses invalid UTF-8, which json.Unmarshal mends.
		decodable := utf8.Valid(data) && json.Unmarshal(data, &m) == nil && m != nil
		for _, form := range forms {
			errs, err := form.ValidateJSON(data)
			if err != nil {
				if decodable {
					t.Fatalf("%s: ValidateJSON(%q) error = %v, want field errors for an object", form.Def.ID, data, err)
				}
				continue
			}
			assertNoDuplicates(t, errs)
			if !decodable {
				continue
			}
			for _, e := range errs {
				_ = form.FieldAt(e.Pointer)
				_ = form.FieldShown(e.Pointer, m)
				_ = form.StepOf(e.Pointer)
				if e.Message["de"] == "" || e.Message["en"] == "" {
					t.Fatalf("%s: error %+v lacks a German or English message", form.Def.ID, e)
				}
			}
			// Validate converts decoded data itself; it must agree with
			// the way through JSON text.
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			viaJSON, err := form.ValidateJSON(b)
			if err != nil {
				t.Fatal(err)
			}
			if got := form.Validate(m); !reflect.DeepEqual(got, viaJSON) {
				t.Fatalf("%s: Validate(%v) = %+v, want ValidateJSON's %+v", form.Def.ID, m, got, viaJSON)
			}
			pruned := form.Prune(m)
			_ = form.Validate(pruned)
			for i := range form.Def.Steps {
				_ = form.StepShown(i, m)
			}
			_ = form.Summary(m, "de")
			_ = form.Summary(m, "en")
		}
		carried, left := formschema.Migrate(dogV1, dogV2, m)
		if len(m) > 0 && len(carried) == 0 && len(left) == 0 {
			t.Fatalf("Migrate(%v) carried and listed nothing", m)
		}
	})
}
