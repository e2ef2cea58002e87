package formschema_test

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/assets"
)

// nestedFormJSON uses the widgets and structures beyond plain values:
// money, multi, IBAN, an address with default fields, nested groups, a
// repeat with a condition relative to its items, files, a signature and a
// conditional step backed by if/then.
const nestedFormJSON = `{
  "id": "nested",
  "version": 1,
  "title": {"de": "Verschachtelt", "en": "Nested"},
  "schema": {
    "type": "object",
    "properties": {
      "amount": {"type": "number", "minimum": 0, "maximum": 1000, "multipleOf": 0.01},
      "topics": {"type": "array", "minItems": 1, "maxItems": 2, "uniqueItems": true, "items": {"type": "string", "enum": ["a", "b", "c"]}},
      "iban": {"type": "string", "format": "iban"},
      "home": {
        "type": "object",
        "properties": {
          "street": {"type": "string", "minLength": 1, "maxLength": 100},
          "postcode": {"type": "string", "pattern": "^[0-9]{5}$"},
          "city": {"type": "string", "minLength": 1, "maxLength": 100}
        },
        "required": ["street", "postcode", "city"],
        "additionalProperties": false
      },
      "applicant": {
        "type": "object",
        "properties": {
          "name": {"type": "string", "minLength": 1, "maxLength": 100},
          "contact": {
            "type": "object",
            "properties": {
              "email": {"type": "string", "format": "email"},
              "phone": {"type": "string", "pattern": "^\\+?[0-9 ()/-]{6,30}$"}
            },
            "additionalProperties": false
          }
        },
        "required": ["name"],
        "additionalProperties": false
      },
      "kids": {
        "type": "array",
        "minItems": 1,
        "maxItems": 3,
        "items": {
          "type": "object",
          "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 50},
            "age": {"type": "integer", "minimum": 0, "maximum": 17},
            "stage": {"type": "string", "enum": ["kita", "school"]},
            "school": {"type": "string", "minLength": 1, "maxLength": 50}
          },
          "required": ["name", "age", "stage"],
          "additionalProperties": false,
          "if": {"properties": {"stage": {"const": "school"}}, "required": ["stage"]},
          "then": {"required": ["school"]}
        }
      },
      "doc": {"type": "object", "format": "attachment", "properties": {"type": {"enum": ["application/pdf"]}, "size": {"maximum": 1000000}}},
      "pic": {"type": "object", "format": "attachment"},
      "abroad": {"type": "boolean"},
      "country": {"type": "string", "minLength": 2, "maxLength": 50},
      "sig": {"type": "object", "format": "signature"}
    },
    "required": ["amount", "topics", "home", "applicant", "abroad", "sig"],
    "additionalProperties": false,
    "if": {"properties": {"abroad": {"const": true}}, "required": ["abroad"]},
    "then": {"required": ["country"]}
  },
  "steps": [
    {"id": "one", "title": {"de": "Eins", "en": "One"}, "fields": [
      {"key": "amount", "widget": "money", "label": {"de": "Betrag", "en": "Amount"}},
      {"key": "topics", "widget": "multi", "label": {"de": "Themen", "en": "Topics"}, "options": [
        {"value": "a", "label": {"de": "Abfall", "en": "Waste"}},
        {"value": "b", "label": {"de": "Bauen", "en": "Building"}},
        {"value": "c", "label": {"de": "Chor", "en": "Choir"}}
      ]},
      {"key": "iban", "widget": "iban", "label": {"de": "IBAN", "en": "IBAN"}},
      {"key": "home", "widget": "address", "label": {"de": "Anschrift", "en": "Address"}},
      {"key": "applicant", "widget": "group", "label": {"de": "Antragsteller", "en": "Applicant"}, "fields": [
        {"key": "name", "widget": "text", "label": {"de": "Name", "en": "Name"}},
        {"key": "contact", "widget": "group", "label": {"de": "Kontakt", "en": "Contact"}, "fields": [
          {"key": "email", "widget": "email", "label": {"de": "E-Mail", "en": "E-mail"}},
          {"key": "phone", "widget": "phone", "label": {"de": "Telefon", "en": "Phone"}}
        ]}
      ]}
    ]},
    {"id": "two", "title": {"de": "Zwei", "en": "Two"}, "fields": [
      {"key": "kids", "widget": "repeat", "label": {"de": "Kinder", "en": "Children"}, "addLabel": {"de": "Kind hinzufügen", "en": "Add a child"}, "fields": [
        {"key": "name", "widget": "text", "label": {"de": "Name", "en": "Name"}},
        {"key": "age", "widget": "integer", "label": {"de": "Alter", "en": "Age"}},
        {"key": "stage", "widget": "choice", "label": {"de": "Betreuung", "en": "Care"}, "options": [
          {"value": "kita", "label": {"de": "Kita", "en": "Daycare"}},
          {"value": "school", "label": {"de": "Schule", "en": "School"}}
        ]},
        {"key": "school", "widget": "text", "label": {"de": "Schule", "en": "School"}, "showWhen": {"field": "stage", "equals": "school"}}
      ]},
      {"key": "doc", "widget": "file", "label": {"de": "Nachweis", "en": "Proof"}, "accept": ["application/pdf"], "maxSize": 1000000},
      {"key": "pic", "widget": "photo", "label": {"de": "Foto", "en": "Photo"}}
    ]},
    {"id": "three", "title": {"de": "Drei", "en": "Three"}, "fields": [
      {"key": "abroad", "widget": "boolean", "label": {"de": "Aus dem Ausland", "en": "From abroad"}},
      {"key": "sig", "widget": "signature", "label": {"de": "Unterschrift", "en": "Signature"}}
    ]},
    {"id": "four", "title": {"de": "Ausland", "en": "Abroad"}, "showWhen": {"field": "/abroad", "equals": true}, "fields": [
      {"key": "country", "widget": "text", "label": {"de": "Staat", "en": "Country"}}
    ]}
  ]
}`

