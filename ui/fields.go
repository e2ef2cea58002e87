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
	input    fyne.CanvasObject
	errLabel *widget.Label
	box      *fyne.Container
}

// setError shows msg under the field, or hides the error when msg is "".
func (fi *fieldInput) setError(msg string) {
	if fi.errLabel == nil {
		return
	}
	fi.errLabel.SetText(msg)
	if msg == "" {
		fi.errLabel.Hide()
	} else {
		fi.errLabel.Show()
	}
}

// newFieldInput builds the widgets of a field showing value (nil when the
// data has none) and calls onChange with the new value (nil to remove it)
// whenever the citizen changes it.
func newFieldInput(fd *api.Field, required bool, value any, lng string, onChange func(any)) *fieldInput {
	fi := &fieldInput{field: fd}
	if !fd.Widget.HasValue() {
		l := widget.NewLabel(fd.Label.In(lng))
		l.Wrapping = fyne.TextWrapWord
		fi.box = container.NewVBox(l)
		return fi
	}
	label := widget.NewLabel(fd.Label.In(lng))
	if required {
		label.SetText(label.Text + " *")
	}
	label.TextStyle = fyne.TextStyle{Bold: true}
	label.Wrapping = fyne.TextWrapWord
	parts := []fyne.CanvasObject{label}
	if fd.Widget == api.WidgetBoolean {
		parts = nil // the check box carries the label
	}
	if h := fd.Help.In(lng); h != "" {
		help := widget.NewLabel(h)
		help.Wrapping = fyne.TextWrapWord
		help.Importance = widget.LowImportance
		parts = append(parts, help)
	}
	fi.input = newInput(fd, value, lng, onChange)
	fi.errLabel = widget.NewLabel("")
	fi.errLabel.Wrapping = fyne.TextWrapWord
	fi.errLabel.Importance = widget.DangerImportance
	fi.errLabel.Hide()
	parts = append(parts, fi.input, fi.errLabel)
	fi.box = container.NewVBox(parts...)
	return fi
}

func newInput(fd *api.Field, value any, lng string, onChange func(any)) fyne.CanvasObject {
	switch fd.Widget {
	case api.WidgetBoolean:
		c := widget.NewCheck(fd.Label.In(lng), nil)
		c.SetChecked(value == true)
		c.OnChanged = func(b bool) { onChange(b) }
		return c
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
		return e
	case api.WidgetChoice:
		return newChoice(fd, value, lng, onChange)
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
	e.SetText(formatValue(value))
	e.OnChanged = func(s string) { onChange(parseValue(fd.Widget, s)) }
	return e
}

// newChoice is a radio group for a few options and a drop-down for many.
func newChoice(fd *api.Field, value any, lng string, onChange func(any)) fyne.CanvasObject {
	labels := make([]string, len(fd.Options))
	byLabel := map[string]string{}
	selected := ""
	for i, o := range fd.Options {
		labels[i] = o.Label.In(lng)
		byLabel[labels[i]] = o.Value
		if fmt.Sprint(value) == o.Value {
			selected = labels[i]
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
	case api.WidgetDecimal:
		if f, err := strconv.ParseFloat(strings.Replace(t, ",", ".", 1), 64); err == nil {
			return f
		}
		return s
	case api.WidgetPostcode, api.WidgetEmail, api.WidgetPhone:
		return t
	}
	return s
}

func formatValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return fmt.Sprint(v)
}
