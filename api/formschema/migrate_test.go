package formschema_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/api/formschema"
)

// nextVersion is nestedFormJSON's next version: iban removed, the amount
// bounded at 10, topic c withdrawn, the contact group renamed to reach,
// the school of a child removed, children at most 5 years old.
func nextVersion(t testing.TB) *formschema.Form {
	t.Helper()
	d := nestedDef()
	d["version"] = 2
	s := d["schema"].(map[string]any)
	delete(s["properties"].(map[string]any), "iban")
	one := d["steps"].([]any)[0].(map[string]any)
	fs := one["fields"].([]any)
	one["fields"] = append(fs[:2:2], fs[3:]...)
	prop(d, "amount")["maximum"] = 10
	prop(d, "topics")["items"].(map[string]any)["enum"] = []any{"a", "b"}
	topics := fieldIn(d, 0, 1)
	topics["options"] = topics["options"].([]any)[:2]
	ap := prop(d, "applicant")["properties"].(map[string]any)
	ap["reach"] = ap["contact"]
	delete(ap, "contact")
	fieldIn(d, 0, 3, 1)["key"] = "reach"
	items := prop(d, "kids")["items"].(map[string]any)
	delete(items["properties"].(map[string]any), "school")
	delete(items, "if")
	delete(items, "then")
	items["properties"].(map[string]any)["age"].(map[string]any)["maximum"] = 5
	kids := fieldIn(d, 1, 0)
	kids["fields"] = kids["fields"].([]any)[:3]
	return mustParse(t, encode(t, d))
}

// retyped is nestedFormJSON with home as a line of text and iban as a
// group: values of the old shape cannot fit.
func retyped(t testing.TB) *formschema.Form {
	t.Helper()
	d := nestedDef()
	d["version"] = 3
	p := d["schema"].(map[string]any)["properties"].(map[string]any)
	p["home"] = map[string]any{"type": "string", "maxLength": 200}
	p["iban"] = map[string]any{"type": "object", "properties": map[string]any{"number": map[string]any{"type": "string", "format": "iban"}}}
	home := fieldIn(d, 0, 3)
	home["widget"] = "text"
	iban := fieldIn(d, 0, 2)
	iban["widget"] = "group"
	iban["fields"] = []any{map[string]any{"key": "number", "widget": "iban", "label": map[string]any{"de": "IBAN"}}}
	return mustParse(t, encode(t, d))
}

// left is the part of a Leftover a case expects.
type left struct {
	pointer, reason, label string
	codes                  string // the errors' pointers and codes
}

func leftovers(ls []formschema.Leftover) []left {
	out := make([]left, len(ls))
	for i, l := range ls {
		var codes []string
		for _, e := range l.Errors {
			codes = append(codes, e.Pointer+" "+e.Code)
		}
		out[i] = left{l.Pointer, l.Reason, l.Label.In("de"), strings.Join(codes, ", ")}
	}
	return out
}

