package kit

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Fold is content folded away below a title that opens and closes it:
// fyne's accordion with one item, whose title does not wrap ("Tabelle
// der Zahlen" at 200 % was wider than a phone). Its title is a wrapping
// button, so Tab, Enter and Space reach it too.
type Fold struct {
	widget.BaseWidget
	Title   *Button
	content fyne.CanvasObject
	box     *fyne.Container
}

// NewFold is content folded away below title.
func NewFold(title string, content fyne.CanvasObject) *Fold {
	f := &Fold{content: content}
	f.Title = NewWrapButton(title, theme.MenuExpandIcon(), f.onToggle)
	f.Title.Importance = widget.LowImportance
	f.Title.Alignment = widget.ButtonAlignLeading
	content.Hide()
	f.box = container.NewVBox(f.Title, content)
	f.ExtendBaseWidget(f)
	return f
}

// IsOpen says whether the content shows.
func (f *Fold) IsOpen() bool { return f.content.Visible() }

// Open shows the content.
func (f *Fold) Open() { f.set(true) }

// Close folds the content away.
func (f *Fold) Close() { f.set(false) }

func (f *Fold) onToggle() { f.set(!f.IsOpen()) }

func (f *Fold) set(open bool) {
	if open {
		f.content.Show()
		f.Title.SetIcon(theme.MenuDropDownIcon())
	} else {
		f.content.Hide()
		f.Title.SetIcon(theme.MenuExpandIcon())
	}
	f.box.Refresh()
}

func (f *Fold) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(f.box) }