const sha = "53d13bf7b93526a5cb4336d750b6accfa079fb43d33f79287fcae3d33fbd6d73"

func nestedForm(t testing.TB) *formschema.Form {
	t.Helper()
	return mustParse(t, []byte(nestedFormJSON))
}

// validNested is valid against nestedFormJSON, decoded as from JSON.
func validNested() map[string]any {
	return decode(`{
	  "amount": 12.5,
	  "topics": ["a", "c"],
	  "iban": "DE89 3704 0044 0532 0130 00",
	  "home": {"street": "Lindenallee 42", "postcode": "51147", "city": "Musterstadt"},
	  "applicant": {"name": "Erika", "contact": {"email": "erika@example.org", "phone": "0621 123456"}},
	  "kids": [
	    {"name": "Max", "age": 4, "stage": "kita"},
	    {"name": "Mia", "age": 8, "stage": "school", "school": "Grundschule Süd"}
	  ],
	  "doc": {"name": "Nachweis.pdf", "type": "application/pdf", "size": 123456, "sha256": "` + sha + `"},
	  "pic": {"id": "local-1", "upload": "u-1", "name": "IMG_1.jpg", "type": "image/jpeg", "size": 2400000, "sha256": "` + sha + `"},
	  "abroad": false,
	  "sig": {"width": 300, "height": 100, "strokes": [[[10, 10], [20, 30]], [[40, 50], [60, 70], [80, 90]]]}
	}`)
}

func decode(s string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		panic(err)
	}
	return m
}

// set replaces (or with deleteKey{} removes) the value at a pointer of
// JSON-like data; it panics on a path that does not exist.
func set(data map[string]any, pointer string, v any) {
	tokens := strings.Split(pointer[1:], "/")
	var cur any = data
	for _, tok := range tokens[:len(tokens)-1] {
		switch x := cur.(type) {
		case map[string]any:
			cur = x[tok]
		case []any:
			i, _ := strconv.Atoi(tok)
			cur = x[i]
		}
	}
	last := tokens[len(tokens)-1]
	switch x := cur.(type) {
	case map[string]any:
		if _, del := v.(deleteKey); del {
			delete(x, last)
		} else {
			x[last] = v
		}
	case []any:
		i, _ := strconv.Atoi(last)
		x[i] = v
	default:
		panic("set: no object or array at " + pointer)
	}
}

func TestNestedValid(t *testing.T) {
	f := nestedForm(t)
	if errs := f.Validate(validNested()); len(errs) != 0 {
		t.Errorf("Validate(valid nested data) = %+v, want no errors", errs)
	}
}

