package kit

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
)

// Fyne's widgets with a built-in text it does not pass through its lang
// package, or puts together in English word order: the screens make them
// here, so that every text on them is in the chosen language.

// NewSelect is fyne's select with its placeholder, "(Select one)" in fyne,
// in the chosen language (and Escape passed on, see Select).
func NewSelect(options []string, changed func(string)) *Select {
	s := &Select{}
	s.Options, s.OnChanged = options, changed
	s.PlaceHolder = lang.L("(Select one)")
	s.ExtendBaseWidget(s)
	return s
}

// NewFileOpen is fyne's file dialog to open a file, titled in the
// language's word order ("Datei öffnen", where fyne writes "Öffnen Datei").
func NewFileOpen(callback func(fyne.URIReadCloser, error), parent fyne.Window) *dialog.FileDialog {
	d := dialog.NewFileOpen(callback, parent)
	d.SetTitleText(lang.L("Open file"))
	return d
}

// NewFileSave is fyne's file dialog to save a file, titled as NewFileOpen.
func NewFileSave(callback func(fyne.URIWriteCloser, error), parent fyne.Window) *dialog.FileDialog {
	d := dialog.NewFileSave(callback, parent)
	d.SetTitleText(lang.L("Save file"))
	return d
}
