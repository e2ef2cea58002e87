package formschema_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"rathaus/api"
	"rathaus/api/formschema"
)

// holdsData is the data the Holds cases test; it is decoded in several
// ways, since the app, the backend and Go code hold numbers differently.
const holdsData = `{
  "n": 1, "zero": 0, "f": 1.5, "s": "a", "b": true, "bf": false, "e": "",
  "arr": [1, "x"], "empty_arr": [], "obj": {"k": 1}, "empty_obj": {}, "null": null,
  "a/b": "slash", "grp": {"x": "y", "inner": {"z": 2}},
  "items": [{"kind": "other", "c": 2}, {"kind": "x"}]
}`

// holdsVariants decodes holdsData as encoding/json does (float64), with
// UseNumber (json.Number, as the backend does) and as Go code might build
// it (int, int64, float32).
func holdsVariants(t *testing.T) map[string]map[string]any {
	t.Helper()
	plain := decode(holdsData)
	var numbers map[string]any
	dec := json.NewDecoder(bytes.NewReader([]byte(holdsData)))
	dec.UseNumber()
	if err := dec.Decode(&numbers); err != nil {
		t.Fatalf("decoding with UseNumber: %v", err)
	}
	typed := decode(holdsData)
	typed["n"] = 1
	typed["zero"] = int64(0)
	typed["f"] = float32(1.5)
	typed["arr"] = []any{int8(1), "x"}
	typed["obj"] = map[string]int{"k": 1}
	typed["grp"].(map[string]any)["inner"] = map[string]any{"z": uint(2)}
	typed["items"].([]any)[0].(map[string]any)["c"] = int32(2)
	return map[string]map[string]any{"float64": plain, "json.Number": numbers, "Go types": typed}
}

func TestHolds(t *testing.T) {
	eq := func(field string, v any) *api.Condition { return &api.Condition{Field: field, Equals: v} }
	in := func(field string, v ...any) *api.Condition { return &api.Condition{Field: field, In: v} }
	ne := func(field string) *api.Condition { return &api.Condition{Field: field, NotEmpty: true} }
	tests := []struct {
		name string
		c    *api.Condition
		base string
		want bool
	}{
		{"nil holds", nil, "", true},
		{"int equals", eq("/n", 1), "", true},
		{"float equals int", eq("/n", 1.0), "", true},
		{"json.Number equals int", eq("/n", json.Number("1")), "", true},
		{"json.Number 1.00 equals int", eq("/n", json.Number("1.00")), "", true},
		{"text 1 is not the number 1", eq("/n", "1"), "", false},
		{"other number", eq("/n", 2), "", false},
		{"fraction", eq("/f", 1.5), "", true},
		{"fraction as json.Number", eq("/f", json.Number("1.5")), "", true},
		{"zero equals zero", eq("/zero", 0), "", true},
		{"false is not zero", eq("/bf", 0), "", false},
		{"string", eq("/s", "a"), "", true},
		{"string is case sensitive", eq("/s", "A"), "", false},
		{"true", eq("/b", true), "", true},
		{"false equals false", eq("/bf", false), "", true},
		{"missing value equals nothing", eq("/missing", "a"), "", false},
		{"missing value equals no false", eq("/missing", false), "", false},
		{"list equals list", eq("/arr", []any{1.0, "x"}), "", true},
		{"list of json.Number", eq("/arr", []any{json.Number("1"), "x"}), "", true},
		{"list in another order", eq("/arr", []any{"x", 1}), "", false},
		{"list and a shorter list", eq("/arr", []any{1}), "", false},
		{"object equals object", eq("/obj", map[string]any{"k": 1}), "", true},
		{"object with another value", eq("/obj", map[string]any{"k": 2}), "", false},
		{"object with another key", eq("/obj", map[string]any{"j": 1}), "", false},
		{"in holds", in("/n", "x", 1), "", true},
		{"in with json.Number", in("/n", json.Number("1.0")), "", true},
		{"in misses", in("/n", 2, 3), "", false},
		{"in on missing", in("/missing", "a"), "", false},
		{"not empty: string", ne("/s"), "", true},
		{"not empty: empty string", ne("/e"), "", false},
		{"not empty: true", ne("/b"), "", true},
		{"not empty: false", ne("/bf"), "", false},
		{"not empty: zero is a value", ne("/zero"), "", true},
		{"not empty: list", ne("/arr"), "", true},
		{"not empty: empty list", ne("/empty_arr"), "", false},
		{"not empty: object", ne("/obj"), "", true},
		{"not empty: empty object", ne("/empty_obj"), "", false},
		{"not empty: null", ne("/null"), "", false},
		{"not empty: missing", ne("/missing"), "", false},
		{"escaped slash", eq("/a~1b", "slash"), "", true},
		{"into a list", eq("/arr/1", "x"), "", true},
		{"past the end of a list", ne("/arr/5"), "", false},
		{"relative in a group", eq("x", "y"), "/grp", true},
		{"relative at the root", eq("x", "y"), "", false},
		{"relative into a nested group", eq("inner/z", 2), "/grp", true},
		{"relative in the first item", eq("kind", "other"), "/items/0", true},
		{"relative in the second item", eq("kind", "other"), "/items/1", false},
		{"relative number in an item", eq("c", 2.0), "/items/0", true},
		{"absolute from inside an item", eq("/s", "a"), "/items/1", true},
		{"all hold", &api.Condition{All: []*api.Condition{eq("/s", "a"), eq("/n", 1)}}, "", true},
		{"all: one fails", &api.Condition{All: []*api.Condition{eq("/s", "a"), eq("/n", 2)}}, "", false},
		{"all of none", &api.Condition{All: []*api.Condition{}}, "", true},
		{"any: one holds", &api.Condition{Any: []*api.Condition{eq("/s", "b"), eq("/n", 1)}}, "", true},
		{"any: none holds", &api.Condition{Any: []*api.Condition{eq("/s", "b"), eq("/n", 2)}}, "", false},
		{"any of none", &api.Condition{Any: []*api.Condition{}}, "", false},
		{"any inside all, relative", &api.Condition{All: []*api.Condition{
			eq("kind", "other"),
			{Any: []*api.Condition{eq("/b", false), in("c", 2)}},
		}}, "/items/0", true},
		{"nil inside all holds", &api.Condition{All: []*api.Condition{nil, eq("/b", true)}}, "", true},
	}
	for variant, data := range holdsVariants(t) {
		for _, tt := range tests {
			t.Run(variant+"/"+tt.name, func(t *testing.T) {
				if got := formschema.Holds(tt.c, data, tt.base); got != tt.want {
					t.Errorf("Holds(%+v, base %q) = %v, want %v", tt.c, tt.base, got, tt.want)
				}
			})
		}
	}
}