func TestFieldAt(t *testing.T) {
	f := nestedForm(t)
	tests := []struct {
		pointer string
		widget  api.Widget // "" for nil
		label   string     // German label
	}{
		{"/amount", api.WidgetMoney, "Betrag"},
		{"/topics", api.WidgetMulti, "Themen"},
		{"/topics/1", api.WidgetMulti, "Themen"},
		{"/home", api.WidgetAddress, "Anschrift"},
		{"/home/street", api.WidgetText, "Straße und Hausnummer"},
		{"/home/postcode", api.WidgetPostcode, "Postleitzahl"},
		{"/home/city", api.WidgetText, "Ort"},
		{"/applicant/contact/email", api.WidgetEmail, "E-Mail"},
		{"/applicant/contact", api.WidgetGroup, "Kontakt"},
		{"/kids", api.WidgetRepeat, "Kinder"},
		{"/kids/0", api.WidgetRepeat, "Kinder"},
		{"/kids/2/name", api.WidgetText, "Name"},
		{"/kids/12/school", api.WidgetText, "Schule"},
		{"/doc/size", api.WidgetFile, "Nachweis"},
		{"/sig/strokes/0/1", api.WidgetSignature, "Unterschrift"},
		{"", "", ""},
		{"amount", "", ""},
		{"/nope", "", ""},
		{"/kids/name", "", ""},
		{"/kids/01/name", "", ""},
		{"/kids/-/name", "", ""},
		{"/kids/0/nope", "", ""},
		{"/applicant/nope", "", ""},
		{"/home/country", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.pointer, func(t *testing.T) {
			fd := f.FieldAt(tt.pointer)
			if tt.widget == "" {
				if fd != nil {
					t.Errorf("FieldAt(%q) = %s %q, want nil", tt.pointer, fd.Widget, fd.Key)
				}
				return
			}
			if fd == nil {
				t.Fatalf("FieldAt(%q) = nil, want the %s field %q", tt.pointer, tt.widget, tt.label)
			}
			if fd.Widget != tt.widget || fd.Label.In("de") != tt.label {
				t.Errorf("FieldAt(%q) = %s %q, want %s %q", tt.pointer, fd.Widget, fd.Label.In("de"), tt.widget, tt.label)
			}
		})
	}
}

func TestLayoutPointers(t *testing.T) {
	f := nestedForm(t)
	tests := []struct {
		pointer  string
		want     bool // a field is at this layout pointer
		required bool
		step     int
	}{
		{"/amount", true, true, 0},
		{"/iban", true, false, 0},
		{"/home/city", true, true, 0},
		{"/applicant/contact/phone", true, false, 0},
		{"/kids", true, false, 1},
		{"/kids/name", true, true, 1},
		{"/kids/school", true, false, 1},
		{"/country", true, false, 3},
		{"/kids/0/name", false, false, 0},
		{"/home", true, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.pointer, func(t *testing.T) {
			fd := f.Field(tt.pointer)
			if (fd != nil) != tt.want {
				t.Fatalf("Field(%q) = %v, want a field: %v", tt.pointer, fd, tt.want)
			}
			if fd == nil {
				return
			}
			if got := f.Pointer(fd); got != tt.pointer {
				t.Errorf("Pointer(Field(%q)) = %q, want %q", tt.pointer, got, tt.pointer)
			}
			if got := f.Required(fd); got != tt.required {
				t.Errorf("Required(%s) = %v, want %v", tt.pointer, got, tt.required)
			}
			if got := f.StepOf(tt.pointer); !strings.Contains(tt.pointer, "/kids/") && got != tt.step {
				t.Errorf("StepOf(%q) = %d, want %d", tt.pointer, got, tt.step)
			}
		})
	}
	if got := f.StepOf("/kids/3/school"); got != 1 {
		t.Errorf(`StepOf("/kids/3/school") = %d, want 1`, got)
	}
	if got := f.StepOf("/nope"); got != -1 {
		t.Errorf(`StepOf("/nope") = %d, want -1`, got)
	}

	home := f.Field("/home")
	kids := f.Children(home)
	var keys []string
	for i := range kids {
		keys = append(keys, kids[i].Key)
		if f.Field(f.Pointer(&kids[i])) != &kids[i] {
			t.Errorf("Field(Pointer(default child %q)) is not that child", kids[i].Key)
		}
	}
	if want := []string{"street", "postcode", "city"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("Children(address without fields) keys = %q, want %q", keys, want)
	}
	if len(home.Fields) != 0 {
		t.Errorf("the definition's address fields = %v, want them left empty (defaults live in the form)", home.Fields)
	}
	if got := f.Children(f.Field("/applicant")); len(got) != 2 || got[1].Key != "contact" {
		t.Errorf("Children(/applicant) = %v, want name and contact", got)
	}
	if got := f.Pointer(&api.Field{Key: "amount"}); got != "" {
		t.Errorf("Pointer(a field of no form) = %q, want empty", got)
	}
}

