package api

import "encoding/json"

// Form is one immutable version of a form definition: a JSON Schema (draft
// 2020-12) for the data, plus layout hints that say how to ask for it. The
// schema is the only authority on what is valid; the layout only orders,
// labels and chooses widgets. docs/forms.md documents the format.
type Form struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Title   Text   `json:"title"`
	Intro   Text   `json:"intro,omitempty"`
	// Schema describes the data object the form produces.
	Schema json.RawMessage `json:"schema"`
	// Steps are the pages of the form, in order.
	Steps []Step `json:"steps"`
	// Messages override the built-in validation messages per rule code
	// ("required", "pattern", ...) for the whole form.
	Messages map[string]Text `json:"messages,omitempty"`
}

// Ref returns the form's id and version.
func (f *Form) Ref() FormRef { return FormRef{ID: f.ID, Version: f.Version} }

// Step is one page of a form.
type Step struct {
	ID     string  `json:"id"`
	Title  Text    `json:"title"`
	Fields []Field `json:"fields"`
}

// Field places one property of the schema on a step.
type Field struct {
	// Key is the property name in the data object; the field's JSON Pointer
	// is "/" + Key. Info fields have no key.
	Key         string `json:"key,omitempty"`
	Widget      Widget `json:"widget"`
	Label       Text   `json:"label,omitempty"`
	Help        Text   `json:"help,omitempty"`
	Placeholder Text   `json:"placeholder,omitempty"`
	// Options label the values of a choice field; the values themselves
	// come from the schema's enum.
	Options []Option `json:"options,omitempty"`
	// Errors override validation messages for this field per rule code.
	Errors map[string]Text `json:"errors,omitempty"`
}

// Pointer is the field's RFC 6901 JSON Pointer into the form data.
func (f *Field) Pointer() string {
	if f.Key == "" {
		return ""
	}
	return "/" + escapePointerToken(f.Key)
}

func escapePointerToken(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '~':
			out = append(out, '~', '0')
		case '/':
			out = append(out, '~', '1')
		default:
			out = append(out, s[i])
		}
	}
	return string(out)
}

// Option is one labelled value of a choice field.
type Option struct {
	Value string `json:"value"`
	Label Text   `json:"label"`
}

// Widget is the kind of input a field asks with.
type Widget string

// The widgets a form may use. Each implies the JSON type of its value.
const (
	WidgetText     Widget = "text"     // string, one line
	WidgetTextarea Widget = "textarea" // string, several lines
	WidgetInteger  Widget = "integer"  // integer
	WidgetDecimal  Widget = "decimal"  // number
	WidgetBoolean  Widget = "boolean"  // boolean, a check box
	WidgetDate     Widget = "date"     // string, format "date" (YYYY-MM-DD)
	WidgetChoice   Widget = "choice"   // string from the schema's enum
	WidgetEmail    Widget = "email"    // string, format "email"
	WidgetPhone    Widget = "phone"    // string, a phone number
	WidgetPostcode Widget = "postcode" // string, five digits
	WidgetInfo     Widget = "info"     // no value: a read-only text (Label)
)

// Widgets lists every known widget.
var Widgets = []Widget{
	WidgetText, WidgetTextarea, WidgetInteger, WidgetDecimal, WidgetBoolean, WidgetDate,
	WidgetChoice, WidgetEmail, WidgetPhone, WidgetPostcode, WidgetInfo,
}

// HasValue reports whether the widget produces a value in the data.
func (w Widget) HasValue() bool { return w != WidgetInfo }