// condFormJSON has conditions of every kind: on a field, a cascade (a
// field shown by a field that is itself conditional, in both orders), a
// conditional group with a relative condition inside, a repeat with a
// relative condition in its items, and a conditional step.
const condFormJSON = `{
  "id": "conditions",
  "version": 1,
  "title": {"de": "Bedingungen"},
  "schema": {
    "type": "object",
    "properties": {
      "early": {"type": "string", "maxLength": 10},
      "mode": {"type": "string", "enum": ["a", "b"]},
      "detail": {"type": "string", "maxLength": 10},
      "more": {"type": "string", "maxLength": 10},
      "late": {"type": "string", "maxLength": 10},
      "g": {"type": "object", "properties": {"y": {"type": "string"}, "z": {"type": "string"}}},
      "items": {"type": "array", "items": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["x", "other"]}, "other": {"type": "string"}}}},
      "x": {"type": "string"}
    }
  },
  "steps": [
    {"id": "one", "title": {"de": "Eins"}, "fields": [
      {"key": "early", "widget": "text", "label": {"de": "Früh"}, "showWhen": {"field": "/late", "notEmpty": true}},
      {"key": "mode", "widget": "choice", "label": {"de": "Modus"}, "options": [{"value": "a", "label": {"de": "A"}}, {"value": "b", "label": {"de": "B"}}]},
      {"key": "detail", "widget": "text", "label": {"de": "Detail"}, "showWhen": {"field": "/mode", "equals": "b"}},
      {"key": "more", "widget": "text", "label": {"de": "Mehr"}, "showWhen": {"field": "/detail", "notEmpty": true}},
      {"key": "late", "widget": "text", "label": {"de": "Spät"}, "showWhen": {"field": "/mode", "equals": "b"}},
      {"key": "g", "widget": "group", "label": {"de": "Gruppe"}, "showWhen": {"field": "mode", "in": ["b"]}, "fields": [
        {"key": "y", "widget": "text", "label": {"de": "Y"}},
        {"key": "z", "widget": "text", "label": {"de": "Z"}, "showWhen": {"field": "y", "notEmpty": true}}
      ]},
      {"key": "items", "widget": "repeat", "label": {"de": "Einträge"}, "fields": [
        {"key": "kind", "widget": "choice", "label": {"de": "Art"}, "options": [{"value": "x", "label": {"de": "X"}}, {"value": "other", "label": {"de": "Andere"}}]},
        {"key": "other", "widget": "text", "label": {"de": "Welche"}, "showWhen": {"field": "kind", "equals": "other"}}
      ]}
    ]},
    {"id": "two", "title": {"de": "Zwei"}, "showWhen": {"field": "/mode", "equals": "a"}, "fields": [
      {"key": "x", "widget": "text", "label": {"de": "X"}}
    ]}
  ]
}`