// TestValidateNested is the per-widget table for the widgets with
// structure: each case changes one value of a valid draft and expects
// exactly one error, at an instance pointer, with its messages.
func TestValidateNested(t *testing.T) {
	f := nestedForm(t)
	const (
		reqDE   = "Bitte füllen Sie dieses Feld aus."
		reqEN   = "Please fill in this field."
		typeDE  = "Dieser Wert hat nicht die erwartete Art."
		typeEN  = "This value is not of the expected kind."
		sumDE   = "Die Prüfziffer stimmt nicht: Bitte vergleichen Sie die IBAN Zeichen für Zeichen mit Ihrer Bankkarte."
		sumEN   = "The check digits are wrong: please compare the IBAN character by character with your bank card."
		lenDE   = "Eine IBAN mit dem Ländercode DE hat 22 Zeichen, diese hat 21."
		lenEN   = "An IBAN with the country code DE has 22 characters; this one has 21."
		ccDE    = "Eine IBAN beginnt mit dem Ländercode aus zwei Buchstaben, z. B. DE."
		ccEN    = "An IBAN starts with a two-letter country code, e.g. DE."
		fileDE  = "Diese Datei ist unvollständig oder zu groß (höchstens 10 MB). Bitte fügen Sie sie erneut hinzu."
		fileEN  = "This file is incomplete or too large (at most 10 MB). Please add it again."
		photoDE = "Dieses Foto ist unvollständig oder zu groß (höchstens 10 MB). Bitte fügen Sie es erneut hinzu."
		photoEN = "This photo is incomplete or too large (at most 10 MB). Please add it again."
		signDE  = "Bitte unterschreiben Sie."
		signEN  = "Please sign."
		extraDE = "Dieses Feld gehört nicht zum Formular."
		extraEN = "This field is not part of the form."
	)
	att := func(edit func(m map[string]any)) map[string]any {
		m := map[string]any{"name": "Nachweis.pdf", "type": "application/pdf", "size": 1000.0, "sha256": sha}
		edit(m)
		return m
	}
	sig := func(w, h float64, strokes ...[][2]float64) map[string]any {
		var ss []any
		for _, s := range strokes {
			var pts []any
			for _, p := range s {
				pts = append(pts, []any{p[0], p[1]})
			}
			ss = append(ss, pts)
		}
		return map[string]any{"width": w, "height": h, "strokes": ss}
	}
	many := make([][2]float64, formschema.MaxSignaturePoints+1)
	tenth := 0.1
	artefact := tenth + 0.2 // 0.30000000000000004 at run time
	kid := func(name string, age float64, stage string) map[string]any {
		return map[string]any{"name": name, "age": age, "stage": stage}
	}

	tests := []struct {
		name    string
		pointer string // where the value is changed
		value   any    // deleteKey{} removes it
		want    *fieldErr
	}{
		// money
		{"money whole", "/amount", 12.0, nil},
		{"money cents", "/amount", 19.99, nil},
		{"money zero", "/amount", 0.0, nil},
		{"money maximum", "/amount", 1000.0, nil},
		{"money three decimals", "/amount", 12.345, &fieldErr{"/amount", "multipleOf", "Bitte geben Sie den Betrag mit höchstens zwei Nachkommastellen an.", "Please enter the amount with at most two decimals."}},
		{"money float artefact", "/amount", artefact, &fieldErr{"/amount", "multipleOf", "Bitte geben Sie den Betrag mit höchstens zwei Nachkommastellen an.", "Please enter the amount with at most two decimals."}},
		{"money with a comma", "/amount", "12,50", &fieldErr{"/amount", "type", "Bitte geben Sie einen Betrag in Euro ein, z. B. 12,50.", "Please enter an amount in euros, e.g. 12.50."}},
		{"money negative", "/amount", -1.0, &fieldErr{"/amount", "minimum", "Der Wert muss mindestens 0 sein.", "The value must be at least 0."}},
		{"money above maximum", "/amount", 1000.01, &fieldErr{"/amount", "maximum", "Der Wert darf höchstens 1000 sein.", "The value must be at most 1000."}},
		{"money missing", "/amount", deleteKey{}, &fieldErr{"/amount", "required", reqDE, reqEN}},
		// multi
		{"multi one", "/topics", []any{"b"}, nil},
		{"multi none", "/topics", []any{}, &fieldErr{"/topics", "minItems", "Bitte wählen Sie mindestens eine Möglichkeit.", "Please choose at least one option."}},
		{"multi too many", "/topics", []any{"a", "b", "c"}, &fieldErr{"/topics", "maxItems", "Bitte wählen Sie höchstens 2 Möglichkeiten.", "Please choose at most 2 options."}},
		{"multi unknown value", "/topics", []any{"a", "x"}, &fieldErr{"/topics/1", "enum", "Bitte wählen Sie nur angebotene Möglichkeiten.", "Please choose only the options offered."}},
		{"multi twice", "/topics", []any{"a", "a"}, &fieldErr{"/topics", "uniqueItems", "Bitte wählen Sie jede Möglichkeit nur einmal.", "Please choose each option only once."}},
		{"multi as string", "/topics", "a", &fieldErr{"/topics", "type", typeDE, typeEN}},
		{"multi missing", "/topics", deleteKey{}, &fieldErr{"/topics", "required", "Bitte wählen Sie mindestens eine Möglichkeit.", "Please choose at least one option."}},
		// iban
		{"iban without spaces", "/iban", "DE89370400440532013000", nil},
		{"iban British", "/iban", "GB82 WEST 1234 5698 7654 32", nil},
		{"iban wrong checksum", "/iban", "DE88 3704 0044 0532 0130 00", &fieldErr{"/iban", "format", sumDE, sumEN}},
		{"iban too short for Germany", "/iban", "DE89 3704 0044 0532 0130 0", &fieldErr{"/iban", "format", lenDE, lenEN}},
		// On the wire an IBAN is in capitals (the app writes what is typed so).
		{"iban lower case", "/iban", "de89 3704 0044 0532 0130 00", &fieldErr{"/iban", "format", ccDE, ccEN}},
		{"iban as number", "/iban", 89370400440532013000.0, &fieldErr{"/iban", "type", typeDE, typeEN}},
		// address
		{"address without city", "/home/city", deleteKey{}, &fieldErr{"/home/city", "required", reqDE, reqEN}},
		{"address postcode", "/home/postcode", "5114", &fieldErr{"/home/postcode", "pattern", "Eine Postleitzahl hat fünf Ziffern.", "A German postcode has five digits."}},
		{"address extra key", "/home/country", "DE", &fieldErr{"/home/country", "additionalProperties", extraDE, extraEN}},
		{"address missing", "/home", deleteKey{}, &fieldErr{"/home", "required", "Bitte geben Sie die Anschrift an.", "Please enter the address."}},
		{"address as text", "/home", "Lindenallee 42", &fieldErr{"/home", "type", typeDE, typeEN}},
		// file
		{"file without optional ids", "/doc", att(func(m map[string]any) {}), nil},
		{"file empty", "/doc", att(func(m map[string]any) { m["size"] = 0.0 }), &fieldErr{"/doc", "format", fileDE, fileEN}},
		{"file without name", "/doc", att(func(m map[string]any) { delete(m, "name") }), &fieldErr{"/doc", "format", fileDE, fileEN}},
		{"file hash in capitals", "/doc", att(func(m map[string]any) { m["sha256"] = strings.ToUpper(sha) }), &fieldErr{"/doc", "format", fileDE, fileEN}},
		{"file hash short", "/doc", att(func(m map[string]any) { m["sha256"] = sha[:63] }), &fieldErr{"/doc", "format", fileDE, fileEN}},
		{"file fractional size", "/doc", att(func(m map[string]any) { m["size"] = 10.5 }), &fieldErr{"/doc", "format", fileDE, fileEN}},
		{"file unknown property", "/doc", att(func(m map[string]any) { m["path"] = "/sdcard/x.pdf" }), &fieldErr{"/doc", "format", fileDE, fileEN}},
		{"file upload not a string", "/doc", att(func(m map[string]any) { m["upload"] = 7.0 }), &fieldErr{"/doc", "format", fileDE, fileEN}},
		{"file type not accepted", "/doc", att(func(m map[string]any) { m["type"] = "application/zip" }), &fieldErr{"/doc/type", "enum", "Diese Dateiart wird hier nicht angenommen.", "This kind of file is not accepted here."}},
		{"file above the form's size", "/doc", att(func(m map[string]any) { m["size"] = 1000001.0 }), &fieldErr{"/doc/size", "maximum", "Diese Datei ist zu groß.", "This file is too large."}},
		{"file missing is fine", "/doc", deleteKey{}, nil},
		// photo
		{"photo above the upload limit", "/pic", att(func(m map[string]any) { m["type"] = "image/jpeg"; m["size"] = float64(api.MaxUploadSize + 1) }), &fieldErr{"/pic", "format", photoDE, photoEN}},
		{"photo at the upload limit", "/pic", att(func(m map[string]any) { m["type"] = "image/jpeg"; m["size"] = float64(api.MaxUploadSize) }), nil},
		{"photo type without subtype", "/pic", att(func(m map[string]any) { m["type"] = "image" }), &fieldErr{"/pic", "format", photoDE, photoEN}},
		{"photo as text", "/pic", "IMG_1.jpg", &fieldErr{"/pic", "type", typeDE, typeEN}},
		// signature
		{"signature one stroke", "/sig", sig(10, 10, [][2]float64{{0, 0}, {10, 10}}), nil},
		{"signature missing", "/sig", deleteKey{}, &fieldErr{"/sig", "required", signDE, signEN}},
		{"signature without strokes", "/sig", sig(300, 100), &fieldErr{"/sig", "format", signDE, signEN}},
		{"signature dot", "/sig", sig(300, 100, [][2]float64{{5, 5}}), &fieldErr{"/sig", "format", signDE, signEN}},
		{"signature off the canvas", "/sig", sig(300, 100, [][2]float64{{5, 5}, {301, 50}}), &fieldErr{"/sig", "format", signDE, signEN}},
		{"signature negative point", "/sig", sig(300, 100, [][2]float64{{5, 5}, {-1, 50}}), &fieldErr{"/sig", "format", signDE, signEN}},
		{"signature no canvas", "/sig", sig(0, 100, [][2]float64{{0, 5}, {0, 50}}), &fieldErr{"/sig", "format", signDE, signEN}},
		{"signature too many points", "/sig", sig(300, 100, many), &fieldErr{"/sig", "format", signDE, signEN}},
		{"signature at most points", "/sig", sig(300, 100, many[1:]), nil},
		{"signature point of three", "/sig", map[string]any{"width": 1.0, "height": 1.0, "strokes": []any{[]any{[]any{0.0, 0.0, 0.0}, []any{1.0, 1.0}}}}, &fieldErr{"/sig", "format", signDE, signEN}},
		{"signature extra property", "/sig", map[string]any{"width": 1.0, "height": 1.0, "image": "x", "strokes": []any{[]any{[]any{0.0, 0.0}, []any{1.0, 1.0}}}}, &fieldErr{"/sig", "format", signDE, signEN}},
		{"signature as text", "/sig", "Erika", &fieldErr{"/sig", "type", signDE, signEN}},
		{"signature typed", "/sig", map[string]any{"typed": "Erika Mustermann"}, nil},
		{"signature typed blank", "/sig", map[string]any{"typed": "   "}, &fieldErr{"/sig", "format", signDE, signEN}},
		{"signature typed one letter", "/sig", map[string]any{"typed": "E"}, &fieldErr{"/sig", "format", signDE, signEN}},
		{"signature typed too long", "/sig", map[string]any{"typed": strings.Repeat("E", api.MaxTypedSignature+1)}, &fieldErr{"/sig", "format", signDE, signEN}},
		{"signature typed at most", "/sig", map[string]any{"typed": strings.Repeat("E", api.MaxTypedSignature)}, nil},
		{"signature typed not text", "/sig", map[string]any{"typed": 7.0}, &fieldErr{"/sig", "format", signDE, signEN}},
		{"signature typed and drawn", "/sig", map[string]any{"typed": "Erika", "width": 1.0, "height": 1.0, "strokes": []any{[]any{[]any{0.0, 0.0}, []any{1.0, 1.0}}}}, &fieldErr{"/sig", "format", signDE, signEN}},
		// nested groups
		{"group child missing", "/applicant/name", deleteKey{}, &fieldErr{"/applicant/name", "required", reqDE, reqEN}},
		{"group in group email", "/applicant/contact/email", "erika", &fieldErr{"/applicant/contact/email", "format", "Bitte geben Sie eine gültige E-Mail-Adresse ein.", "Please enter a valid e-mail address."}},
		{"group in group phone", "/applicant/contact/phone", "x", &fieldErr{"/applicant/contact/phone", "pattern", "Bitte geben Sie eine Telefonnummer ein, z. B. 0621 123456.", "Please enter a phone number, e.g. +49 621 123456."}},
		{"group in group extra key", "/applicant/contact/fax", "0621 1", &fieldErr{"/applicant/contact/fax", "additionalProperties", extraDE, extraEN}},
		{"optional group missing", "/applicant/contact", deleteKey{}, nil},
		// repeat
		{"repeat one item", "/kids", []any{kid("Max", 4, "kita")}, nil},
		{"repeat empty", "/kids", []any{}, &fieldErr{"/kids", "minItems", "Bitte fügen Sie mindestens einen Eintrag hinzu.", "Please add at least one entry."}},
		{"repeat too many", "/kids", []any{kid("A", 1, "kita"), kid("B", 1, "kita"), kid("C", 1, "kita"), kid("D", 1, "kita")}, &fieldErr{"/kids", "maxItems", "Bitte geben Sie höchstens 3 Einträge an und entfernen Sie die übrigen.", "Please give at most 3 entries and remove the others."}},
		{"repeat item without name", "/kids/1/name", deleteKey{}, &fieldErr{"/kids/1/name", "required", reqDE, reqEN}},
		{"repeat item too old", "/kids/0/age", 18.0, &fieldErr{"/kids/0/age", "maximum", "Der Wert darf höchstens 17 sein.", "The value must be at most 17."}},
		{"repeat item age as text", "/kids/0/age", "vier", &fieldErr{"/kids/0/age", "type", "Bitte geben Sie eine ganze Zahl ein.", "Please enter a whole number."}},
		{"repeat item if/then", "/kids/1/school", deleteKey{}, &fieldErr{"/kids/1/school", "required", reqDE, reqEN}},
		{"repeat item not an object", "/kids/0", "Max", &fieldErr{"/kids/0", "type", typeDE, typeEN}},
		{"repeat item extra key", "/kids/0/shoe_size", 28.0, &fieldErr{"/kids/0/shoe_size", "additionalProperties", extraDE, extraEN}},
		// if/then at the top: a conditional step's field
		{"conditional step field required", "/abroad", true, &fieldErr{"/country", "required", reqDE, reqEN}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := validNested()
			set(data, tt.pointer, tt.value)
			errs := f.Validate(data)
			if tt.want == nil {
				if len(errs) != 0 {
					t.Errorf("Validate(%s = %v) = %+v, want no errors", tt.pointer, tt.value, errs)
				}
			} else {
				checkOne(t, errs, *tt.want)
			}
			checkSameAsJSON(t, f, data, errs)
		})
	}
}

