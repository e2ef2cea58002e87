package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
)

// fieldInput is one field of a form on screen: its label, help, the input
// widget for its kind and the place where its error shows.
type fieldInput struct {
	field    *api.Field
	pointer  string // the field's instance pointer in the data ("/members/0/name")
	input    fyne.CanvasObject
	errLabel *widget.Label
	box      *fyne.Container
	// choose takes a picked file (file and photo fields); tests call it
	// instead of the file dialog.
	choose func(name string, data []byte)
}

// setError shows msg under the field, or hides the error when msg is "".
func (fi *fieldInput) setError(msg string) {
	if fi.errLabel == nil || fi.errLabel.Text == msg && fi.errLabel.Visible() == (msg != "") {
		return
	}
	fi.errLabel.SetText(msg)
	if msg == "" {
		fi.errLabel.Hide()
	} else {
		fi.errLabel.Show()
	}
}

// frame lays out a field: its label (with * when required), its help, the
// view holding its input and the place of its error.
func frame(fd *api.Field, pointer string, required bool, lng string, input, view fyne.CanvasObject) *fieldInput {
	fi := &fieldInput{field: fd, pointer: pointer, input: input}
	var parts []fyne.CanvasObject
	if fd.Widget != api.WidgetBoolean { // a check box carries its label
		label := widget.NewLabel(fd.Label.In(lng))
		if required {
			label.SetText(label.Text + " *")
		}
		label.TextStyle = fyne.TextStyle{Bold: true}
		label.Wrapping = fyne.TextWrapWord
		parts = append(parts, label)
	}
	if h := fd.Help.In(lng); h != "" {
		help := widget.NewLabel(h)
		help.Wrapping = fyne.TextWrapWord
		help.Importance = widget.LowImportance
		parts = append(parts, help)
	}
	fi.errLabel = widget.NewLabel("")
	fi.errLabel.Wrapping = fyne.TextWrapWord
	fi.errLabel.Importance = widget.DangerImportance
	fi.errLabel.Hide()
	if view == nil {
		view = input
	}
	parts = append(parts, view, fi.errLabel)
	fi.box = container.NewVBox(parts...)
	return fi
}

// newInput builds the input of a field with a plain value, showing value
// (nil when the data has none), and calls onChange with the new value (nil
// to remove it) whenever the citizen changes it. It returns the input and
// the view to place (the input with its decorations).
func newInput(fd *api.Field, value any, lng string, onChange func(any)) (input, view fyne.CanvasObject) {
	switch fd.Widget {
	case api.WidgetBoolean:
		c := widget.NewCheck(fd.Label.In(lng), nil)
		c.SetChecked(value == true)
		c.OnChanged = func(b bool) { onChange(b) }
		return c, nil
	case api.WidgetDate:
		e := widget.NewDateEntry()
		if s, ok := value.(string); ok {
			if t, err := time.Parse(time.DateOnly, s); err == nil {
				e.SetDate(&t)
			}
		}
		e.OnChanged = func(t *time.Time) {
			if t == nil {
				onChange(nil)
				return
			}
			onChange(t.Format(time.DateOnly))
		}
		return e, nil
	case api.WidgetChoice:
		return newChoice(fd, value, lng, onChange), nil
	case api.WidgetMulti:
		return newMulti(fd, value, lng, onChange), nil
	}

	var e *widget.Entry
	if fd.Widget == api.WidgetTextarea {
		e = widget.NewMultiLineEntry()
		e.Wrapping = fyne.TextWrapWord
		e.SetMinRowsVisible(4)
	} else {
		e = widget.NewEntry()
	}
	if p := fd.Placeholder.In(lng); p != "" {
		e.SetPlaceHolder(p)
	}
	e.SetText(formatValue(fd.Widget, value))
	e.OnChanged = func(s string) { onChange(parseValue(fd.Widget, s)) }
	if fd.Widget == api.WidgetMoney {
		return e, container.NewBorder(nil, nil, nil, widget.NewLabel("€"), e)
	}
	return e, nil
}