// fullCond has a value for every field of condFormJSON.
func fullCond(mode string) map[string]any {
	return decode(`{
	  "early": "e", "mode": "` + mode + `", "detail": "d", "more": "m", "late": "l",
	  "g": {"y": "y", "z": "z"},
	  "items": [{"kind": "x", "other": "o0"}, {"kind": "other", "other": "o1"}],
	  "x": "x", "unknown": 1
	}`)
}

func TestPrune(t *testing.T) {
	f := mustParse(t, []byte(condFormJSON))
	tests := []struct {
		name string
		data map[string]any
		want map[string]any
	}{
		{
			name: "mode a hides the b fields and their cascade, shows step two",
			data: fullCond("a"),
			want: decode(`{"mode": "a", "items": [{"kind": "x"}, {"kind": "other", "other": "o1"}], "x": "x", "unknown": 1}`),
		},
		{
			name: "mode b hides step two",
			data: fullCond("b"),
			want: decode(`{"early": "e", "mode": "b", "detail": "d", "more": "m", "late": "l", "g": {"y": "y", "z": "z"},
			  "items": [{"kind": "x"}, {"kind": "other", "other": "o1"}], "unknown": 1}`),
		},
		{
			name: "an empty value hides what depends on it, inside a group too",
			data: func() map[string]any {
				d := fullCond("b")
				d["detail"] = ""
				d["late"] = ""
				d["g"].(map[string]any)["y"] = ""
				return d
			}(),
			want: decode(`{"mode": "b", "detail": "", "late": "", "g": {"y": ""},
			  "items": [{"kind": "x"}, {"kind": "other", "other": "o1"}], "unknown": 1}`),
		},
		{
			name: "no mode: every condition on it fails",
			data: decode(`{"detail": "d", "x": "x", "g": {"y": "y"}}`),
			want: map[string]any{},
		},
		{
			name: "values of the wrong type are kept as they are",
			data: decode(`{"mode": "b", "g": "text", "items": {"kind": "other"}}`),
			want: decode(`{"mode": "b", "g": "text", "items": {"kind": "other"}}`),
		},
		{
			name: "an item that is no object stays",
			data: decode(`{"mode": "a", "items": ["x", {"kind": "x", "other": "o"}]}`),
			want: decode(`{"mode": "a", "items": ["x", {"kind": "x"}]}`),
		},
		{
			name: "empty data",
			data: map[string]any{},
			want: map[string]any{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := deepClone(tt.data)
			got := f.Prune(tt.data)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Prune() = %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(tt.data, before) {
				t.Errorf("Prune() changed its argument to %v, want it as it was: %v", tt.data, before)
			}
		})
	}
	if got := f.Prune(nil); got != nil {
		t.Errorf("Prune(nil) = %v, want nil", got)
	}
}

// TestPruneCopiesDeeply: the result shares no map or slice with the data.
func TestPruneCopiesDeeply(t *testing.T) {
	f := mustParse(t, []byte(condFormJSON))
	data := fullCond("b")
	got := f.Prune(data)
	got["g"].(map[string]any)["y"] = "changed"
	got["items"].([]any)[1].(map[string]any)["kind"] = "changed"
	got["items"].([]any)[0] = "changed"
	if data["g"].(map[string]any)["y"] != "y" || data["items"].([]any)[1].(map[string]any)["kind"] != "other" ||
		data["items"].([]any)[0].(map[string]any)["kind"] != "x" {
		t.Errorf("changing Prune's result changed the data: %v", data)
	}
}

