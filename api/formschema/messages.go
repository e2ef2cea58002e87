package formschema

import (
	"errors"
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
	case *kind.Dependency:
		for _, m := range k.Missing {
			emit(at+"/"+escape(m), "required", nil)
		}
		if len(k.Missing) > 0 {
			return
		}
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

// Codes lists every rule code a FieldError may carry; each has a built-in
// message in German and English.
var Codes = []string{
	"required", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
	"exclusiveMaximum", "multipleOf", "type", "format", "pattern", "enum", "minItems",
	"maxItems", "uniqueItems", "additionalItems", "contains", "minContains", "maxContains",
	"minProperties", "maxProperties", "propertyNames", "additionalProperties", "anyOf",
	"not", "notAllowed", "invalid",
}

// describe names the rule a leaf error broke and the parameters its
// message fills in.
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
	case *kind.MultipleOf:
		return "multipleOf", map[string]any{"n": ratString(k.Want)}
	case *kind.Type:
		return "type", map[string]any{"want": strings.Join(k.Want, "/")}
	case *kind.InvalidJsonValue:
		return "type", map[string]any{"want": "JSON"}
	case *kind.Format:
		params := map[string]any{"want": k.Want}
		var ibanErr *IBANError
		var dateErr *DateError
		switch {
		case errors.As(k.Err, &ibanErr):
			params = ibanErr.params()
			params["want"] = k.Want
		case errors.As(k.Err, &dateErr):
			params["reason"] = dateErr.Reason
		}
		return "format", params
	case *kind.Pattern:
		return "pattern", nil
	case *kind.Enum, *kind.Const:
		return "enum", nil
	case *kind.MinItems:
		return "minItems", map[string]any{"n": k.Want}
	case *kind.MaxItems:
		return "maxItems", map[string]any{"n": k.Want}
	case *kind.UniqueItems:
		return "uniqueItems", nil
	case *kind.AdditionalItems:
		return "additionalItems", nil
	case *kind.Contains:
		return "contains", nil
	case *kind.MinContains:
		return "minContains", map[string]any{"n": k.Want}
	case *kind.MaxContains:
		return "maxContains", map[string]any{"n": k.Want}
	case *kind.MinProperties:
		return "minProperties", map[string]any{"n": k.Want}
	case *kind.MaxProperties:
		return "maxProperties", map[string]any{"n": k.Want}
	case *kind.PropertyNames:
		return "propertyNames", nil
	case *kind.AdditionalProperties:
		return "additionalProperties", nil
	case *kind.Required, *kind.DependentRequired, *kind.Dependency:
		return "required", nil
	case *kind.AnyOf, *kind.OneOf:
		return "anyOf", nil
	case *kind.Not:
		return "not", nil
	case *kind.FalseSchema:
		return "notAllowed", nil
	}
	return "invalid", nil
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

