package formschema_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"

	"rathaus/api"
	"rathaus/api/formschema"
)

// widgetFormJSON uses every widget that has a value, each with the rules a
// real form gives it.
const widgetFormJSON = `{
  "id": "widgets",
  "version": 3,
  "title": {"de": "Alle Felder", "en": "All fields"},
  "schema": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
      "name": {"type": "string", "minLength": 2, "maxLength": 5},
      "notes": {"type": "string", "maxLength": 10},
      "count": {"type": "integer", "minimum": 1, "maximum": 20},
      "amount": {"type": "number", "minimum": 0.5, "maximum": 99.5},
      "agree": {"type": "boolean"},
      "born": {"type": "string", "format": "date"},
      "kind": {"type": "string", "enum": ["a", "b"]},
      "email": {"type": "string", "format": "email", "maxLength": 254},
      "phone": {"type": "string", "pattern": "^\\+?[0-9 ()/-]{6,30}$"},
      "postcode": {"type": "string", "pattern": "^[0-9]{5}$"}
    },
    "required": ["name", "count", "kind"],
    "additionalProperties": false
  },
  "steps": [
    {"id": "person", "title": {"de": "Person", "en": "Person"}, "fields": [
      {"key": "name", "widget": "text", "label": {"de": "Name", "en": "Name"}},
      {"key": "notes", "widget": "textarea", "label": {"de": "Notizen", "en": "Notes"}},
      {"key": "born", "widget": "date", "label": {"de": "Geboren", "en": "Born"}},
      {"key": "email", "widget": "email", "label": {"de": "E-Mail", "en": "E-mail"}},
      {"key": "phone", "widget": "phone", "label": {"de": "Telefon", "en": "Phone"}},
      {"key": "postcode", "widget": "postcode", "label": {"de": "PLZ", "en": "Postcode"}}
    ]},
    {"id": "numbers", "title": {"de": "Zahlen", "en": "Numbers"}, "fields": [
      {"widget": "info", "label": {"de": "Bitte genau angeben.", "en": "Please be precise."}},
      {"key": "count", "widget": "integer", "label": {"de": "Anzahl", "en": "Count"}},
      {"key": "amount", "widget": "decimal", "label": {"de": "Betrag", "en": "Amount"}},
      {"key": "agree", "widget": "boolean", "label": {"de": "Einverstanden", "en": "Agreed"}},
      {"key": "kind", "widget": "choice", "label": {"de": "Art", "en": "Kind"},
       "options": [{"value": "a", "label": {"de": "A"}}, {"value": "b", "label": {"de": "B"}}]}
    ]}
  ]
}`

// layoutOrder is the order of widgetFormJSON's value fields.
var layoutOrder = []string{"/name", "/notes", "/born", "/email", "/phone", "/postcode", "/count", "/amount", "/agree", "/kind"}

func widgetForm(t testing.TB) *formschema.Form {
	t.Helper()
	return mustParse(t, []byte(widgetFormJSON))
}

// validWidgetData is valid against widgetFormJSON.
func validWidgetData() map[string]any {
	return map[string]any{
		"name":     "Erika",
		"notes":    "",
		"count":    2,
		"amount":   12.5,
		"agree":    true,
		"born":     "2026-02-28",
		"kind":     "a",
		"email":    "erika@example.org",
		"phone":    "0621 123456",
		"postcode": "51147",
	}
}

// deleteKey, as a case's value, removes the key from the data.
type deleteKey struct{}

// fieldErr is the part of an api.FieldError a case expects.
type fieldErr struct {
	pointer, code, de, en string
}

// checkOne asserts that errs is exactly the one expected error, with its
// message in German and English and its Detail in English.
// checkSameAsJSON: the backend's way (ValidateJSON on the encoded data)
// finds what the app's way (Validate on decoded data) found.
func checkSameAsJSON(t *testing.T, f *formschema.Form, data map[string]any, errs []api.FieldError) {
	t.Helper()
	b, err := json.Marshal(data)
	if err != nil {
		t.Fatalf("json.Marshal(data) error = %v, want nil", err)
	}
	jerrs, err := f.ValidateJSON(b)
	if err != nil {
		t.Fatalf("ValidateJSON() error = %v, want nil", err)
	}
	if !reflect.DeepEqual(jerrs, errs) {
		t.Errorf("ValidateJSON() = %v, want the same as Validate() = %v", jerrs, errs)
	}
}

