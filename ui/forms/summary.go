package forms

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/ui/kit"
)

// showSummary lists what will be sent, step by step, each with a button to
// go back and change it.
func (fs *FormScreen) showSummary() {
	fs.body.Add(kit.Wrapped(lang.L("Please check your entries. Only what is shown here is sent.")))
	step := -1
	for _, e := range fs.state.Summary() {
		if e.Step != step {
			step = e.Step
			title := widget.NewLabel(fs.form.Def.Steps[step].Title.In(fs.lang))
			title.TextStyle = fyne.TextStyle{Bold: true}
			title.Wrapping = fyne.TextWrapWord
			s := step
			change := kit.NewWrapButton(lang.L("Change"), theme.DocumentCreateIcon(), func() { fs.onChangeStep(s) })
			change.Importance = widget.LowImportance
			fs.body.Add(widget.NewSeparator())
			// "Change" below the step's title, not beside it: a title with
			// a long word and the button were wider than a phone at 200 %.
			fs.body.Add(title)
			fs.body.Add(container.NewHBox(change))
		}
		label := kit.Wrapped(e.Label)
		label.Importance = widget.LowImportance
		row := container.NewVBox(label)
		if e.Text == "" {
			label.Importance = widget.MediumImportance
			label.TextStyle = fyne.TextStyle{Bold: true}
		} else {
			row.Add(kit.Wrapped(e.Text))
		}
		fs.body.Add(container.NewBorder(nil, nil, indent(e.Depth), nil, row))
	}
}

// indent is blank space for a nesting depth.
func indent(depth int) fyne.CanvasObject {
	if depth == 0 {
		s := widget.NewLabel("")
		s.Hide()
		return s
	}
	return container.NewGridWrap(fyne.NewSize(float32(depth)*theme.Padding()*4, 1))
}
