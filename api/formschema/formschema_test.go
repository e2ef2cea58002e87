package formschema_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"rathaus/api"
	"rathaus/api/formschema"
)

// minimalDef returns a small valid definition as a generic JSON object, so
// that each test can break exactly one thing in it.
func minimalDef() map[string]any {
	return map[string]any{
		"id":      "test-form",
		"version": 1,
		"title":   map[string]any{"de": "Testformular", "en": "Test form"},
		"schema": map[string]any{
			"type": "object",
			"properties": map[string]any{
				"name": map[string]any{"type": "string", "minLength": 1},
				"kind": map[string]any{"type": "string", "enum": []any{"a", "b"}},
			},
			"required":             []any{"name"},
			"additionalProperties": false,
		},
		"steps": []any{
			map[string]any{
				"id":    "one",
				"title": map[string]any{"de": "Eins", "en": "One"},
				"fields": []any{
					map[string]any{"key": "name", "widget": "text", "label": map[string]any{"de": "Name", "en": "Name"}},
					map[string]any{"key": "kind", "widget": "choice", "label": map[string]any{"de": "Art", "en": "Kind"},
						"options": []any{
							map[string]any{"value": "a", "label": map[string]any{"de": "A"}},
							map[string]any{"value": "b", "label": map[string]any{"de": "B"}},
						}},
					map[string]any{"widget": "info", "label": map[string]any{"de": "Hinweis", "en": "Note"}},
				},
			},
		},
	}
}

// encode marshals a definition built in a test.
func encode(t testing.TB, def map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(def)
	if err != nil {
		t.Fatalf("json.Marshal(definition) error = %v, want nil", err)
	}
	return b
}

// mustParse parses a definition that the test expects to be valid.
func mustParse(t testing.TB, data []byte) *formschema.Form {
	t.Helper()
	f, err := formschema.Parse(data)
	if err != nil {
		t.Fatalf("Parse() error = %v, want nil", err)
	}
	if f == nil {
		t.Fatal("Parse() returned a nil form and no error")
	}
	return f
}

// fields returns the definition's fields of its first step, for editing.
func fields(def map[string]any) []any {
	return def["steps"].([]any)[0].(map[string]any)["fields"].([]any)
}

func setFields(def map[string]any, fs []any) {
	def["steps"].([]any)[0].(map[string]any)["fields"] = fs
}

func field(def map[string]any, i int) map[string]any {
	return fields(def)[i].(map[string]any)
}

func props(def map[string]any) map[string]any {
	return def["schema"].(map[string]any)["properties"].(map[string]any)
}

func TestParseMinimal(t *testing.T) {
	f := mustParse(t, encode(t, minimalDef()))

	if got, want := f.Def.ID, "test-form"; got != want {
		t.Errorf("Def.ID = %q, want %q", got, want)
	}
	if got, want := f.Def.Ref(), (api.FormRef{ID: "test-form", Version: 1}); got != want {
		t.Errorf("Def.Ref() = %v, want %v", got, want)
	}
	if got, want := len(f.Def.Steps), 1; got != want {
		t.Fatalf("len(Def.Steps) = %d, want %d", got, want)
	}
	fd := f.Field("/name")
	if fd == nil {
		t.Fatal(`Field("/name") = nil, want the name field`)
	}
	if got, want := fd.Widget, api.WidgetText; got != want {
		t.Errorf(`Field("/name").Widget = %q, want %q`, got, want)
	}
	if got, want := fd.Label.In("en"), "Name"; got != want {
		t.Errorf(`Field("/name").Label.In("en") = %q, want %q`, got, want)
	}
	if got := f.Field("/kind"); got == nil || got.Widget != api.WidgetChoice {
		t.Errorf(`Field("/kind") = %v, want the choice field`, got)
	}
	for _, p := range []string{"", "/nope", "name", "/Name"} {
		if got := f.Field(p); got != nil {
			t.Errorf("Field(%q) = %v, want nil", p, got)
		}
	}
	if errs := f.Validate(map[string]any{"name": "Erika", "kind": "a"}); len(errs) != 0 {
		t.Errorf("Validate(valid data) = %v, want no errors", errs)
	}
	errs := f.Validate(map[string]any{})
	if len(errs) != 1 || errs[0].Pointer != "/name" || errs[0].Code != "required" {
		t.Errorf("Validate({}) = %v, want one required error at /name", errs)
	}
}

