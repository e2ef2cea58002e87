package kit

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Fyne's button draws its text on one line: at 200 % text "Aus diesem
// Gerät entfernen" is wider than a phone. A wrapping button is a Button
// (focus ring, Enter, Escape, icon, importance) whose text wraps at its
// width, so it needs only a short word's width and grows in height.

// NewWrapButton is NewButton with a text that wraps.
func NewWrapButton(text string, icon fyne.Resource, tapped func()) *Button {
	b := NewButton(text, icon, tapped)
	b.wrap = true
	return b
}

// wrapRenderer lays out fyne's own button renderer, whose text is set to
// wrap: fyne's layout sizes the text to its minimum, one short piece
// wide, so the text is placed again here across the button's width.
type wrapRenderer struct {
	*ringRenderer
	label *widget.RichText
}

func newWrapRenderer(r *ringRenderer) fyne.WidgetRenderer {
	w := &wrapRenderer{ringRenderer: r}
	for _, o := range r.WidgetRenderer.Objects() {
		if t, ok := o.(*widget.RichText); ok {
			w.label = t
		}
	}
	if w.label == nil { // a later fyne drew its text otherwise: leave it be
		return r
	}
	w.label.Wrapping = fyne.TextWrapWord
	return w
}

func (r *wrapRenderer) Layout(size fyne.Size) {
	r.ringRenderer.Layout(size)
	b := r.b
	th := b.Theme()
	pad := th.Size(theme.SizeNameInnerPadding) * 2
	var icon fyne.CanvasObject
	var iconSize float32
	for _, o := range r.WidgetRenderer.Objects() {
		if _, ok := o.(*canvas.Image); ok && o.Visible() && b.Icon != nil {
			icon = o
			iconSize = th.Size(theme.SizeNameInlineIcon)
		}
	}
	textWidth := size.Width - pad
	if icon != nil {
		textWidth -= iconSize + th.Size(theme.SizeNamePadding)
	}
	if b.Text == "" || textWidth <= 0 {
		return
	}
	// Wrap at the text's own width where it fits (a centred short text
	// stays narrow), else at the space there is.
	one := fyne.MeasureText(b.Text, th.Size(theme.SizeNameText), fyne.TextStyle{Bold: true}).Width
	if one+1 < textWidth {
		textWidth = one + 1
	}
	r.label.Resize(fyne.NewSize(textWidth, r.label.Size().Height))
	textHeight := r.label.MinSize().Height
	r.label.Resize(fyne.NewSize(textWidth, textHeight))

	content := textWidth
	if icon != nil {
		content += iconSize + th.Size(theme.SizeNamePadding)
	}
	var x float32
	switch b.Alignment {
	case widget.ButtonAlignLeading:
		x = pad / 2
	case widget.ButtonAlignTrailing:
		x = size.Width - content - pad/2
	default:
		x = (size.Width - content) / 2
	}
	textX := x
	if icon != nil {
		iconX := x
		if b.IconPlacement == widget.ButtonIconTrailingText {
			iconX = x + textWidth + th.Size(theme.SizeNamePadding)
		} else {
			textX = x + iconSize + th.Size(theme.SizeNamePadding)
		}
		icon.Resize(fyne.NewSquareSize(iconSize))
		icon.Move(fyne.NewPos(iconX, (size.Height-iconSize)/2))
	}
	r.label.Move(fyne.NewPos(textX, (size.Height-textHeight)/2))
}

// MinSize is as wide as the text on one line where that is at most half
// the window (a row of buttons stays as it was on a desktop), else half
// the window, and never narrower than the longest word: a button on its
// own in a row (kit.NewFlow, an HBox) gets its least width, and one
// letter a line is no button.
func (r *wrapRenderer) MinSize() fyne.Size {
	size := r.ringRenderer.MinSize()
	b := r.b
	if b.Text == "" {
		return size
	}
	th := b.Theme()
	textSize := th.Size(theme.SizeNameText)
	style := fyne.TextStyle{Bold: true}
	one := fyne.MeasureText(b.Text, textSize, style).Width + 1
	var word float32
	for _, w := range strings.Fields(b.Text) {
		word = max(word, fyne.MeasureText(w, textSize, style).Width+1)
	}
	limit := one
	if c := fyne.CurrentApp().Driver().CanvasForObject(b); c != nil && c.Size().Width > 0 {
		limit = c.Size().Width / 2
	}
	text := min(one, max(word, limit))
	size.Width = text + th.Size(theme.SizeNameInnerPadding)*2
	if b.Icon != nil {
		size.Width += th.Size(theme.SizeNameInlineIcon) + th.Size(theme.SizeNamePadding)
	}
	return size
}

func (r *wrapRenderer) Refresh() {
	r.ringRenderer.Refresh()
	r.Layout(r.b.Size())
}
