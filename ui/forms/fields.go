package forms

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/fill"
	"rathaus/ui/kit"
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
		text := fd.Label.In(lng)
		if required {
			text += " *"
		}
		parts = append(parts, kit.Heading(text))
	}
	if h := fd.Help.In(lng); h != "" {
		help := kit.Wrapped(h)
		help.Importance = widget.LowImportance
		parts = append(parts, help)
	}
	fi.errLabel = kit.Wrapped("")
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
		return kit.NewCheck(fd.Label.In(lng), value == true, func(b bool) { onChange(b) })
	case api.WidgetDate:
		// The format is the language's; the hint says it in the
		// language's letters (TT.MM.JJJJ).
		e := kit.NewDateEntry(fill.DateLayout(lng), lang.L("DD/MM/YYYY"))
		e.SetText(fill.Format(fd.Widget, value, lng))
		e.OnChanged = func(s string) { onChange(fill.Parse(fd.Widget, s)) }
		return e, nil
	case api.WidgetChoice:
		return newChoice(fd, value, lng, onChange), nil
	case api.WidgetMulti:
		return newMulti(fd, value, lng, onChange), nil
	}

	var e *kit.Entry
	if fd.Widget == api.WidgetTextarea {
		e = kit.NewMultiLineEntry()
		e.Wrapping = fyne.TextWrapWord
		e.SetMinRowsVisible(4)
	} else {
		e = kit.NewEntry()
	}
	if p := fd.Placeholder.In(lng); p != "" {
		e.SetPlaceHolder(p)
	}
	e.SetText(fill.Format(fd.Widget, value, lng))
	e.OnChanged = func(s string) { onChange(fill.Parse(fd.Widget, s)) }
	if fd.Widget == api.WidgetMoney {
		return e, container.NewBorder(nil, nil, nil, widget.NewLabel("€"), e)
	}
	return e, nil
}

// newChoice is a list of options for a few and a drop-down for many.
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
		r := kit.NewRadioList(labels, nil)
		r.SetSelected(selected)
		r.OnChanged = changed
		return r
	}
	s := kit.NewSelect(labels, nil)
	if selected != "" {
		s.SetSelected(selected)
	}
	s.OnChanged = changed
	return s
}

// newMulti is a list of check boxes; its value is the list of the chosen
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
	g := kit.NewCheckList(labels, nil)
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