func checkOne(t *testing.T, errs []api.FieldError, want fieldErr) {
	t.Helper()
	if len(errs) != 1 {
		t.Fatalf("errors = %v, want exactly one (%s, %s)", errs, want.pointer, want.code)
	}
	e := errs[0]
	if e.Pointer != want.pointer || e.Code != want.code {
		t.Errorf("error = (%q, %q), want (%q, %q)", e.Pointer, e.Code, want.pointer, want.code)
	}
	if got := e.Message["de"]; got != want.de {
		t.Errorf(`Message["de"] = %q, want %q`, got, want.de)
	}
	if got := e.Message["en"]; got != want.en {
		t.Errorf(`Message["en"] = %q, want %q`, got, want.en)
	}
	if e.Detail != want.en {
		t.Errorf("Detail = %q, want the English message %q", e.Detail, want.en)
	}
}

func TestValidateWidgets(t *testing.T) {
	f := widgetForm(t)

	const (
		typeDE    = "Dieser Wert hat nicht die erwartete Art."
		typeEN    = "This value is not of the expected kind."
		integerDE = "Bitte geben Sie eine ganze Zahl ein."
		integerEN = "Please enter a whole number."
		decimalDE = "Bitte geben Sie eine Zahl ein, z. B. 12,5."
		decimalEN = "Please enter a number, e.g. 12.5."
		dateDE    = "Bitte geben Sie ein Datum ein (TT.MM.JJJJ)."
		dateEN    = "Please enter a date (DD/MM/YYYY)."
		dayDE     = "Diesen Tag gibt es nicht. Bitte prüfen Sie Tag und Monat (TT.MM.JJJJ)."
		dayEN     = "This day does not exist. Please check the day and month (DD/MM/YYYY)."
		emailDE   = "Bitte geben Sie eine gültige E-Mail-Adresse ein."
		emailEN   = "Please enter a valid e-mail address."
		postDE    = "Eine Postleitzahl hat fünf Ziffern."
		postEN    = "A German postcode has five digits."
		phoneDE   = "Bitte geben Sie eine Telefonnummer ein, z. B. 0621 123456."
		phoneEN   = "Please enter a phone number, e.g. +49 621 123456."
		enumDE    = "Bitte wählen Sie einen der angebotenen Werte."
		enumEN    = "Please choose one of the offered values."
		reqDE     = "Bitte füllen Sie dieses Feld aus."
		reqEN     = "Please fill in this field."
		extraDE   = "Dieses Feld gehört nicht zum Formular."
		extraEN   = "This field is not part of the form."
	)

	tests := []struct {
		name  string
		key   string
		value any // deleteKey{} removes the key
		want  *fieldErr
	}{
		// integer
		{"integer valid", "count", 20, nil},
		{"integer valid minimum", "count", 1, nil},
		{"integer as text", "count", "zwei", &fieldErr{"/count", "type", integerDE, integerEN}},
		{"integer with a fraction", "count", 1.5, &fieldErr{"/count", "type", integerDE, integerEN}},
		{"integer below minimum", "count", 0, &fieldErr{"/count", "minimum", "Der Wert muss mindestens 1 sein.", "The value must be at least 1."}},
		{"integer above maximum", "count", 21, &fieldErr{"/count", "maximum", "Der Wert darf höchstens 20 sein.", "The value must be at most 20."}},
		// decimal
		{"decimal valid", "amount", 7, nil},
		{"decimal valid bounds", "amount", 99.5, nil},
		{"decimal with a comma", "amount", "12,5", &fieldErr{"/amount", "type", decimalDE, decimalEN}},
		{"decimal as boolean", "amount", true, &fieldErr{"/amount", "type", decimalDE, decimalEN}},
		{"decimal below minimum", "amount", 0.25, &fieldErr{"/amount", "minimum", "Der Wert muss mindestens 0.5 sein.", "The value must be at least 0.5."}},
		{"decimal above maximum", "amount", 100, &fieldErr{"/amount", "maximum", "Der Wert darf höchstens 99.5 sein.", "The value must be at most 99.5."}},
		// postcode
		{"postcode valid with leading zero", "postcode", "01067", nil},
		{"postcode too short", "postcode", "1234", &fieldErr{"/postcode", "pattern", postDE, postEN}},
		{"postcode with a letter", "postcode", "5114a", &fieldErr{"/postcode", "pattern", postDE, postEN}},
		{"postcode as number", "postcode", 51147, &fieldErr{"/postcode", "type", typeDE, typeEN}},
		// email
		{"email valid", "email", "max.mustermann@musterstadt.de", nil},
		{"email without at", "email", "erika", &fieldErr{"/email", "format", emailDE, emailEN}},
		{"email without domain", "email", "erika@", &fieldErr{"/email", "format", emailDE, emailEN}},
		// date
		{"date valid", "born", "2026-02-28", nil},
		{"date valid leap day", "born", "2024-02-29", nil},
		{"date 30 February", "born", "2026-02-30", &fieldErr{"/born", "format", dayDE, dayEN}},
		{"date 29 February of a common year", "born", "2026-02-29", &fieldErr{"/born", "format", dayDE, dayEN}},
		{"date in German notation", "born", "28.02.2026", &fieldErr{"/born", "format", dateDE, dateEN}},
		// phone
		{"phone valid international", "phone", "+49 621 123456", nil},
		{"phone valid with slash", "phone", "0621/123456", nil},
		{"phone with letters", "phone", "call me", &fieldErr{"/phone", "pattern", phoneDE, phoneEN}},
		{"phone too short", "phone", "12", &fieldErr{"/phone", "pattern", phoneDE, phoneEN}},
		// choice
		{"choice valid", "kind", "b", nil},
		{"choice not offered", "kind", "c", &fieldErr{"/kind", "enum", enumDE, enumEN}},
		{"choice wrong case", "kind", "A", &fieldErr{"/kind", "enum", enumDE, enumEN}},
		// boolean
		{"boolean valid false", "agree", false, nil},
		{"boolean as text", "agree", "yes", &fieldErr{"/agree", "type", typeDE, typeEN}},
		{"boolean as number", "agree", 1, &fieldErr{"/agree", "type", typeDE, typeEN}},
		// text and textarea
		{"text valid shortest", "name", "Ed", nil},
		{"text valid umlauts count as characters", "name", "Ärger", nil},
		{"text too short", "name", "E", &fieldErr{"/name", "minLength", "Bitte geben Sie mindestens 2 Zeichen ein.", "Please enter at least 2 characters."}},
		{"text too long", "name", "Erika M", &fieldErr{"/name", "maxLength", "Bitte geben Sie höchstens 5 Zeichen ein.", "Please enter at most 5 characters."}},
		{"text as number", "name", 42, &fieldErr{"/name", "type", typeDE, typeEN}},
		{"textarea too long", "notes", "0123456789x", &fieldErr{"/notes", "maxLength", "Bitte geben Sie höchstens 10 Zeichen ein.", "Please enter at most 10 characters."}},
		// required and additional properties
		{"optional key missing", "notes", deleteKey{}, nil},
		{"required text missing", "name", deleteKey{}, &fieldErr{"/name", "required", reqDE, reqEN}},
		{"required integer missing", "count", deleteKey{}, &fieldErr{"/count", "required", reqDE, reqEN}},
		{"required choice missing", "kind", deleteKey{}, &fieldErr{"/kind", "required", "Bitte wählen Sie eine Möglichkeit.", "Please choose an option."}},
		{"key not in the form", "colour", "red", &fieldErr{"/colour", "additionalProperties", extraDE, extraEN}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := validWidgetData()
			if _, del := tt.value.(deleteKey); del {
				delete(data, tt.key)
			} else {
				data[tt.key] = tt.value
			}
			errs := f.Validate(data)
			if tt.want == nil {
				if len(errs) != 0 {
					t.Errorf("Validate(%s=%v) = %v, want no errors", tt.key, tt.value, errs)
				}
			} else {
				checkOne(t, errs, *tt.want)
			}
			checkSameAsJSON(t, f, data, errs)
		})
	}
}