func deepClone(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return decode(string(b))
}

func TestFieldShown(t *testing.T) {
	f := mustParse(t, []byte(condFormJSON))
	a, b := fullCond("a"), fullCond("b")
	emptyDetail := fullCond("b")
	emptyDetail["detail"] = ""
	tests := []struct {
		name    string
		pointer string
		data    map[string]any
		want    bool
	}{
		{"unconditional", "/mode", a, true},
		{"condition holds", "/detail", b, true},
		{"condition fails", "/detail", a, false},
		{"cascade: shown", "/more", b, true},
		{"cascade: the field it depends on is hidden", "/more", a, false},
		{"cascade: the field it depends on is empty", "/more", emptyDetail, false},
		{"cascade backwards: shown", "/early", b, true},
		{"cascade backwards: hidden", "/early", a, false},
		{"group hidden hides its children", "/g/y", a, false},
		{"group shown", "/g/y", b, true},
		{"relative condition in a group", "/g/z", b, true},
		{"item with kind other", "/items/1/other", a, true},
		{"item with kind x", "/items/0/other", a, false},
		{"item without condition", "/items/0/kind", a, true},
		{"item pointer: the repeat", "/items/0", a, true},
		{"item past the data", "/items/5/other", a, false},
		{"field of a shown step", "/x", a, true},
		{"field of a hidden step", "/x", b, false},
		{"unknown field", "/unknown", a, false},
		{"root", "", a, false},
		{"no pointer", "mode", a, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := f.FieldShown(tt.pointer, tt.data); got != tt.want {
				t.Errorf("FieldShown(%q) = %v, want %v", tt.pointer, got, tt.want)
			}
		})
	}
}

func TestStepShown(t *testing.T) {
	f := mustParse(t, []byte(condFormJSON))
	tests := []struct {
		name string
		step int
		data map[string]any
		want bool
	}{
		{"unconditional step", 0, fullCond("b"), true},
		{"condition holds", 1, fullCond("a"), true},
		{"condition fails", 1, fullCond("b"), false},
		{"no data", 1, nil, false},
		{"before the first", -1, fullCond("a"), false},
		{"after the last", 2, fullCond("a"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := f.StepShown(tt.step, tt.data); got != tt.want {
				t.Errorf("StepShown(%d) = %v, want %v", tt.step, got, tt.want)
			}
		})
	}
}

// TestValidatePruned: the app validates what it sends. A value of a hidden
// field breaking its rules does not count then; the same value counts when
// the draft is validated as it is.
func TestValidatePruned(t *testing.T) {
	f := mustParse(t, []byte(condFormJSON))
	data := fullCond("a")
	data["detail"] = "far too long for ten"
	if errs := f.Validate(f.Prune(data)); len(errs) != 0 {
		t.Errorf("Validate(Prune(data)) = %+v, want no errors (detail is hidden)", errs)
	}
	errs := f.Validate(data)
	if len(errs) != 1 || errs[0].Pointer != "/detail" || errs[0].Code != "maxLength" {
		t.Errorf("Validate(data) = %+v, want one maxLength error at /detail", errs)
	}
}

// TestVisibleAnswersForItsData: a Visible answers for the data it was
// made of, whatever happens to that data afterwards (the app makes one per
// change and asks it about every field), and its Data is Prune's.
func TestVisibleAnswersForItsData(t *testing.T) {
	f := mustParse(t, []byte(condFormJSON))
	data := fullCond("b")
	v := f.Visible(data)
	data["mode"] = "a"
	if !v.FieldShown("/detail") || !v.StepShown(0) || v.StepShown(1) {
		t.Errorf("after the data changed: detail shown %v, steps %v %v; want the answers for mode b: true, true, false",
			v.FieldShown("/detail"), v.StepShown(0), v.StepShown(1))
	}
	if got, want := v.Data(), f.Prune(fullCond("b")); !reflect.DeepEqual(got, want) {
		t.Errorf("Data() = %v, want Prune's %v", got, want)
	}
	if w := f.Visible(data); w.FieldShown("/detail") || !w.StepShown(1) {
		t.Error("a Visible made after the change answers for the old data")
	}
}
