package forms

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/fill"
	"rathaus/ui/kit"
)

// renderFields adds the widgets of fields, whose keys are relative to the
// object at base, to box.
func (fs *FormScreen) renderFields(fields []api.Field, base string, box *fyne.Container) {
	for i := range fields {
		box.Add(fs.renderField(&fields[i], base))
	}
}

// renderField builds one field of any kind; a field with a condition is
// remembered so that refresh can show and hide it.
func (fs *FormScreen) renderField(fd *api.Field, base string) fyne.CanvasObject {
	if !fd.Widget.HasValue() {
		return kit.Wrapped(fd.Label.In(fs.lang))
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
		v, _ := fs.state.Value(p)
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
func (fs *FormScreen) renderGroup(fd *api.Field, p string) *fieldInput {
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
func (fs *FormScreen) renderRepeat(fd *api.Field, p string) *fieldInput {
	n := fs.state.Items(p)
	_, maxItems := fs.form.Items(fd)
	list := container.NewVBox()
	for i := range n {
		ip := p + "/" + strconv.Itoa(i)
		title := widget.NewLabel(lang.L("Entry {{.N}}", map[string]any{"N": i + 1}))
		title.TextStyle = fyne.TextStyle{Bold: true}
		remove := kit.NewButton(lang.L("Remove"), theme.DeleteIcon(), func() { fs.onRemoveItem(p, i) })
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
	add := kit.NewButton(addText, theme.ContentAddIcon(), func() { fs.onAddItem(p) })
	if maxItems > 0 && n >= maxItems {
		add.Disable()
	}
	list.Add(add)
	return frame(fd, p, fs.form.Required(fd), fs.lang, list, nil)
}

// onAddItem adds an item and shows the step again with it, in place.
func (fs *FormScreen) onAddItem(p string) {
	fs.state.AddItem(p)
	fs.rebuild()
}

// onRemoveItem takes item i out and shows the step again, in place.
func (fs *FormScreen) onRemoveItem(p string, i int) {
	fs.state.RemoveItem(p, i)
	fs.rebuild()
}

// rebuild builds the step again where the citizen is (an item came or
// went): unlike a step change it keeps the scroll position.
func (fs *FormScreen) rebuild() {
	offset := fs.scroll.Offset()
	fs.build()
	fs.scroll.ScrollToOffset(offset)
}

// renderSignature is a pad to sign on, a button to start again and, for
// those who cannot draw (keyboard, screen reader), an entry to type their
// full name instead, under the same label and declaration.
func (fs *FormScreen) renderSignature(fd *api.Field, p string) *fieldInput {
	var current *api.Signature
	if v, ok := fs.state.Value(p); ok {
		var s api.Signature
		if fill.FromValue(v, &s) == nil {
			current = &s
		}
	}
	changed := func(s *api.Signature) {
		if s == nil {
			fs.onChange(p, nil)
			return
		}
		fs.onChange(p, fill.ToValue(s))
	}
	pad, typed := newSignatureInput(current, changed)
	clear := kit.NewButton(lang.L("Sign again"), theme.ContentClearIcon(), pad.Clear)
	clear.Importance = widget.LowImportance
	view := container.NewVBox(
		container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), clear), nil, nil, pad),
		kit.Wrapped(lang.L("Or type your first and last name: it signs the form just as drawing does.")),
		typed)
	return frame(fd, p, fs.form.Required(fd), fs.lang, pad, view)
}