// TestNestedErrorOrder: errors come in form order at every depth; the
// items of a repeat by index as a number (2 before 10).
func TestNestedErrorOrder(t *testing.T) {
	f := nestedForm(t)
	data := validNested()
	set(data, "/sig", "x")
	set(data, "/amount", "x")
	set(data, "/applicant/contact/email", "x")
	set(data, "/home/postcode", "x")
	set(data, "/topics", []any{"a", "x"})
	var kids []any
	for i := range 11 {
		kids = append(kids, map[string]any{"name": "K" + strconv.Itoa(i), "age": 3.0, "stage": "kita"})
	}
	kids[10].(map[string]any)["age"] = 30.0
	kids[2].(map[string]any)["age"] = 30.0
	kids[2].(map[string]any)["name"] = ""
	set(data, "/kids", kids)
	set(data, "/zz", 1.0)
	set(data, "/aa", 1.0)

	var got []string
	for _, e := range f.Validate(data) {
		got = append(got, e.Pointer+" "+e.Code)
	}
	want := []string{
		"/amount type",
		"/topics/1 enum",
		"/home/postcode pattern",
		"/applicant/contact/email format",
		"/kids maxItems",
		"/kids/2/name minLength",
		"/kids/2/age maximum",
		"/kids/10/age maximum",
		"/sig type",
		"/aa additionalProperties",
		"/zz additionalProperties",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors =\n%q\nwant\n%q", got, want)
	}
}