// builtin messages per rule code; {n} and {want} are filled in. A code with
// the suffix ".one" is used instead when n is 1.
var builtin = map[string]api.Text{
	"required":             {"de": "Bitte füllen Sie dieses Feld aus.", "en": "Please fill in this field."},
	"minLength":            {"de": "Bitte geben Sie mindestens {n} Zeichen ein.", "en": "Please enter at least {n} characters."},
	"minLength.one":        {"de": "Bitte geben Sie mindestens ein Zeichen ein.", "en": "Please enter at least one character."},
	"maxLength":            {"de": "Bitte geben Sie höchstens {n} Zeichen ein.", "en": "Please enter at most {n} characters."},
	"maxLength.one":        {"de": "Bitte geben Sie höchstens ein Zeichen ein.", "en": "Please enter at most one character."},
	"minimum":              {"de": "Der Wert muss mindestens {n} sein.", "en": "The value must be at least {n}."},
	"maximum":              {"de": "Der Wert darf höchstens {n} sein.", "en": "The value must be at most {n}."},
	"exclusiveMinimum":     {"de": "Der Wert muss größer als {n} sein.", "en": "The value must be greater than {n}."},
	"exclusiveMaximum":     {"de": "Der Wert muss kleiner als {n} sein.", "en": "The value must be less than {n}."},
	"multipleOf":           {"de": "Der Wert muss ein Vielfaches von {n} sein.", "en": "The value must be a multiple of {n}."},
	"type":                 {"de": "Dieser Wert hat nicht die erwartete Art.", "en": "This value is not of the expected kind."},
	"format":               {"de": "Dieser Wert hat nicht das erwartete Format.", "en": "This value does not have the expected format."},
	"pattern":              {"de": "Dieser Wert hat nicht das erwartete Format.", "en": "This value does not have the expected format."},
	"enum":                 {"de": "Bitte wählen Sie einen der angebotenen Werte.", "en": "Please choose one of the offered values."},
	"minItems":             {"de": "Bitte geben Sie mindestens {n} Einträge an.", "en": "Please add at least {n} entries."},
	"minItems.one":         {"de": "Bitte geben Sie mindestens einen Eintrag an.", "en": "Please add at least one entry."},
	"maxItems":             {"de": "Bitte geben Sie höchstens {n} Einträge an.", "en": "Please add at most {n} entries."},
	"maxItems.one":         {"de": "Bitte geben Sie höchstens einen Eintrag an.", "en": "Please add at most one entry."},
	"uniqueItems":          {"de": "Bitte geben Sie jeden Wert nur einmal an.", "en": "Please give each value only once."},
	"additionalItems":      {"de": "Diese Liste hat zu viele Einträge.", "en": "This list has too many entries."},
	"contains":             {"de": "In dieser Liste fehlt ein erforderlicher Eintrag.", "en": "This list lacks a required entry."},
	"minContains":          {"de": "In dieser Liste fehlen erforderliche Einträge (mindestens {n}).", "en": "This list lacks required entries (at least {n})."},
	"maxContains":          {"de": "Diese Liste hat zu viele gleichartige Einträge (höchstens {n}).", "en": "This list has too many entries of one kind (at most {n})."},
	"minProperties":        {"de": "Bitte machen Sie mindestens {n} Angaben.", "en": "Please fill in at least {n} entries."},
	"minProperties.one":    {"de": "Bitte machen Sie mindestens eine Angabe.", "en": "Please fill in at least one entry."},
	"maxProperties":        {"de": "Bitte machen Sie höchstens {n} Angaben.", "en": "Please fill in at most {n} entries."},
	"maxProperties.one":    {"de": "Bitte machen Sie höchstens eine Angabe.", "en": "Please fill in at most one entry."},
	"propertyNames":        {"de": "Diese Bezeichnung ist hier nicht zulässig.", "en": "This name is not allowed here."},
	"additionalProperties": {"de": "Dieses Feld gehört nicht zum Formular.", "en": "This field is not part of the form."},
	"anyOf":                {"de": "Diese Angabe passt zu keiner der erlaubten Möglichkeiten.", "en": "This entry matches none of the allowed options."},
	"not":                  {"de": "Dieser Wert ist hier nicht zulässig.", "en": "This value is not allowed here."},
	"notAllowed":           {"de": "Diese Angabe ist hier nicht vorgesehen.", "en": "This entry is not expected here."},
	"invalid":              {"de": "Dieser Wert ist ungültig.", "en": "This value is not valid."},
}