// TestExclusiveBoundsMessage: a value equal to an exclusive bound fails, so
// its message must not say that the bound itself is allowed.
func TestExclusiveBoundsMessage(t *testing.T) {
	def := minimalDef()
	props(def)["size"] = map[string]any{"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10}
	setFields(def, append(fields(def), map[string]any{"key": "size", "widget": "integer", "label": map[string]any{"de": "Größe"}}))
	f := mustParse(t, encode(t, def))

	tests := []struct {
		value int
		bound string
	}{
		{0, "0"},
		{10, "10"},
	}
	for _, tt := range tests {
		t.Run(tt.bound, func(t *testing.T) {
			errs := f.Validate(map[string]any{"name": "Erika", "size": tt.value})
			if len(errs) != 1 {
				t.Fatalf("Validate(size=%d) = %v, want one error", tt.value, errs)
			}
			en := errs[0].Message["en"]
			if strings.Contains(en, "at least "+tt.bound) || strings.Contains(en, "at most "+tt.bound) {
				t.Errorf(`Message["en"] = %q for value %d, want a message that does not allow %s itself`, en, tt.value, tt.bound)
			}
		})
	}
}

// precedenceDef builds a form with a postcode field (widget default for
// "pattern") and a text field with a pattern (only the built-in message),
// with optional field and form overrides.
func precedenceDef(fieldErrors, formMessages map[string]any) []byte {
	def := map[string]any{
		"id":      "precedence",
		"version": 1,
		"title":   map[string]any{"de": "Vorrang"},
		"schema": map[string]any{
			"type": "object",
			"properties": map[string]any{
				"postcode": map[string]any{"type": "string", "pattern": "^[0-9]{5}$", "minLength": 5},
				"code":     map[string]any{"type": "string", "pattern": "^[A-Z]+$"},
			},
		},
		"steps": []any{map[string]any{
			"id": "s", "title": map[string]any{"de": "S"},
			"fields": []any{
				map[string]any{"key": "postcode", "widget": "postcode", "label": map[string]any{"de": "PLZ"}},
				map[string]any{"key": "code", "widget": "text", "label": map[string]any{"de": "Kennung"}},
			},
		}},
	}
	if fieldErrors != nil {
		def["steps"].([]any)[0].(map[string]any)["fields"].([]any)[0].(map[string]any)["errors"] = fieldErrors
	}
	if formMessages != nil {
		def["messages"] = formMessages
	}
	b, err := json.Marshal(def)
	if err != nil {
		panic(err)
	}
	return b
}

func TestMessagePrecedence(t *testing.T) {
	fieldText := map[string]any{"de": "Feld: PLZ falsch.", "en": "Field: bad postcode."}
	formText := map[string]any{"de": "Formular: Format falsch.", "en": "Form: bad format."}
	const (
		postDE    = "Eine Postleitzahl hat fünf Ziffern."
		postEN    = "A German postcode has five digits."
		patternDE = "Dieser Wert hat nicht das erwartete Format."
		patternEN = "This value does not have the expected format."
	)

	tests := []struct {
		name         string
		fieldErrors  map[string]any
		formMessages map[string]any
		data         map[string]any
		want         fieldErr
	}{
		{
			name:         "field override beats form message and widget default",
			fieldErrors:  map[string]any{"pattern": fieldText},
			formMessages: map[string]any{"pattern": formText},
			data:         map[string]any{"postcode": "abcde"},
			want:         fieldErr{"/postcode", "pattern", "Feld: PLZ falsch.", "Field: bad postcode."},
		},
		{
			name:         "form message beats widget default",
			formMessages: map[string]any{"pattern": formText},
			data:         map[string]any{"postcode": "abcde"},
			want:         fieldErr{"/postcode", "pattern", "Formular: Format falsch.", "Form: bad format."},
		},
		{
			name:         "form message applies to fields without widget default",
			formMessages: map[string]any{"pattern": formText},
			data:         map[string]any{"code": "abc"},
			want:         fieldErr{"/code", "pattern", "Formular: Format falsch.", "Form: bad format."},
		},
		{
			name:         "field override of another field does not leak",
			fieldErrors:  map[string]any{"pattern": fieldText},
			formMessages: nil,
			data:         map[string]any{"code": "abc"},
			want:         fieldErr{"/code", "pattern", patternDE, patternEN},
		},
		{
			name:        "field override for another code falls through to widget default",
			fieldErrors: map[string]any{"required": fieldText},
			data:        map[string]any{"postcode": "abcde"},
			want:        fieldErr{"/postcode", "pattern", postDE, postEN},
		},
		{
			name:         "form message for another code falls through to widget default",
			formMessages: map[string]any{"required": formText},
			data:         map[string]any{"postcode": "abcde"},
			want:         fieldErr{"/postcode", "pattern", postDE, postEN},
		},
		{
			name: "widget default beats built-in",
			data: map[string]any{"postcode": "abcde"},
			want: fieldErr{"/postcode", "pattern", postDE, postEN},
		},
		{
			name: "built-in when nothing else applies",
			data: map[string]any{"code": "abc"},
			want: fieldErr{"/code", "pattern", patternDE, patternEN},
		},
		{
			name:        "field override gets parameters filled in",
			fieldErrors: map[string]any{"minLength": map[string]any{"de": "Mindestens {n} Ziffern.", "en": "At least {n} digits."}},
			data:        map[string]any{"postcode": "1234"},
			want:        fieldErr{"/postcode", "minLength", "Mindestens 5 Ziffern.", "At least 5 digits."},
		},
		{
			name:         "form message gets parameters filled in",
			formMessages: map[string]any{"minLength": map[string]any{"de": "Formular: {n}.", "en": "Form: {n}."}},
			data:         map[string]any{"postcode": "12"},
			want:         fieldErr{"/postcode", "minLength", "Formular: 5.", "Form: 5."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, precedenceDef(tt.fieldErrors, tt.formMessages))
			errs := f.Validate(tt.data)
			// "1234" fails only minLength, "12" too; "abcde" fails only the pattern.
			var got []api.FieldError
			for _, e := range errs {
				if e.Code == tt.want.code {
					got = append(got, e)
				}
			}
			checkOne(t, got, tt.want)
		})
	}
}

