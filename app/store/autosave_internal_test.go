package store

import (
	"encoding/json"
	"math"
	"testing"

	"rathaus/assets"
)

// TestObject_BytesAsMarshal: a draft's values kept member by member seal
// to the bytes json.Marshal makes of the whole map, also after members
// change, go and come back; for every demo example and for keys and values
// that JSON escapes.
func TestObject_BytesAsMarshal(t *testing.T) {
	odd := map[string]any{
		"<b>&\u2028": "a<b>&c\u2029", "ä": []any{1.5, "ü", nil, map[string]any{"z": true, "a": false}},
		"": 0.0, "\x7f": "\xff", "A": math.Copysign(0, -1), "a": 1e21, "B": json.Number("12"),
	}
	cases := map[string]map[string]any{"odd keys and values": odd, "empty": {}}
	for _, id := range []string{"anmeldung-wohnung", "hundesteuer", "gewerbeanmeldung", "maengelmelder"} {
		v, err := assets.DemoExample(id)
		if err != nil {
			t.Fatal(err)
		}
		cases[id] = v
	}
	for name, values := range cases {
		t.Run(name, func(t *testing.T) {
			var o object
			check := func(when string, m map[string]any) {
				t.Helper()
				want, err := json.Marshal(m)
				if err != nil {
					t.Fatal(err)
				}
				if got := o.bytes(); string(got) != string(want) {
					t.Errorf("%s: bytes\n%s\nwant json.Marshal's\n%s", when, got, want)
				}
			}
			m, orig := map[string]any{}, map[string]any{}
			for k, v := range values {
				b, _ := json.Marshal(v)
				o.set(k, b)
				m[k], orig[k] = v, v
			}
			check("built", m)
			before := o.clone()
			o.set("landlord_name", []byte(`"neu"`))
			m["landlord_name"] = "neu"
			o.remove("email")
			delete(m, "email")
			check("changed", m)
			o = before
			check("the clone of before, after the changes", orig)
			for k := range orig {
				o.remove(k)
			}
			check("all removed from the clone of before", map[string]any{})
		})
	}
}

// TestSameValue_AsMarshal: sameValue says two values are the same exactly
// when their JSON is, including the cases where == and JSON disagree.
func TestSameValue_AsMarshal(t *testing.T) {
	type pair struct {
		name string
		a, b any
	}
	pairs := []pair{
		{"equal strings", "Erika", "Erika"},
		{"different strings", "Erika", "Erik"},
		{"invalid UTF-8 that marshals alike", "a\xff", "a\xfe"},
		{"invalid and its replacement", "a\xff", "a\ufffd"},
		{"equal numbers", 2.0, 2.0},
		{"different numbers", 2.0, 2.5},
		{"zero and minus zero", 0.0, math.Copysign(0, -1)},
		{"int and float of one value", 3, 3.0},
		{"json.Number and float", json.Number("3"), 3.0},
		{"bools", true, false},
		{"nil and nil", nil, nil},
		{"nil and empty string", nil, ""},
		{"nil map and empty map", map[string]any(nil), map[string]any{}},
		{"nil slice and empty slice", []any(nil), []any{}},
		{"maps equal", map[string]any{"a": 1.0, "b": []any{"x"}}, map[string]any{"b": []any{"x"}, "a": 1.0}},
		{"maps with one value apart", map[string]any{"a": 1.0, "b": []any{"x"}}, map[string]any{"a": 1.0, "b": []any{"y"}}},
		{"maps with other keys", map[string]any{"a": 1.0}, map[string]any{"b": 1.0}},
		{"slices of other lengths", []any{1.0}, []any{1.0, 1.0}},
		{"map and typed map", map[string]any{"a": "x"}, map[string]string{"a": "x"}},
		{"string and number", "1", 1.0},
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			x, _ := json.Marshal(p.a)
			y, _ := json.Marshal(p.b)
			want := string(x) == string(y)
			if got := sameValue(p.a, p.b); got != want {
				t.Errorf("sameValue(%#v, %#v) = %v, want %v (%s vs %s)", p.a, p.b, got, want, x, y)
			}
			if got := sameValue(p.b, p.a); got != want {
				t.Errorf("sameValue(%#v, %#v) = %v, want %v", p.b, p.a, got, want)
			}
		})
	}
}

// TestCopyValue_SharesNothing: what the store remembers does not change
// when the screen changes its values in place.
func TestCopyValue_SharesNothing(t *testing.T) {
	v := map[string]any{"person": map[string]any{"name": "Erika", "kids": []any{map[string]any{"name": "Jan"}}}}
	c := copyValue(v)
	v["person"].(map[string]any)["name"] = "Max"
	v["person"].(map[string]any)["kids"].([]any)[0].(map[string]any)["name"] = "Tom"
	want := `{"person":{"kids":[{"name":"Jan"}],"name":"Erika"}}`
	if got, _ := json.Marshal(c); string(got) != want {
		t.Errorf("copy after the original changed = %s, want %s", got, want)
	}
}