// newChoice is a radio group for a few options and a drop-down for many.
func newChoice(fd *api.Field, value any, lng string, onChange func(any)) fyne.CanvasObject {
	labels, byLabel := optionLabels(fd, lng)
	selected := ""
	for l, v := range byLabel {
		if fmt.Sprint(value) == v {
			selected = l
		}
	}
	changed := func(label string) {
		if v, ok := byLabel[label]; ok {
			onChange(v)
			return
		}
		onChange(nil)
	}
	if len(labels) <= 4 {
		r := widget.NewRadioGroup(labels, nil)
		r.SetSelected(selected)
		r.OnChanged = changed
		return r
	}
	s := widget.NewSelect(labels, nil)
	if selected != "" {
		s.SetSelected(selected)
	}
	s.OnChanged = changed
	return s
}

// newMulti is a group of check boxes; its value is the list of the chosen
// options' values, in the options' order.
func newMulti(fd *api.Field, value any, lng string, onChange func(any)) fyne.CanvasObject {
	labels, byLabel := optionLabels(fd, lng)
	var selected []string
	if list, ok := value.([]any); ok {
		for _, l := range labels {
			for _, v := range list {
				if fmt.Sprint(v) == byLabel[l] {
					selected = append(selected, l)
				}
			}
		}
	}
	g := widget.NewCheckGroup(labels, nil)
	g.SetSelected(selected)
	g.OnChanged = func(chosen []string) {
		var vals []any
		for _, l := range labels {
			for _, c := range chosen {
				if c == l {
					vals = append(vals, byLabel[l])
				}
			}
		}
		if len(vals) == 0 {
			onChange(nil)
			return
		}
		onChange(vals)
	}
	return g
}

func optionLabels(fd *api.Field, lng string) ([]string, map[string]string) {
	labels := make([]string, len(fd.Options))
	byLabel := map[string]string{}
	for i, o := range fd.Options {
		labels[i] = o.Label.In(lng)
		byLabel[labels[i]] = o.Value
	}
	return labels, byLabel
}

// parseValue turns what the citizen typed into the field's JSON value.
// Text that is no number stays text, so that nothing typed is lost and
// validation names the mistake.
func parseValue(w api.Widget, s string) any {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil
	}
	switch w {
	case api.WidgetInteger:
		if n, err := strconv.ParseInt(t, 10, 64); err == nil {
			return n
		}
		return s
	case api.WidgetDecimal, api.WidgetMoney:
		if f, ok := parseDecimal(t); ok {
			return f
		}
		return s
	case api.WidgetIBAN:
		return strings.ToUpper(strings.Join(strings.Fields(t), ""))
	case api.WidgetPostcode, api.WidgetEmail, api.WidgetPhone:
		return t
	}
	return s
}

// parseDecimal reads "1234,5", "1.234,50", "1234.5" or "1,234.50".
func parseDecimal(t string) (float64, bool) {
	t = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(t), "€"))
	comma, dot := strings.LastIndex(t, ","), strings.LastIndex(t, ".")
	switch {
	case comma > dot: // German: dots group thousands
		t = strings.ReplaceAll(t, ".", "")
		t = strings.Replace(t, ",", ".", 1)
	case dot > comma && comma >= 0: // English with thousands
		t = strings.ReplaceAll(t, ",", "")
	}
	f, err := strconv.ParseFloat(t, 64)
	return f, err == nil
}

// formatValue shows a stored value in an entry.
func formatValue(w api.Widget, v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		if w == api.WidgetIBAN {
			return groupIBAN(v)
		}
		return v
	case float64:
		if w == api.WidgetMoney {
			return strconv.FormatFloat(v, 'f', 2, 64)
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return fmt.Sprint(v)
}

// groupIBAN writes an IBAN in blocks of four, as printed on bank cards.
func groupIBAN(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
