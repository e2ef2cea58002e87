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
	// ShowWhen, if set, shows the step only when the condition holds;
	// the values of a hidden step are not sent.
	ShowWhen *Condition `json:"showWhen,omitempty"`
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
	// Fields are the children of a group, repeat or address field; their
	// keys are relative to the group's object (for a repeat: to each item).
	Fields []Field `json:"fields,omitempty"`
	// ShowWhen, if set, shows the field only when the condition holds;
	// the value of a hidden field is kept in the draft but not sent.
	ShowWhen *Condition `json:"showWhen,omitempty"`
	// AddLabel names the button that adds an item to a repeat
	// ("Add a household member").
	AddLabel Text `json:"addLabel,omitempty"`
	// Accept lists the media types a file field takes ("application/pdf",
	// "image/*"); empty means any.
	Accept []string `json:"accept,omitempty"`
	// MaxSize bounds a file or photo in bytes (0: the backend's limit).
	MaxSize int64 `json:"maxSize,omitempty"`
}

// Condition decides whether a step or field is shown, from another field's
// value. Field is a JSON Pointer into the form data ("/moved_from_abroad");
// without a leading "/" it is relative to the object that holds the
// condition's field (a group's object, a repeat's item). Exactly one test is
// given: Equals (the value equals), In (the value is one of), NotEmpty (a
// value is present and is not "", false, [] or {}). All and Any combine
// conditions instead of testing a field.
type Condition struct {
	Field    string       `json:"field,omitempty"`
	Equals   any          `json:"equals,omitempty"`
	In       []any        `json:"in,omitempty"`
	NotEmpty bool         `json:"notEmpty,omitempty"`
	All      []*Condition `json:"all,omitempty"`
	Any      []*Condition `json:"any,omitempty"`
}

// Pointer is the field's RFC 6901 JSON Pointer into the form data.
func (f *Field) Pointer() string {
	if f.Key == "" {
		return ""
	}
	return "/" + escapePointerToken(f.Key)
}

// PointerToken is "/" and the key escaped for a JSON Pointer: appended to
// an object's pointer, it names the object's member key.
func PointerToken(key string) string { return "/" + escapePointerToken(key) }

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
	WidgetText      Widget = "text"      // string, one line
	WidgetTextarea  Widget = "textarea"  // string, several lines
	WidgetInteger   Widget = "integer"   // integer
	WidgetDecimal   Widget = "decimal"   // number
	WidgetMoney     Widget = "money"     // number of euros, at most two decimals (multipleOf 0.01)
	WidgetBoolean   Widget = "boolean"   // boolean, a check box ("yes/no")
	WidgetDate      Widget = "date"      // string, format "date" (YYYY-MM-DD), picked from a calendar
	WidgetChoice    Widget = "choice"    // string from the schema's enum: radio buttons up to 4 options, else a drop-down
	WidgetMulti     Widget = "multi"     // array of strings from the items' enum, check boxes
	WidgetEmail     Widget = "email"     // string, format "email"
	WidgetPhone     Widget = "phone"     // string, a phone number
	WidgetPostcode  Widget = "postcode"  // string, a German postcode (five digits)
	WidgetIBAN      Widget = "iban"      // string, format "iban" (checked with its mod-97 checksum)
	WidgetAddress   Widget = "address"   // object: street, house number, postcode, city (Fields may refine)
	WidgetFile      Widget = "file"      // object, format "attachment": a file the citizen picks
	WidgetPhoto     Widget = "photo"     // object, format "attachment": a photo, downscaled on the device
	WidgetSignature Widget = "signature" // object, format "signature": strokes drawn on the screen
	WidgetInfo      Widget = "info"      // no value: a read-only text (Label)
	WidgetGroup     Widget = "group"     // object: its Fields, shown together under a heading
	WidgetRepeat    Widget = "repeat"    // array of objects: its Fields once per item, with add and remove
)

// Widgets lists every known widget.
var Widgets = []Widget{
	WidgetText, WidgetTextarea, WidgetInteger, WidgetDecimal, WidgetMoney, WidgetBoolean,
	WidgetDate, WidgetChoice, WidgetMulti, WidgetEmail, WidgetPhone, WidgetPostcode, WidgetIBAN,
	WidgetAddress, WidgetFile, WidgetPhoto, WidgetSignature, WidgetInfo, WidgetGroup, WidgetRepeat,
}

// HasValue reports whether the widget produces a value in the data.
func (w Widget) HasValue() bool { return w != WidgetInfo }

// HasChildren reports whether the widget holds child fields.
func (w Widget) HasChildren() bool {
	return w == WidgetGroup || w == WidgetRepeat || w == WidgetAddress
}

// IsAttachment reports whether the widget's value is an Attachment.
func (w Widget) IsAttachment() bool { return w == WidgetFile || w == WidgetPhoto }