func TestMessageInOneLanguageOnly(t *testing.T) {
	f := mustParse(t, precedenceDef(map[string]any{"pattern": map[string]any{"de": "Nur Deutsch."}}, nil))
	errs := f.Validate(map[string]any{"postcode": "abcde"})
	if len(errs) != 1 {
		t.Fatalf("Validate() = %v, want one error", errs)
	}
	if got, want := errs[0].Message, (api.Text{"de": "Nur Deutsch."}); !reflect.DeepEqual(got, want) {
		t.Errorf("Message = %v, want %v", got, want)
	}
	if got, want := errs[0].Detail, "Nur Deutsch."; got != want {
		t.Errorf("Detail = %q, want the German fallback %q", got, want)
	}
}

func TestErrorsInFormOrder(t *testing.T) {
	f := widgetForm(t)
	bad := map[string]any{
		"name":     "E",
		"notes":    strings.Repeat("x", 11),
		"count":    "zwei",
		"amount":   "viel",
		"agree":    "ja",
		"born":     "2026-02-30",
		"kind":     "c",
		"email":    "erika",
		"phone":    "x",
		"postcode": "1",
		"zz-extra": 1,
		"aa-extra": 2,
	}
	errs := f.Validate(bad)
	want := append(append([]string{}, layoutOrder...), "/aa-extra", "/zz-extra")
	var got []string
	for _, e := range errs {
		got = append(got, e.Pointer)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pointers = %q, want %q (form order, then unknown keys by pointer)", got, want)
	}
	assertNoDuplicates(t, errs)

	// Missing required keys are reported in form order too, whatever the
	// order of the schema's "required" list.
	errs = f.Validate(map[string]any{})
	got = got[:0]
	for _, e := range errs {
		got = append(got, e.Pointer+" "+e.Code)
	}
	if want := []string{"/name required", "/count required", "/kind required"}; !reflect.DeepEqual(got, want) {
		t.Errorf("errors for {} = %q, want %q", got, want)
	}
}