func TestMigrate(t *testing.T) {
	from := nestedForm(t)
	tests := []struct {
		name        string
		to          *formschema.Form
		data        map[string]any
		wantCarried map[string]any
		wantLeft    []left
	}{
		{
			name:        "same version carries everything",
			to:          from,
			data:        validNested(),
			wantCarried: validNested(),
		},
		{
			name: "removed, renamed and stricter fields",
			to:   nextVersion(t),
			data: func() map[string]any {
				d := validNested()
				d["legacy"] = "x"
				d["kids"].([]any)[0].(map[string]any)["shoe_size"] = 28.0
				return d
			}(),
			wantCarried: decode(`{
			  "home": {"street": "Lindenallee 42", "postcode": "51147", "city": "Musterstadt"},
			  "applicant": {"name": "Erika"},
			  "kids": [{"name": "Max", "age": 4, "stage": "kita"}, {"name": "Mia", "stage": "school"}],
			  "doc": {"name": "Nachweis.pdf", "type": "application/pdf", "size": 123456, "sha256": "` + sha + `"},
			  "pic": {"id": "local-1", "upload": "u-1", "name": "IMG_1.jpg", "type": "image/jpeg", "size": 2400000, "sha256": "` + sha + `"},
			  "abroad": false,
			  "sig": {"width": 300, "height": 100, "strokes": [[[10, 10], [20, 30]], [[40, 50], [60, 70], [80, 90]]]}
			}`),
			wantLeft: []left{
				{"/amount", "invalid", "Betrag", "/amount maximum"},
				{"/topics", "invalid", "Themen", "/topics/1 enum"},
				{"/iban", "removed", "IBAN", ""},
				{"/applicant/contact/email", "removed", "E-Mail", ""},
				{"/applicant/contact/phone", "removed", "Telefon", ""},
				{"/kids/0/shoe_size", "removed", "", ""},
				{"/kids/1/age", "invalid", "Alter", "/kids/1/age maximum"},
				{"/kids/1/school", "removed", "Schule", ""},
				{"/legacy", "removed", "", ""},
			},
		},
		{
			name: "a value of another shape",
			to:   retyped(t),
			data: validNested(),
			wantCarried: func() map[string]any {
				d := validNested()
				delete(d, "home")
				delete(d, "iban")
				return d
			}(),
			wantLeft: []left{
				{"/iban", "invalid", "IBAN", "/iban type"},
				{"/home", "invalid", "Anschrift", "/home type"},
			},
		},
		{
			name: "an item that is no object leaves an empty item behind",
			to:   from,
			data: func() map[string]any {
				d := validNested()
				d["kids"].([]any)[0] = "Max"
				return d
			}(),
			wantCarried: func() map[string]any {
				d := validNested()
				d["kids"].([]any)[0] = map[string]any{}
				return d
			}(),
			wantLeft: []left{{"/kids/0", "invalid", "Kinder", "/kids/0 type"}},
		},
		{
			name:        "values of hidden fields are carried (the draft keeps them)",
			to:          from,
			data:        decode(`{"kids": [{"name": "Max", "age": 4, "stage": "kita", "school": "Süd"}], "abroad": false, "country": "Polen"}`),
			wantCarried: decode(`{"kids": [{"name": "Max", "age": 4, "stage": "kita", "school": "Süd"}], "abroad": false, "country": "Polen"}`),
		},
		{
			name:        "missing values hold nothing back",
			to:          nextVersion(t),
			data:        decode(`{"kids": [], "applicant": {}}`),
			wantCarried: decode(`{"kids": [], "applicant": {}}`),
		},
		{
			name:        "empty data",
			to:          nextVersion(t),
			data:        map[string]any{},
			wantCarried: map[string]any{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := deepClone(tt.data)
			carried, ls := formschema.Migrate(from, tt.to, tt.data)
			if !reflect.DeepEqual(carried, tt.wantCarried) {
				t.Errorf("carried =\n%v\nwant\n%v", carried, tt.wantCarried)
			}
			if got := leftovers(ls); !reflect.DeepEqual(got, tt.wantLeft) && (len(got) > 0 || len(tt.wantLeft) > 0) {
				t.Errorf("left =\n%q\nwant\n%q", got, tt.wantLeft)
			}
			if !reflect.DeepEqual(tt.data, before) {
				t.Errorf("Migrate changed its data to %v", tt.data)
			}
			checkCovered(t, tt.data, carried, ls)
		})
	}
}

func TestMigrateLeftoverValues(t *testing.T) {
	from := nestedForm(t)
	data := validNested()
	_, ls := formschema.Migrate(from, nextVersion(t), data)
	for _, l := range ls {
		if l.Reason != formschema.LeftoverRemoved {
			continue
		}
		want, ok := valueAt(data, l.Pointer)
		if !ok || !reflect.DeepEqual(l.Value, want) {
			t.Errorf("leftover %s value = %v, want the old value %v", l.Pointer, l.Value, want)
		}
	}
}

// valueAt returns the value at an instance pointer.
func valueAt(v any, pointer string) (any, bool) {
	if pointer == "" {
		return v, true
	}
	for _, tok := range strings.Split(pointer[1:], "/") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// leaves lists the instance pointers of the leaf values of data: scalars,
// and empty lists and objects.
func leaves(v any, at string, out map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 && at != "" {
			out[at] = x
		}
		for k, c := range x {
			leaves(c, at+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), out)
		}
	case []any:
		if len(x) == 0 {
			out[at] = x
		}
		for i, c := range x {
			leaves(c, at+"/"+strconv.Itoa(i), out)
		}
	default:
		out[at] = v
	}
}

// checkCovered fails unless every leaf of data is either carried at its
// place or inside exactly one leftover, and not both.
func checkCovered(t *testing.T, data, carried map[string]any, ls []formschema.Leftover) {
	t.Helper()
	all := map[string]any{}
	leaves(data, "", all)
	for p, v := range all {
		n := 0
		if c, ok := valueAt(carried, p); ok && reflect.DeepEqual(c, v) {
			n++
		}
		for _, l := range ls {
			if p == l.Pointer || strings.HasPrefix(p, l.Pointer+"/") {
				if got, ok := valueAt(l.Value, p[len(l.Pointer):]); ok && reflect.DeepEqual(got, v) {
					n++
				}
			}
		}
		if n != 1 {
			t.Errorf("leaf %s = %v is carried or listed %d times, want exactly once", p, v, n)
		}
	}
}

