package api_test

import (
	"bufio"
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"

	"rathaus/api"
)

// schemaProperties returns the property names of a schema under
// components/schemas in openapi.yaml. A line scan is enough for the
// document's fixed layout (schemas at four spaces, their properties at
// eight).
func schemaProperties(t *testing.T, name string) []string {
	t.Helper()
	var props []string
	in, inProps := false, false
	sc := bufio.NewScanner(bytes.NewReader(api.OpenAPI))
	for sc.Scan() {
		line := sc.Text()
		indent := len(line) - len(strings.TrimLeft(line, " "))
		switch {
		case indent == 4 && strings.HasSuffix(line, ":"):
			in = strings.TrimSpace(line) == name+":"
			inProps = false
		case in && indent == 6:
			inProps = strings.TrimSpace(line) == "properties:"
		case in && inProps && indent == 8:
			key, _, _ := strings.Cut(strings.TrimSpace(line), ":")
			props = append(props, key)
		}
	}
	if len(props) == 0 {
		t.Fatalf("openapi.yaml: schema %s has no properties", name)
	}
	return props
}

// jsonNames returns the JSON names of a struct's fields.
func jsonNames(v any) []string {
	var names []string
	rt := reflect.TypeOf(v)
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		names = append(names, name)
	}
	return names
}

// TestFormSchemasMatchTypes holds the form definition's schemas in
// openapi.yaml to the Go types.
func TestFormSchemasMatchTypes(t *testing.T) {
	tests := []struct {
		schema string
		value  any
	}{
		{"Form", api.Form{}},
		{"Step", api.Step{}},
		{"Field", api.Field{}},
		{"Option", api.Option{}},
		{"Condition", api.Condition{}},
	}
	for _, tt := range tests {
		t.Run(tt.schema, func(t *testing.T) {
			got := schemaProperties(t, tt.schema)
			want := jsonNames(tt.value)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("openapi.yaml %s properties = %q, want the JSON names of api.%s %q", tt.schema, got, tt.schema, want)
			}
		})
	}
}

// TestWidgetEnumMatches holds the widget enum in openapi.yaml to
// api.Widgets.
func TestWidgetEnumMatches(t *testing.T) {
	doc := string(api.OpenAPI)
	i := strings.Index(doc, "        widget:\n")
	if i < 0 {
		t.Fatal("openapi.yaml: Field has no widget property")
	}
	rest := doc[i:]
	start := strings.Index(rest, "enum: [")
	end := strings.Index(rest, "]")
	if start < 0 || end < start {
		t.Fatal("openapi.yaml: the widget property has no enum")
	}
	var got []string
	for _, w := range strings.Split(rest[start+len("enum: ["):end], ",") {
		got = append(got, strings.TrimSpace(w))
	}
	var want []string
	for _, w := range api.Widgets {
		want = append(want, string(w))
	}
	if !slices.Equal(got, want) {
		t.Errorf("openapi.yaml widget enum = %q, want api.Widgets %q", got, want)
	}
}