func assertNoDuplicates(t *testing.T, errs []api.FieldError) {
	t.Helper()
	seen := map[[2]string]bool{}
	for _, e := range errs {
		k := [2]string{e.Pointer, e.Code}
		if seen[k] {
			t.Errorf("error (%q, %q) reported twice in %v", e.Pointer, e.Code, errs)
		}
		seen[k] = true
	}
}

func TestErrorsDeduplicated(t *testing.T) {
	def := minimalDef()
	props(def)["code"] = map[string]any{
		"type":    "string",
		"pattern": "^[0-9]+$",
		"allOf": []any{
			map[string]any{"minLength": 3},
			map[string]any{"minLength": 4},
			map[string]any{"pattern": "^[0-9]{4}$"},
		},
	}
	setFields(def, append(fields(def), map[string]any{"key": "code", "widget": "text", "label": map[string]any{"de": "Kennung"}}))
	f := mustParse(t, encode(t, def))

	errs := f.Validate(map[string]any{"name": "Erika", "code": "a"})
	assertNoDuplicates(t, errs)
	var got []string
	for _, e := range errs {
		if e.Pointer != "/code" {
			t.Errorf("error at %q, want only /code", e.Pointer)
		}
		got = append(got, e.Code)
	}
	want := map[string]bool{"minLength": true, "pattern": true}
	if len(got) != len(want) {
		t.Fatalf("codes = %q, want each of minLength and pattern once", got)
	}
	for _, c := range got {
		if !want[c] {
			t.Errorf("code %q, want minLength or pattern", c)
		}
	}
}

