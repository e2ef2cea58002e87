package ui

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/api/formschema"
)

// renderFields adds the widgets of fields, whose keys are relative to the
// object at base, to box.
func (fs *formScreen) renderFields(fields []api.Field, base string, box *fyne.Container) {
	for i := range fields {
		box.Add(fs.renderField(&fields[i], base))
	}
}

// renderField builds one field of any kind; a field with a condition is
// remembered so that refresh can show and hide it.
func (fs *formScreen) renderField(fd *api.Field, base string) fyne.CanvasObject {
	if !fd.Widget.HasValue() {
		return wrapped(fd.Label.In(fs.lang))
	}
	p := base + api.PointerToken(fd.Key)
	var fi *fieldInput
	switch fd.Widget {
	case api.WidgetGroup, api.WidgetAddress:
		fi = fs.renderGroup(fd, p)
	case api.WidgetRepeat:
		fi = fs.renderRepeat(fd, p)
	case api.WidgetFile, api.WidgetPhoto:
		fi = fs.renderAttachment(fd, p)
	case api.WidgetSignature:
		fi = fs.renderSignature(fd, p)
	default:
		v, _ := formschema.Get(fs.draft.Values, p)
		input, view := newInput(fd, v, fs.lang, func(v any) { fs.onChange(p, v) })
		fi = frame(fd, p, fs.form.Required(fd), fs.lang, input, view)
	}
	fs.inputs[p] = fi
	fs.order = append(fs.order, p)
	if fd.ShowWhen != nil {
		fs.blocks[p] = fi.box
	}
	return fi.box
}

// renderGroup shows a group's (or an address's) fields under its label.
func (fs *formScreen) renderGroup(fd *api.Field, p string) *fieldInput {
	inner := container.NewVBox()
	fs.renderFields(fs.form.Children(fd), p, inner)
	return frame(fd, p, fs.form.Required(fd), fs.lang, indented(inner), nil)
}

// indented sets nested fields off from their heading.
func indented(o fyne.CanvasObject) fyne.CanvasObject {
	bar := widget.NewSeparator()
	return container.NewBorder(nil, nil, container.NewHBox(layout.NewSpacer(), bar), nil, o)
}

// renderRepeat shows each item of a repeatable group with a button to
// remove it, and a button to add one (up to the schema's maximum).
func (fs *formScreen) renderRepeat(fd *api.Field, p string) *fieldInput {
	v, _ := formschema.Get(fs.draft.Values, p)
	items, _ := v.([]any)
	_, maxItems := fs.form.Items(fd)
	list := container.NewVBox()
	for i := range items {
		ip := p + "/" + strconv.Itoa(i)
		title := widget.NewLabel(lang.L("Entry {{.N}}", map[string]any{"N": i + 1}))
		title.TextStyle = fyne.TextStyle{Bold: true}
		remove := widget.NewButtonWithIcon(lang.L("Remove"), theme.DeleteIcon(), func() { fs.onRemoveItem(p, i) })
		remove.Importance = widget.LowImportance
		body := container.NewVBox()
		fs.renderFields(fs.form.Children(fd), ip, body)
		list.Add(container.NewBorder(container.NewBorder(nil, nil, nil, remove, title), nil, nil, nil, indented(body)))
		list.Add(widget.NewSeparator())
	}
	addText := fd.AddLabel.In(fs.lang)
	if addText == "" {
		addText = lang.L("Add")
	}
	add := widget.NewButtonWithIcon(addText, theme.ContentAddIcon(), func() { fs.onAddItem(fd, p, len(items)) })
	if maxItems > 0 && len(items) >= maxItems {
		add.Disable()
	}
	list.Add(add)
	return frame(fd, p, fs.form.Required(fd), fs.lang, list, nil)
}

func (fs *formScreen) onAddItem(fd *api.Field, p string, n int) {
	ip := p + "/" + strconv.Itoa(n)
	formschema.Set(fs.draft.Values, ip, map[string]any{})
	fs.defaultBooleans(fs.form.Children(fd), ip)
	fs.touched[p] = true
	fs.save()
	fs.showStep()
}

// onRemoveItem takes item i out; the marks of its fields and of the items
// after it no longer fit their pointers and are dropped.
func (fs *formScreen) onRemoveItem(p string, i int) {
	formschema.Delete(fs.draft.Values, p+"/"+strconv.Itoa(i))
	for q := range fs.touched {
		if len(q) > len(p) && q[:len(p)+1] == p+"/" {
			delete(fs.touched, q)
		}
	}
	for q := range fs.serverErrs {
		if len(q) > len(p) && q[:len(p)+1] == p+"/" {
			delete(fs.serverErrs, q)
		}
	}
	fs.touched[p] = true
	fs.save()
	fs.showStep()
}

// renderSignature is a pad to sign on, and a button to start again.
func (fs *formScreen) renderSignature(fd *api.Field, p string) *fieldInput {
	var current *api.Signature
	if v, ok := formschema.Get(fs.draft.Values, p); ok {
		var s api.Signature
		if fromMap(v, &s) == nil {
			current = &s
		}
	}
	pad := newSignaturePad(current, func(s *api.Signature) {
		if s == nil {
			fs.onChange(p, nil)
			return
		}
		fs.onChange(p, toMap(s))
	})
	clear := widget.NewButtonWithIcon(lang.L("Sign again"), theme.ContentClearIcon(), pad.Clear)
	clear.Importance = widget.LowImportance
	view := container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), clear), nil, nil, pad)
	return frame(fd, p, fs.form.Required(fd), fs.lang, pad, view)
}

// showSummary lists what will be sent, step by step, each with a button to
// go back and change it.
func (fs *formScreen) showSummary() {
	fs.body.Add(wrapped(lang.L("Please check your entries. Only what is shown here is sent.")))
	entries := fs.form.Summary(fs.form.Prune(fs.draft.Values), fs.lang)
	step := -1
	for _, e := range entries {
		if e.Step != step {
			step = e.Step
			title := widget.NewLabel(fs.form.Def.Steps[step].Title.In(fs.lang))
			title.TextStyle = fyne.TextStyle{Bold: true}
			s := step
			change := widget.NewButtonWithIcon(lang.L("Change"), theme.DocumentCreateIcon(), func() { fs.goToStep(s) })
			change.Importance = widget.LowImportance
			fs.body.Add(widget.NewSeparator())
			fs.body.Add(container.NewBorder(nil, nil, nil, change, title))
		}
		label := widget.NewLabel(e.Label)
		label.Wrapping = fyne.TextWrapWord
		label.Importance = widget.LowImportance
		value := widget.NewLabel(e.Text)
		value.Wrapping = fyne.TextWrapWord
		if e.Text == "" {
			label.Importance = widget.MediumImportance
			label.TextStyle = fyne.TextStyle{Bold: true}
		}
		row := container.NewVBox(label)
		if e.Text != "" {
			row.Add(value)
		}
		fs.body.Add(container.NewBorder(nil, nil, indent(e.Depth), nil, row))
	}
}

// indent is blank space for a nesting depth.
func indent(depth int) fyne.CanvasObject {
	s := widget.NewLabel("")
	s.Hide()
	if depth == 0 {
		return s
	}
	r := container.NewGridWrap(fyne.NewSize(float32(depth)*theme.Padding()*4, 1))
	return r
}