// TestMessagesOneAndMany: with n = 1 a message says "one", not "1 ...s".
func TestMessagesOneAndMany(t *testing.T) {
	def := minimalDef()
	props(def)["pets"] = map[string]any{"type": "array", "minItems": 2, "maxItems": 3,
		"items": map[string]any{"type": "object", "properties": map[string]any{"n": map[string]any{"type": "string", "maxLength": 1}}}}
	props(def)["code"] = map[string]any{"type": "string", "minLength": 1, "maxLength": 4}
	setFields(def, append(fields(def),
		map[string]any{"key": "pets", "widget": "repeat", "label": map[string]any{"de": "Tiere"}, "fields": []any{
			map[string]any{"key": "n", "widget": "text", "label": map[string]any{"de": "N"}}}},
		map[string]any{"key": "code", "widget": "text", "label": map[string]any{"de": "Code"}}))
	f := mustParse(t, encode(t, def))
	tests := []struct {
		name string
		data map[string]any
		want fieldErr
	}{
		{"repeat minItems 2", map[string]any{"name": "E", "pets": []any{map[string]any{}}},
			fieldErr{"/pets", "minItems", "Bitte fügen Sie mindestens 2 Einträge hinzu.", "Please add at least 2 entries."}},
		{"maxLength 1", map[string]any{"name": "E", "pets": []any{map[string]any{"n": "ab"}, map[string]any{}}},
			fieldErr{"/pets/0/n", "maxLength", "Bitte geben Sie höchstens ein Zeichen ein.", "Please enter at most one character."}},
		{"minLength 1", map[string]any{"name": "E", "code": ""},
			fieldErr{"/code", "minLength", "Bitte geben Sie mindestens ein Zeichen ein.", "Please enter at least one character."}},
		{"maxLength 4", map[string]any{"name": "E", "code": "abcde"},
			fieldErr{"/code", "maxLength", "Bitte geben Sie höchstens 4 Zeichen ein.", "Please enter at most 4 characters."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkOne(t, f.Validate(tt.data), tt.want)
		})
	}
}