func TestPointerEscaping(t *testing.T) {
	def := map[string]any{
		"id": "escaping", "version": 1, "title": map[string]any{"de": "Zeichen"},
		"schema": map[string]any{
			"type": "object",
			"properties": map[string]any{
				"a/b": map[string]any{"type": "string", "pattern": "^[0-9]{5}$"},
				"c~d": map[string]any{"type": "string", "minLength": 1},
			},
			"required":             []any{"c~d", "a/b"},
			"additionalProperties": false,
		},
		"steps": []any{map[string]any{"id": "s", "title": map[string]any{"de": "S"}, "fields": []any{
			map[string]any{"key": "a/b", "widget": "postcode", "label": map[string]any{"de": "PLZ"}},
			map[string]any{"key": "c~d", "widget": "text", "label": map[string]any{"de": "Tilde"}},
		}}},
	}
	f := mustParse(t, encode(t, def))

	if fd := f.Field("/a~1b"); fd == nil || fd.Key != "a/b" {
		t.Errorf(`Field("/a~1b") = %v, want the field with key "a/b"`, fd)
	}
	if fd := f.Field("/c~0d"); fd == nil || fd.Key != "c~d" {
		t.Errorf(`Field("/c~0d") = %v, want the field with key "c~d"`, fd)
	}
	for _, p := range []string{"/a/b", "/c~d"} {
		if fd := f.Field(p); fd != nil {
			t.Errorf("Field(%q) = %v, want nil (unescaped pointer)", p, fd)
		}
	}

	tests := []struct {
		name string
		data map[string]any
		want []fieldErr
	}{
		{
			name: "missing keys",
			data: map[string]any{},
			want: []fieldErr{
				{"/a~1b", "required", "Bitte füllen Sie dieses Feld aus.", "Please fill in this field."},
				{"/c~0d", "required", "Bitte füllen Sie dieses Feld aus.", "Please fill in this field."},
			},
		},
		{
			name: "widget message found through the escaped pointer",
			data: map[string]any{"a/b": "x", "c~d": "ok"},
			want: []fieldErr{{"/a~1b", "pattern", "Eine Postleitzahl hat fünf Ziffern.", "A German postcode has five digits."}},
		},
		{
			name: "unknown key with both characters",
			data: map[string]any{"a/b": "12345", "c~d": "ok", "e/f~g": true},
			want: []fieldErr{{"/e~1f~0g", "additionalProperties", "Dieses Feld gehört nicht zum Formular.", "This field is not part of the form."}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := f.Validate(tt.data)
			if len(errs) != len(tt.want) {
				t.Fatalf("Validate() = %v, want %d errors", errs, len(tt.want))
			}
			for i, w := range tt.want {
				e := errs[i]
				got := fieldErr{e.Pointer, e.Code, e.Message["de"], e.Message["en"]}
				if got != w {
					t.Errorf("error %d = %+v, want %+v", i, got, w)
				}
			}
		})
	}
}

func TestValidateJSONRefusesBadData(t *testing.T) {
	f := widgetForm(t)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"invalid UTF-8", []byte("{\"name\": \"Er\xffka\"}"), "UTF-8"},
		{"not JSON", []byte(`{name: "Erika"}`), "not JSON"},
		{"empty", []byte{}, "not JSON"},
		{"cut off", []byte(`{"name": "Eri`), "not JSON"},
		{"two values", []byte(`{} {}`), "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs, err := f.ValidateJSON(tt.data)
			if err == nil {
				t.Fatalf("ValidateJSON(%q) error = nil (field errors %v), want an error", tt.data, errs)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ValidateJSON(%q) error = %q, want it to contain %q", tt.data, err, tt.want)
			}
			if errs != nil {
				t.Errorf("ValidateJSON(%q) field errors = %v, want nil", tt.data, errs)
			}
		})
	}
}