// TestMigrateDropsNothing is a property test: for random drafts, of
// valid and invalid values, of every type, with keys that no version
// knows, every leaf value is carried or listed, exactly once, and what is
// carried breaks no rule of the new version (it may lack values).
func TestMigrateDropsNothing(t *testing.T) {
	from := nestedForm(t)
	targets := map[string]*formschema.Form{"same": from, "next": nextVersion(t), "retyped": retyped(t)}
	rng := rand.New(rand.NewPCG(3, 2026))
	absent := map[string]bool{"required": true, "minItems": true}
	for i := range 400 {
		data := randomObject(rng, from, from.Def.Steps[0].Fields, 0)
		for _, st := range from.Def.Steps[1:] {
			for k, v := range randomObject(rng, from, st.Fields, 0) {
				data[k] = v
			}
		}
		for name, to := range targets {
			t.Run(fmt.Sprintf("%d/%s", i, name), func(t *testing.T) {
				carried, ls := formschema.Migrate(from, to, data)
				checkCovered(t, data, carried, ls)
				for _, e := range to.Validate(carried) {
					if !absent[e.Code] {
						t.Errorf("carried value breaks a rule: %+v (data %v)", e, data)
					}
				}
				again, ls2 := formschema.Migrate(from, to, data)
				if !reflect.DeepEqual(again, carried) || !reflect.DeepEqual(ls2, ls) {
					t.Error("Migrate gave another result for the same data")
				}
				for _, l := range ls {
					if l.Reason != formschema.LeftoverRemoved && l.Reason != formschema.LeftoverInvalid {
						t.Errorf("leftover %s reason = %q, want removed or invalid", l.Pointer, l.Reason)
					}
					if l.Reason == formschema.LeftoverInvalid && len(l.Errors) == 0 {
						t.Errorf("invalid leftover %s has no errors", l.Pointer)
					}
				}
			})
		}
	}
}

// randomObject makes an object for fields: most values fitting, some of
// the wrong kind, some missing, and now and then a key no form knows.
func randomObject(rng *rand.Rand, f *formschema.Form, fields []api.Field, depth int) map[string]any {
	out := map[string]any{}
	for i := range fields {
		fd := &fields[i]
		if !fd.Widget.HasValue() || rng.IntN(5) == 0 {
			continue
		}
		out[fd.Key] = randomValue(rng, f, fd, depth)
	}
	if rng.IntN(6) == 0 {
		out["x"+strconv.Itoa(rng.IntN(3))] = randomScalar(rng)
	}
	return out
}

func randomValue(rng *rand.Rand, f *formschema.Form, fd *api.Field, depth int) any {
	if rng.IntN(8) == 0 {
		return randomScalar(rng)
	}
	switch fd.Widget {
	case api.WidgetGroup, api.WidgetAddress:
		return randomObject(rng, f, f.Children(fd), depth+1)
	case api.WidgetRepeat:
		items := make([]any, rng.IntN(5))
		for i := range items {
			if rng.IntN(8) == 0 {
				items[i] = randomScalar(rng)
			} else {
				items[i] = randomObject(rng, f, f.Children(fd), depth+1)
			}
		}
		return items
	case api.WidgetMulti:
		return pick(rng, []any{}, []any{"a"}, []any{"a", "c"}, []any{"a", "a"}, []any{"z"}, []any{"a", "b", "c"})
	case api.WidgetMoney, api.WidgetDecimal, api.WidgetInteger:
		return pick(rng, 0.0, 4.0, 8.0, 12.5, 12.345, -1.0, 2000.0, 17.0)
	case api.WidgetIBAN:
		return pick(rng, "DE89 3704 0044 0532 0130 00", "DE88 3704 0044 0532 0130 00", "de89370400440532013000")
	case api.WidgetChoice:
		return pick(rng, "kita", "school", "uni")
	case api.WidgetPostcode:
		return pick(rng, "51147", "5114", "")
	case api.WidgetFile, api.WidgetPhoto:
		return pick[any](rng, map[string]any{"name": "a.pdf", "type": "application/pdf", "size": 10.0, "sha256": sha},
			map[string]any{"name": "a.zip", "type": "application/zip", "size": 10.0, "sha256": sha},
			map[string]any{"name": "", "size": 0.0}, map[string]any{})
	case api.WidgetSignature:
		return pick[any](rng, map[string]any{"width": 10.0, "height": 10.0, "strokes": []any{[]any{[]any{1.0, 1.0}, []any{2.0, 2.0}}}},
			map[string]any{"width": 10.0, "height": 10.0, "strokes": []any{}})
	case api.WidgetBoolean:
		return pick[any](rng, true, false)
	}
	return pick(rng, "Erika", "", strings.Repeat("x", 120), "erika@example.org", "0621 123456")
}

func randomScalar(rng *rand.Rand) any {
	return pick[any](rng, nil, true, 3.0, "x", []any{}, map[string]any{}, []any{1.0, "y"}, map[string]any{"k": "v"})
}

func pick[T any](rng *rand.Rand, vs ...T) T { return vs[rng.IntN(len(vs))] }