func TestPointerSetGetDelete(t *testing.T) {
	data := map[string]any{}
	for _, tc := range []struct {
		pointer string
		value   any
	}{
		{"/name", "Erika"},
		{"/address/street", "Heidestraße 17"},
		{"/members/0/name", "Max"},
		{"/members/1/name", "Lena"},
		{"/a~1b/c~0d", true},
	} {
		if !formschema.Set(data, tc.pointer, tc.value) {
			t.Fatalf("Set(%s) failed", tc.pointer)
		}
		if got, ok := formschema.Get(data, tc.pointer); !ok || got != tc.value {
			t.Errorf("Get(%s) = %v, %v; want %v", tc.pointer, got, ok, tc.value)
		}
	}
	if formschema.Set(data, "/members/5/name", "x") {
		t.Error("Set past the end of an array succeeded")
	}
	if formschema.Set(data, "/name/inner", "x") {
		t.Error("Set below a string succeeded")
	}
	if !formschema.Delete(data, "/members/0") {
		t.Fatal("Delete of an array element failed")
	}
	members, _ := formschema.Get(data, "/members")
	if list, _ := members.([]any); len(list) != 1 || list[0].(map[string]any)["name"] != "Lena" {
		t.Errorf("members after deleting the first = %v, want [Lena]", members)
	}
	if !formschema.Delete(data, "/address/street") || formschema.Delete(data, "/address/street") {
		t.Error("Delete of a key: want true once, then false")
	}
	if _, ok := formschema.Get(data, "/address/street"); ok {
		t.Error("the deleted key is still there")
	}
}