func TestValidateJSONNotAnObject(t *testing.T) {
	f := widgetForm(t)
	for _, data := range []string{`[]`, `null`, `"Erika"`, `42`} {
		t.Run(data, func(t *testing.T) {
			errs, err := f.ValidateJSON([]byte(data))
			if err != nil {
				t.Fatalf("ValidateJSON(%s) error = %v, want nil (a field error)", data, err)
			}
			if len(errs) != 1 || errs[0].Pointer != "" || errs[0].Code != "type" {
				t.Errorf("ValidateJSON(%s) = %v, want one type error at the root", data, errs)
			}
		})
	}
}

func TestValidateMatchesValidateJSON(t *testing.T) {
	f := widgetForm(t)
	docs := []string{
		`{}`,
		`{"name": "Erika", "count": 2, "kind": "a"}`,
		`{"name": "E", "count": 2.0, "kind": "a", "amount": 1e1}`,
		`{"name": "Erika", "count": 12345678901234567890, "kind": "a"}`,
		`{"name": null, "count": [], "kind": {}, "agree": "true", "born": "2026-13-01"}`,
		`{"name": "Erika", "count": 1, "kind": "a", "extra": {"nested": [1, 2]}}`,
		`{"name": "Erika", "count": 0.5, "kind": "b", "amount": -0.0, "postcode": "1234\u0035"}`,
	}
	for _, doc := range docs {
		t.Run(doc, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal([]byte(doc), &m); err != nil {
				t.Fatalf("json.Unmarshal(%s) error = %v, want nil", doc, err)
			}
			want, err := f.ValidateJSON([]byte(doc))
			if err != nil {
				t.Fatalf("ValidateJSON(%s) error = %v, want nil", doc, err)
			}
			if got := f.Validate(m); !reflect.DeepEqual(got, want) {
				t.Errorf("Validate(%s) = %v, want ValidateJSON's %v", doc, got, want)
			}
		})
	}
}

func TestValidateUnencodableData(t *testing.T) {
	f := widgetForm(t)
	data := validWidgetData()
	data["amount"] = math.NaN()
	errs := f.Validate(data)
	if len(errs) != 1 || errs[0].Pointer != "" || errs[0].Code != "type" || errs[0].Detail == "" {
		t.Errorf("Validate(NaN) = %v, want one type error at the root with a detail", errs)
	}
}

func TestValidateConcurrent(t *testing.T) {
	f := widgetForm(t)
	bad := validWidgetData()
	bad["postcode"] = "1"
	want := f.Validate(bad)
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if got := f.Validate(maps.Clone(bad)); !reflect.DeepEqual(got, want) {
					errc <- errors.New("concurrent Validate gave a different result")
					return
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
}

// TestValidateConvertsLikeJSON: Validate converts decoded values itself;
// numbers of every size and Go type, odd strings and nil values must come
// out as they would through JSON text.
func TestValidateConvertsLikeJSON(t *testing.T) {
	f := widgetForm(t)
	values := []any{
		0.0, math.Copysign(0, -1), 1.0, 1.5, 20.0, 21.0, 1e-7, 1.5e-7, 1e20, 1e21, 1.2345678901234567e19, -3e-10,
		math.MaxFloat64, math.SmallestNonzeroFloat64, 7, int64(-8), int32(3), uint8(4), float32(0.1),
		json.Number("2"), json.Number("2.50"), "Erika", "Er\xffka", "<b>&", "", nil, true,
		[]any{1.0, "x", nil}, []any(nil), map[string]any(nil), map[string]any{"a\xff": 1.0}, []string{"a"},
	}
	for _, key := range layoutOrder {
		for _, v := range values {
			t.Run(fmt.Sprintf("%s=%#v", key, v), func(t *testing.T) {
				data := validWidgetData()
				data[key] = v
				b, err := json.Marshal(data)
				if err != nil {
					t.Skipf("not JSON: %v", err)
				}
				want, err := f.ValidateJSON(b)
				if err != nil {
					t.Fatalf("ValidateJSON() error = %v, want nil", err)
				}
				if got := f.Validate(data); !reflect.DeepEqual(got, want) {
					t.Errorf("Validate() = %+v, want ValidateJSON's %+v", got, want)
				}
			})
		}
	}
	if got := f.Validate(nil); len(got) != 1 || got[0].Pointer != "" || got[0].Code != "type" {
		t.Errorf("Validate(nil) = %+v, want one type error at the root", got)
	}
}