func TestCompileMatchesParse(t *testing.T) {
	var def api.Form
	if err := json.Unmarshal(encode(t, minimalDef()), &def); err != nil {
		t.Fatalf("json.Unmarshal(definition) error = %v, want nil", err)
	}
	f, err := formschema.Compile(&def)
	if err != nil {
		t.Fatalf("Compile() error = %v, want nil", err)
	}
	if f.Def != &def {
		t.Errorf("Compile().Def = %p, want the definition passed in (%p)", f.Def, &def)
	}
	if got := f.Field("/name"); got == nil {
		t.Error(`Compile(): Field("/name") = nil, want the name field`)
	}

	def.Version = 0
	_, err = formschema.Compile(&def)
	var de *formschema.DefinitionError
	if !errors.As(err, &de) {
		t.Fatalf("Compile(version 0) error = %v (%T), want *formschema.DefinitionError", err, err)
	}
	if got, want := de.Form, "test-form"; got != want {
		t.Errorf("DefinitionError.Form = %q, want %q", got, want)
	}
}

// refusedRefServer serves a valid sub-schema and counts requests, so that a
// test can prove that the compiler never fetched it.
func refusedRefServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/schema+json")
		_, _ = w.Write([]byte(`{"type": "string"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestParseDefinitionErrors(t *testing.T) {
	// A schema file that would resolve if the compiler read files.
	dir := t.TempDir()
	schemaFile := filepath.Join(dir, "string.json")
	if err := os.WriteFile(schemaFile, []byte(`{"type": "string"}`), 0o600); err != nil {
		t.Fatalf("WriteFile() error = %v, want nil", err)
	}
	fileURL := "file://" + filepath.ToSlash(schemaFile)
	srv, hits := refusedRefServer(t)

	mod := func(f func(def map[string]any)) []byte {
		def := minimalDef()
		f(def)
		return encode(t, def)
	}
	valid := encode(t, minimalDef())

	tests := []struct {
		name string
		data []byte
		want []string // substrings, each of which some problem must contain
	}{
		{
			name: "invalid UTF-8",
			data: []byte(strings.Replace(string(valid), "Testformular", "Test\xffformular", 1)),
			want: []string{"UTF-8"},
		},
		{
			name: "not JSON",
			data: []byte(`{"id": "test-form", "version": 1,`),
			want: []string{"not a form definition"},
		},
		{
			name: "JSON but not an object",
			data: []byte(`["test-form"]`),
			want: []string{"not a form definition"},
		},
		{
			name: "unknown top-level field",
			data: mod(func(d map[string]any) { d["colour"] = "red" }),
			want: []string{"not a form definition", `"colour"`},
		},
		{
			name: "id with upper case and underscore",
			data: mod(func(d map[string]any) { d["id"] = "Test_Form" }),
			want: []string{`id "Test_Form"`},
		},
		{
			name: "empty id",
			data: mod(func(d map[string]any) { delete(d, "id") }),
			want: []string{`id ""`},
		},
		{
			name: "id starting with a dash",
			data: mod(func(d map[string]any) { d["id"] = "-form" }),
			want: []string{`id "-form"`},
		},
		{
			name: "id longer than 64 characters",
			data: mod(func(d map[string]any) { d["id"] = strings.Repeat("a", 65) }),
			want: []string{"id \"" + strings.Repeat("a", 65) + "\""},
		},
		{
			name: "version 0",
			data: mod(func(d map[string]any) { d["version"] = 0 }),
			want: []string{"version must be 1 or more, is 0"},
		},
		{
			name: "negative version",
			data: mod(func(d map[string]any) { d["version"] = -3 }),
			want: []string{"version must be 1 or more, is -3"},
		},
		{
			name: "missing title",
			data: mod(func(d map[string]any) { delete(d, "title") }),
			want: []string{"title is missing"},
		},
		{
			name: "title with empty texts",
			data: mod(func(d map[string]any) { d["title"] = map[string]any{"de": "", "en": ""} }),
			want: []string{"title is missing"},
		},
		{
			name: "schema missing",
			data: mod(func(d map[string]any) { delete(d, "schema") }),
			want: []string{"schema: missing"},
		},
		{
			name: "schema is a string",
			data: mod(func(d map[string]any) { d["schema"] = "object" }),
			want: []string{"schema: ", "top level must be"},
		},
		{
			name: "schema is an array",
			data: mod(func(d map[string]any) { d["schema"] = []any{} }),
			want: []string{"schema: ", "top level must be"},
		},
		{
			name: "schema top-level type array",
			data: mod(func(d map[string]any) { d["schema"].(map[string]any)["type"] = "array" }),
			want: []string{"schema: ", "top level must be"},
		},
		{
			name: "schema without top-level type",
			data: mod(func(d map[string]any) { delete(d["schema"].(map[string]any), "type") }),
			want: []string{"schema: ", "top level must be"},
		},
		{
			name: "schema keyword with an invalid value",
			data: mod(func(d map[string]any) { props(d)["name"].(map[string]any)["minLength"] = -1 }),
			want: []string{"schema: ", "minLength"},
		},
		{
			name: "schema with an unknown type name",
			data: mod(func(d map[string]any) { props(d)["name"].(map[string]any)["type"] = "strin" }),
			want: []string{"schema: ", "/properties/name/type"},
		},
		{
			name: "schema with an invalid pattern",
			data: mod(func(d map[string]any) { props(d)["name"].(map[string]any)["pattern"] = "([a-z" }),
			want: []string{"schema: ", "not valid regex"},
		},
		{
			name: "external $ref to a file URL",
			data: mod(func(d map[string]any) { props(d)["name"] = map[string]any{"$ref": fileURL} }),
			want: []string{"schema: ", "external reference", "string.json is not allowed"},
		},
		{
			name: "external $ref to an http URL",
			data: mod(func(d map[string]any) { props(d)["name"] = map[string]any{"$ref": srv.URL + "/string.json"} }),
			want: []string{"schema: ", "external reference", "string.json is not allowed"},
		},
		{
			name: "$schema naming an external meta-schema",
			data: mod(func(d map[string]any) { d["schema"].(map[string]any)["$schema"] = srv.URL + "/meta.json" }),
			want: []string{"schema: ", "external reference", "meta.json is not allowed"},
		},
		{
			name: "no steps",
			data: mod(func(d map[string]any) { d["steps"] = []any{} }),
			want: []string{"no steps"},
		},
		{
			name: "steps missing",
			data: mod(func(d map[string]any) { delete(d, "steps") }),
			want: []string{"no steps"},
		},
		{
			name: "duplicate step id",
			data: mod(func(d map[string]any) {
				d["steps"] = append(d["steps"].([]any), map[string]any{"id": "one", "title": map[string]any{"de": "Zwei"}, "fields": []any{}})
			}),
			want: []string{`step 2: id "one" is empty or used twice`},
		},
		{
			name: "empty step id",
			data: mod(func(d map[string]any) { d["steps"].([]any)[0].(map[string]any)["id"] = "" }),
			want: []string{`step 1: id "" is empty or used twice`},
		},
		{
			name: "unknown widget",
			data: mod(func(d map[string]any) { field(d, 0)["widget"] = "slider" }),
			want: []string{`step "one" field 1: unknown widget "slider"`},
		},
		{
			name: "missing widget",
			data: mod(func(d map[string]any) { delete(field(d, 0), "widget") }),
			want: []string{`step "one" field 1: unknown widget ""`},
		},
		{
			name: "missing key",
			data: mod(func(d map[string]any) { delete(field(d, 0), "key") }),
			want: []string{`step "one" field 1: key is missing`},
		},
		{
			name: "key not in schema properties",
			data: mod(func(d map[string]any) { field(d, 0)["key"] = "nope" }),
			want: []string{`step "one" field 1: key "nope" is not a property of the schema`},
		},
		{
			name: "key placed twice",
			data: mod(func(d map[string]any) {
				setFields(d, append(fields(d), map[string]any{"key": "name", "widget": "textarea", "label": map[string]any{"de": "Nochmal"}}))
			}),
			want: []string{`step "one" field 4: key "name" is placed twice`},
		},
		{
			name: "key placed twice on different steps",
			data: mod(func(d map[string]any) {
				d["steps"] = append(d["steps"].([]any), map[string]any{"id": "two", "title": map[string]any{"de": "Zwei"},
					"fields": []any{map[string]any{"key": "name", "widget": "text", "label": map[string]any{"de": "Name"}}}})
			}),
			want: []string{`step "two" field 1: key "name" is placed twice`},
		},
		{
			name: "missing label",
			data: mod(func(d map[string]any) { delete(field(d, 0), "label") }),
			want: []string{`step "one" field 1: label is missing`},
		},
		{
			name: "choice without enum",
			data: mod(func(d map[string]any) { delete(props(d)["kind"].(map[string]any), "enum") }),
			want: []string{`choice "kind" needs an enum`},
		},
		{
			name: "option value not in enum",
			data: mod(func(d map[string]any) {
				field(d, 1)["options"] = append(field(d, 1)["options"].([]any), map[string]any{"value": "c", "label": map[string]any{"de": "C"}})
			}),
			want: []string{`step "one" field 2 (/kind): option "c" is not in the schema's enum`},
		},
		{
			name: "info without label",
			data: mod(func(d map[string]any) { delete(field(d, 2), "label") }),
			want: []string{`step "one" field 3: info text is empty`},
		},
		{
			name: "several problems at once",
			data: mod(func(d map[string]any) {
				d["id"] = "Bad Id"
				d["version"] = 0
				delete(d, "title")
				field(d, 0)["key"] = "nope"
				delete(field(d, 2), "label")
			}),
			want: []string{
				`id "Bad Id"`,
				"version must be 1 or more",
				"title is missing",
				`key "nope" is not a property of the schema`,
				"info text is empty",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := formschema.Parse(tt.data)
			if f != nil {
				t.Errorf("Parse() form = %v, want nil", f.Def)
			}
			var de *formschema.DefinitionError
			if !errors.As(err, &de) {
				t.Fatalf("Parse() error = %v (%T), want *formschema.DefinitionError", err, err)
			}
			for _, w := range tt.want {
				if !anyContains(de.Problems, w) {
					t.Errorf("Problems = %q, want one containing %q", de.Problems, w)
				}
			}
			if !strings.Contains(err.Error(), de.Problems[0]) {
				t.Errorf("Error() = %q, want it to contain the first problem %q", err.Error(), de.Problems[0])
			}
		})
	}
	if got := hits.Load(); got != 0 {
		t.Errorf("the schema server got %d requests, want 0: external references must not be fetched", got)
	}
}

