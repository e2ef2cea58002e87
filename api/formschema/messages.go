package formschema

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"rathaus/api"
)

// collect walks a validation error tree and emits one (pointer, code) per
// failing rule, turning "missing property x" on an object into "required" on
// the field x, where the citizen can act on it.
func collect(ve *jsonschema.ValidationError, emit func(pointer, code string, params map[string]any)) {
	at := pointerOf(ve.InstanceLocation)
	switch k := ve.ErrorKind.(type) {
	case *kind.Required:
		for _, m := range k.Missing {
			emit(at+"/"+escape(m), "required", nil)
		}
		return
	case *kind.DependentRequired:
		for _, m := range k.Missing {
			emit(at+"/"+escape(m), "required", nil)
		}
		return
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			emit(at+"/"+escape(p), "additionalProperties", nil)
		}
		return
	case *kind.AnyOf, *kind.OneOf:
		// The branches' own failures would only confuse: say the value
		// matches none of the allowed shapes.
		emit(at, "anyOf", nil)
		return
	}
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			collect(c, emit)
		}
		return
	}
	code, params := describe(ve.ErrorKind)
	emit(at, code, params)
}

func describe(k jsonschema.ErrorKind) (string, map[string]any) {
	switch k := k.(type) {
	case *kind.MinLength:
		return "minLength", map[string]any{"n": k.Want}
	case *kind.MaxLength:
		return "maxLength", map[string]any{"n": k.Want}
	case *kind.Minimum:
		return "minimum", map[string]any{"n": ratString(k.Want)}
	case *kind.Maximum:
		return "maximum", map[string]any{"n": ratString(k.Want)}
	case *kind.ExclusiveMinimum:
		return "exclusiveMinimum", map[string]any{"n": ratString(k.Want)}
	case *kind.ExclusiveMaximum:
		return "exclusiveMaximum", map[string]any{"n": ratString(k.Want)}
	case *kind.Type:
		return "type", map[string]any{"want": strings.Join(k.Want, "/")}
	case *kind.Format:
		return "format", map[string]any{"want": k.Want}
	case *kind.Enum, *kind.Const:
		return "enum", nil
	case *kind.MinItems:
		return "minItems", map[string]any{"n": k.Want}
	case *kind.MaxItems:
		return "maxItems", map[string]any{"n": k.Want}
	case *kind.Pattern:
		return "pattern", nil
	case *kind.MultipleOf:
		return "multipleOf", map[string]any{"n": ratString(k.Want)}
	}
	path := k.KeywordPath()
	if len(path) == 0 {
		return "invalid", nil
	}
	return path[0], nil
}

func ratString(r *big.Rat) string {
	if r == nil {
		return ""
	}
	if r.IsInt() {
		return r.Num().String()
	}
	return strings.TrimRight(strings.TrimRight(r.FloatString(6), "0"), ".")
}

// builtin messages per rule code; {n} and {want} are filled in.
var builtin = map[string]api.Text{
	"required":             {"de": "Bitte füllen Sie dieses Feld aus.", "en": "Please fill in this field."},
	"minLength":            {"de": "Bitte geben Sie mindestens {n} Zeichen ein.", "en": "Please enter at least {n} characters."},
	"maxLength":            {"de": "Bitte geben Sie höchstens {n} Zeichen ein.", "en": "Please enter at most {n} characters."},
	"minimum":              {"de": "Der Wert muss mindestens {n} sein.", "en": "The value must be at least {n}."},
	"maximum":              {"de": "Der Wert darf höchstens {n} sein.", "en": "The value must be at most {n}."},
	"exclusiveMinimum":     {"de": "Der Wert muss größer als {n} sein.", "en": "The value must be greater than {n}."},
	"exclusiveMaximum":     {"de": "Der Wert muss kleiner als {n} sein.", "en": "The value must be less than {n}."},
	"type":                 {"de": "Dieser Wert hat nicht die erwartete Art.", "en": "This value is not of the expected kind."},
	"format":               {"de": "Dieser Wert hat nicht das erwartete Format.", "en": "This value does not have the expected format."},
	"pattern":              {"de": "Dieser Wert hat nicht das erwartete Format.", "en": "This value does not have the expected format."},
	"enum":                 {"de": "Bitte wählen Sie einen der angebotenen Werte.", "en": "Please choose one of the offered values."},
	"minItems":             {"de": "Bitte geben Sie mindestens {n} Einträge an.", "en": "Please add at least {n} entries."},
	"maxItems":             {"de": "Bitte geben Sie höchstens {n} Einträge an.", "en": "Please add at most {n} entries."},
	"multipleOf":           {"de": "Der Wert muss ein Vielfaches von {n} sein.", "en": "The value must be a multiple of {n}."},
	"additionalProperties": {"de": "Dieses Feld gehört nicht zum Formular.", "en": "This field is not part of the form."},
	"anyOf":                {"de": "Diese Angabe passt zu keiner der erlaubten Möglichkeiten.", "en": "This entry matches none of the allowed options."},
	"invalid":              {"de": "Dieser Wert ist ungültig.", "en": "This value is not valid."},
}

// byWidget refines a rule's message for a kind of field, where the generic
// text would leave the citizen guessing.
var byWidget = map[api.Widget]map[string]api.Text{
	api.WidgetInteger:  {"type": {"de": "Bitte geben Sie eine ganze Zahl ein.", "en": "Please enter a whole number."}},
	api.WidgetDecimal:  {"type": {"de": "Bitte geben Sie eine Zahl ein, z. B. 12,5.", "en": "Please enter a number, e.g. 12.5."}},
	api.WidgetDate:     {"format": {"de": "Bitte geben Sie ein Datum ein (TT.MM.JJJJ).", "en": "Please enter a date (DD.MM.YYYY)."}},
	api.WidgetEmail:    {"format": {"de": "Bitte geben Sie eine gültige E-Mail-Adresse ein.", "en": "Please enter a valid e-mail address."}},
	api.WidgetPostcode: {"pattern": {"de": "Eine Postleitzahl hat fünf Ziffern.", "en": "A German postcode has five digits."}},
	api.WidgetPhone:    {"pattern": {"de": "Bitte geben Sie eine Telefonnummer ein, z. B. 0621 123456.", "en": "Please enter a phone number, e.g. +49 621 123456."}},
}

// message finds the most specific text for a failing rule: the field's own,
// then the form's, then the widget's, then the built-in one.
func (f *Form) message(pointer, code string, params map[string]any) api.Text {
	var t api.Text
	fd := f.fields[pointer]
	switch {
	case fd != nil && fd.Errors[code] != nil:
		t = fd.Errors[code]
	case f.Def.Messages[code] != nil:
		t = f.Def.Messages[code]
	case fd != nil && byWidget[fd.Widget][code] != nil:
		t = byWidget[fd.Widget][code]
	case builtin[code] != nil:
		t = builtin[code]
	default:
		t = builtin["invalid"]
	}
	out := make(api.Text, len(t))
	for lang, s := range t {
		for k, v := range params {
			s = strings.ReplaceAll(s, "{"+k+"}", fmt.Sprint(v))
		}
		out[lang] = s
	}
	return out
}

func pointerOf(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escape(t))
	}
	return b.String()
}

func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