// TestCopy_SharesNothing: a copy does not change when the original's maps
// and lists are changed in place, nested ones too.
func TestCopy_SharesNothing(t *testing.T) {
	v := map[string]any{"person": map[string]any{"name": "Erika", "kids": []any{map[string]any{"name": "Jan"}}}, "none": []any(nil)}
	c := formschema.Copy(v)
	formschema.Set(v, "/person/name", "Max")
	formschema.Set(v, "/person/kids/0/name", "Tom")
	v["city"] = "Köln"
	got, _ := json.Marshal(c)
	if want := `{"none":null,"person":{"kids":[{"name":"Jan"}],"name":"Erika"}}`; string(got) != want {
		t.Errorf("copy after the original changed = %s, want %s", got, want)
	}
}

func TestItems(t *testing.T) {
	files, err := assets.DemoFormFiles()
	if err != nil {
		t.Fatal(err)
	}
	f, err := formschema.Parse(files["anmeldung-wohnung.json"])
	if err != nil {
		t.Fatal(err)
	}
	members := f.Field("/members")
	if members == nil {
		t.Fatal("no /members field")
	}
	if min, max := f.Items(members); min != 1 || max != 9 {
		t.Errorf("Items(/members) = %d, %d; want 1, 9", min, max)
	}
	if min, max := f.Items(f.Field("/signature")); min != 0 || max != 0 {
		t.Errorf("Items of a non-repeat = %d, %d; want 0, 0", min, max)
	}
}