func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func TestDefinitionErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  *formschema.DefinitionError
		want string
	}{
		{"with id", &formschema.DefinitionError{Form: "hundesteuer", Problems: []string{"a", "b"}}, "form hundesteuer: a; b"},
		{"without id", &formschema.DefinitionError{Problems: []string{"not valid UTF-8"}}, "form (no id): not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseReportsEveryProblemOnce(t *testing.T) {
	def := minimalDef()
	def["version"] = 0
	field(def, 0)["widget"] = "slider"
	delete(field(def, 1), "label")
	_, err := formschema.Parse(encode(t, def))
	var de *formschema.DefinitionError
	if !errors.As(err, &de) {
		t.Fatalf("Parse() error = %v (%T), want *formschema.DefinitionError", err, err)
	}
	if got, want := len(de.Problems), 3; got != want {
		t.Errorf("len(Problems) = %d (%q), want %d", got, de.Problems, want)
	}
}

// TestParseRejectsTrailingData: a definition file holding more than one JSON
// value is not one definition.
func TestParseRejectsTrailingData(t *testing.T) {
	data := append(encode(t, minimalDef()), []byte(` {"id": "other"}`)...)
	f, err := formschema.Parse(data)
	var de *formschema.DefinitionError
	if f != nil || !errors.As(err, &de) {
		t.Errorf("Parse(definition + trailing value) = (form returned: %v), %v; want no form, *DefinitionError", f != nil, err)
	}
}

func TestRequired(t *testing.T) {
	def := minimalDef()
	props(def)["extra"] = map[string]any{"type": "boolean"}
	def["schema"].(map[string]any)["required"] = []any{"name", "extra"}
	setFields(def, append(fields(def), map[string]any{"key": "extra", "widget": "boolean", "label": map[string]any{"de": "Extra"}}))
	f := mustParse(t, encode(t, def))

	tests := []struct {
		pointer string
		want    bool
	}{
		{"/name", true},
		{"/kind", false},
		{"/extra", true},
	}
	for _, tt := range tests {
		t.Run(tt.pointer, func(t *testing.T) {
			fd := f.Field(tt.pointer)
			if fd == nil {
				t.Fatalf("Field(%q) = nil, want a field", tt.pointer)
			}
			if got := f.Required(fd); got != tt.want {
				t.Errorf("Required(%s) = %v, want %v", tt.pointer, got, tt.want)
			}
		})
	}
	info := &f.Def.Steps[0].Fields[2]
	if info.Widget != api.WidgetInfo {
		t.Fatalf("field 3 widget = %q, want %q", info.Widget, api.WidgetInfo)
	}
	if f.Required(info) {
		t.Error("Required(info field) = true, want false")
	}
}

// TestSchemaErrorAloneIsReported: a schema that fails to compile for a
// reason unrelated to the layout must not make Compile also claim that the
// layout's choice fields lack the enum they do have.
func TestSchemaErrorAloneIsReported(t *testing.T) {
	def := minimalDef()
	props(def)["name"].(map[string]any)["minLength"] = -1
	_, err := formschema.Parse(encode(t, def))
	var de *formschema.DefinitionError
	if !errors.As(err, &de) {
		t.Fatalf("Parse() error = %v (%T), want *formschema.DefinitionError", err, err)
	}
	if got, want := len(de.Problems), 1; got != want {
		t.Errorf("Problems = %q (%d), want %d problem about the schema only", de.Problems, got, want)
	}
}
