package kit

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Tint is a ground in a colour of the theme, named: a canvas.Rectangle
// given theme.Color(...) keeps that colour when the citizen switches to
// high contrast (or the system to dark), while fyne refreshes a widget
// then, and a Tint takes the colour its name has in the new theme.
type Tint struct {
	widget.BaseWidget
	// Fill is the colour's name.
	Fill fyne.ThemeColorName
	// Round is the corners' radius in fyne's input radius (0: square).
	Round float32
}

// NewTint is a ground in the theme's colour named fill.
func NewTint(fill fyne.ThemeColorName, round float32) *Tint {
	t := &Tint{Fill: fill, Round: round}
	t.ExtendBaseWidget(t)
	return t
}

func (t *Tint) CreateRenderer() fyne.WidgetRenderer {
	r := &tintRenderer{t: t, rect: canvas.NewRectangle(color.Transparent)}
	r.Refresh()
	return r
}

type tintRenderer struct {
	t    *Tint
	rect *canvas.Rectangle
}

func (r *tintRenderer) Layout(size fyne.Size)        { r.rect.Resize(size) }
func (r *tintRenderer) MinSize() fyne.Size           { return fyne.Size{} }
func (r *tintRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.rect} }
func (r *tintRenderer) Destroy()                     {}

func (r *tintRenderer) Refresh() {
	th := r.t.Theme()
	r.rect.FillColor = th.Color(r.t.Fill, fyne.CurrentApp().Settings().ThemeVariant())
	r.rect.CornerRadius = r.t.Round * th.Size(theme.SizeNameInputRadius)
	r.rect.Refresh()
}