// byFormat refines the "format" message for the custom formats, whatever
// the field's widget; "FORMAT.REASON" says why a value failed where the
// check tells (IBANError, DateError), and takes precedence over the
// widget's text.
var byFormat = map[string]api.Text{
	"iban":          {"de": "Dies ist keine gültige IBAN. Bitte vergleichen Sie sie mit Ihrer Bankkarte.", "en": "This is not a valid IBAN. Please compare it with your bank card."},
	"iban.checksum": {"de": "Die Prüfziffer stimmt nicht: Bitte vergleichen Sie die IBAN Zeichen für Zeichen mit Ihrer Bankkarte.", "en": "The check digits are wrong: please compare the IBAN character by character with your bank card."},
	"iban.length":   {"de": "Eine IBAN mit dem Ländercode {cc} hat {n} Zeichen, diese hat {got}.", "en": "An IBAN with the country code {cc} has {n} characters; this one has {got}."},
	"iban.range":    {"de": "Eine IBAN hat 15 bis 34 Zeichen, diese hat {got}.", "en": "An IBAN has 15 to 34 characters; this one has {got}."},
	"iban.country":  {"de": "Eine IBAN beginnt mit dem Ländercode aus zwei Buchstaben, z. B. DE.", "en": "An IBAN starts with a two-letter country code, e.g. DE."},
	"iban.unknown":  {"de": "{cc} ist kein Ländercode einer IBAN. Eine deutsche IBAN beginnt mit DE.", "en": "{cc} is not the country code of any IBAN. A German IBAN starts with DE."},
	"iban.chars":    {"de": "Eine IBAN enthält nur Buchstaben und Ziffern.", "en": "An IBAN holds only letters and digits."},
	"attachment":    {"de": "Diese Datei ist unvollständig oder zu groß (höchstens 10 MB). Bitte fügen Sie sie erneut hinzu.", "en": "This file is incomplete or too large (at most 10 MB). Please add it again."},
	"signature":     {"de": "Bitte unterschreiben Sie.", "en": "Please sign."},
	"email":         {"de": "Bitte geben Sie eine gültige E-Mail-Adresse ein.", "en": "Please enter a valid e-mail address."},
	"date":          {"de": "Bitte geben Sie ein Datum ein (TT.MM.JJJJ).", "en": "Please enter a date (DD/MM/YYYY)."},
	"date.form":     {"de": "Bitte geben Sie ein Datum ein (TT.MM.JJJJ).", "en": "Please enter a date (DD/MM/YYYY)."},
	"date.day":      {"de": "Diesen Tag gibt es nicht. Bitte prüfen Sie Tag und Monat (TT.MM.JJJJ).", "en": "This day does not exist. Please check the day and month (DD/MM/YYYY)."},
}

var (
	fileType  = api.Text{"de": "Diese Dateiart wird hier nicht angenommen.", "en": "This kind of file is not accepted here."}
	fileLarge = api.Text{"de": "Diese Datei ist zu groß.", "en": "This file is too large."}
	signText  = api.Text{"de": "Bitte unterschreiben Sie.", "en": "Please sign."}
)

// byWidget refines a rule's message for a kind of field, where the generic
// text would leave the citizen guessing.
var byWidget = map[api.Widget]map[string]api.Text{
	api.WidgetInteger: {"type": {"de": "Bitte geben Sie eine ganze Zahl ein.", "en": "Please enter a whole number."}},
	api.WidgetDecimal: {"type": {"de": "Bitte geben Sie eine Zahl ein, z. B. 12,5.", "en": "Please enter a number, e.g. 12.5."}},
	api.WidgetMoney: {
		"type":       {"de": "Bitte geben Sie einen Betrag in Euro ein, z. B. 12,50.", "en": "Please enter an amount in euros, e.g. 12.50."},
		"multipleOf": {"de": "Bitte geben Sie den Betrag mit höchstens zwei Nachkommastellen an.", "en": "Please enter the amount with at most two decimals."},
	},
	api.WidgetBoolean: {"enum": {"de": "Bitte bestätigen Sie diese Angabe.", "en": "Please confirm this."}},
	api.WidgetDate: {
		"format":   byFormat["date"],
		"required": {"de": "Bitte wählen Sie ein Datum.", "en": "Please choose a date."},
	},
	api.WidgetEmail:    {"format": byFormat["email"]},
	api.WidgetPostcode: {"pattern": {"de": "Eine Postleitzahl hat fünf Ziffern.", "en": "A German postcode has five digits."}},
	api.WidgetPhone:    {"pattern": {"de": "Bitte geben Sie eine Telefonnummer ein, z. B. 0621 123456.", "en": "Please enter a phone number, e.g. +49 621 123456."}},
	api.WidgetIBAN:     {"format": byFormat["iban"]},
	api.WidgetChoice: {
		"required": {"de": "Bitte wählen Sie eine Möglichkeit.", "en": "Please choose an option."},
	},
	api.WidgetMulti: {
		"required":     {"de": "Bitte wählen Sie mindestens eine Möglichkeit.", "en": "Please choose at least one option."},
		"minItems":     {"de": "Bitte wählen Sie mindestens {n} Möglichkeiten.", "en": "Please choose at least {n} options."},
		"minItems.one": {"de": "Bitte wählen Sie mindestens eine Möglichkeit.", "en": "Please choose at least one option."},
		"maxItems":     {"de": "Bitte wählen Sie höchstens {n} Möglichkeiten.", "en": "Please choose at most {n} options."},
		"maxItems.one": {"de": "Bitte wählen Sie höchstens eine Möglichkeit.", "en": "Please choose at most one option."},
		"enum":         {"de": "Bitte wählen Sie nur angebotene Möglichkeiten.", "en": "Please choose only the options offered."},
		"uniqueItems":  {"de": "Bitte wählen Sie jede Möglichkeit nur einmal.", "en": "Please choose each option only once."},
	},
	api.WidgetAddress: {
		"required": {"de": "Bitte geben Sie die Anschrift an.", "en": "Please enter the address."},
	},
	api.WidgetRepeat: {
		"required":     {"de": "Bitte fügen Sie mindestens einen Eintrag hinzu.", "en": "Please add at least one entry."},
		"minItems":     {"de": "Bitte fügen Sie mindestens {n} Einträge hinzu.", "en": "Please add at least {n} entries."},
		"minItems.one": {"de": "Bitte fügen Sie mindestens einen Eintrag hinzu.", "en": "Please add at least one entry."},
		"maxItems":     {"de": "Bitte geben Sie höchstens {n} Einträge an und entfernen Sie die übrigen.", "en": "Please give at most {n} entries and remove the others."},
		"maxItems.one": {"de": "Bitte geben Sie höchstens einen Eintrag an und entfernen Sie die übrigen.", "en": "Please give at most one entry and remove the others."},
	},
	api.WidgetFile: {
		"required": {"de": "Bitte fügen Sie die Datei hinzu.", "en": "Please add the file."},
		"format":   byFormat["attachment"],
		"enum":     fileType,
		"pattern":  fileType,
		"maximum":  fileLarge,
	},
	api.WidgetPhoto: {
		"required": {"de": "Bitte fügen Sie ein Foto hinzu.", "en": "Please add a photo."},
		"format":   {"de": "Dieses Foto ist unvollständig oder zu groß (höchstens 10 MB). Bitte fügen Sie es erneut hinzu.", "en": "This photo is incomplete or too large (at most 10 MB). Please add it again."},
		"enum":     fileType,
		"pattern":  fileType,
		"maximum":  fileLarge,
	},
	api.WidgetSignature: {"required": signText, "format": signText, "type": signText},
}

// message finds the most specific text for a failing rule: the field's own,
// then the form's, then the widget's, then the format's, then the built-in
// one. Where n is 1, a ".one" variant of the widget's or built-in text
// takes precedence at its level.
func (f *Form) message(pointer, code string, params map[string]any) api.Text {
	fd := f.FieldAt(pointer)
	var t api.Text
	switch {
	case fd != nil && fd.Errors[code] != nil:
		t = fd.Errors[code]
	case f.Def.Messages[code] != nil:
		t = f.Def.Messages[code]
	default:
		t = defaultMessage(fd, code, params)
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

func defaultMessage(fd *api.Field, code string, params map[string]any) api.Text {
	if t := reasonMessage(code, params); t != nil {
		return t
	}
	keys := []string{code}
	if fmt.Sprint(params["n"]) == "1" {
		keys = []string{code + ".one", code}
	}
	if fd != nil {
		for _, k := range keys {
			if t := byWidget[fd.Widget][k]; t != nil {
				return t
			}
		}
	}
	if code == "format" {
		if want, _ := params["want"].(string); byFormat[want] != nil {
			return byFormat[want]
		}
	}
	for _, k := range keys {
		if t := builtin[k]; t != nil {
			return t
		}
	}
	return builtin["invalid"]
}

// reasonMessage is the text for why a value failed its format, when the
// check said why.
func reasonMessage(code string, params map[string]any) api.Text {
	want, _ := params["want"].(string)
	reason, _ := params["reason"].(string)
	if code != "format" || reason == "" {
		return nil
	}
	if want == "iban" && reason == IBANLength && fmt.Sprint(params["n"]) == "0" {
		reason = "range" // no country whose length to name
	}
	return byFormat[want+"."+reason]
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
