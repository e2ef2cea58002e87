package forms

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/ui/kit"
)

// signaturePad lets the citizen sign with a finger or the mouse. It keeps
// the strokes as vector data (api.Signature), so the signature stays small
// and sharp at any size; a drawn value is scaled to the pad's current size.
type signaturePad struct {
	widget.BaseWidget

	sig       api.Signature
	drawing   bool
	OnChanged func(*api.Signature) // nil after Clear
}

func newSignaturePad(value *api.Signature, changed func(*api.Signature)) *signaturePad {
	p := &signaturePad{OnChanged: changed}
	if value != nil {
		p.sig = *value
	}
	p.ExtendBaseWidget(p)
	return p
}

// MinSize leaves room for a signature on a phone.
func (p *signaturePad) MinSize() fyne.Size { return fyne.NewSize(280, 140) }

// Dragged extends the current stroke, or starts one.
func (p *signaturePad) Dragged(ev *fyne.DragEvent) {
	size := p.Size()
	if size.Width <= 0 || size.Height <= 0 {
		return
	}
	p.rescale(size)
	pt := [2]float64{clamp(float64(ev.Position.X), 0, float64(size.Width)), clamp(float64(ev.Position.Y), 0, float64(size.Height))}
	if !p.drawing {
		p.drawing = true
		start := [2]float64{clamp(pt[0]-float64(ev.Dragged.DX), 0, float64(size.Width)), clamp(pt[1]-float64(ev.Dragged.DY), 0, float64(size.Height))}
		p.sig.Strokes = append(p.sig.Strokes, [][2]float64{start})
	}
	last := &p.sig.Strokes[len(p.sig.Strokes)-1]
	*last = append(*last, pt)
	p.Refresh()
}

// DragEnd finishes the stroke and reports the new signature.
func (p *signaturePad) DragEnd() {
	if !p.drawing {
		return
	}
	p.drawing = false
	if p.OnChanged != nil {
		s := p.sig
		p.OnChanged(&s)
	}
}

// Clear removes the signature.
func (p *signaturePad) Clear() {
	p.sig = api.Signature{}
	p.Refresh()
	if p.OnChanged != nil {
		p.OnChanged(nil)
	}
}

// rescale sets the signature's canvas to size, scaling what is drawn, so
// that strokes from a pad of another size continue where they are seen.
func (p *signaturePad) rescale(size fyne.Size) {
	w, h := float64(size.Width), float64(size.Height)
	if p.sig.Width == w && p.sig.Height == h {
		return
	}
	if p.sig.Width > 0 && p.sig.Height > 0 {
		sx, sy := w/p.sig.Width, h/p.sig.Height
		for _, st := range p.sig.Strokes {
			for i := range st {
				st[i][0] *= sx
				st[i][1] *= sy
			}
		}
	}
	p.sig.Width, p.sig.Height = w, h
}

func clamp(v, lo, hi float64) float64 { return max(lo, min(v, hi)) }

func (p *signaturePad) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.Transparent)
	bg.StrokeWidth = 1
	line := canvas.NewLine(color.Transparent)
	r := &signatureRenderer{pad: p, bg: bg, baseline: line}
	r.Refresh()
	return r
}

type signatureRenderer struct {
	pad      *signaturePad
	bg       *canvas.Rectangle
	baseline *canvas.Line
	lines    []fyne.CanvasObject
}

func (r *signatureRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	r.baseline.Position1 = fyne.NewPos(size.Width*0.1, size.Height*0.75)
	r.baseline.Position2 = fyne.NewPos(size.Width*0.9, size.Height*0.75)
	r.Refresh()
}

func (r *signatureRenderer) MinSize() fyne.Size { return r.pad.MinSize() }

func (r *signatureRenderer) Refresh() {
	size := r.pad.Size()
	sig := r.pad.sig
	sx, sy := 1.0, 1.0
	if sig.Width > 0 && sig.Height > 0 && size.Width > 0 {
		sx, sy = float64(size.Width)/sig.Width, float64(size.Height)/sig.Height
	}
	// The colours are the theme's of now: fyne refreshes the pad when the
	// citizen switches the contrast.
	r.bg.FillColor = theme.Color(theme.ColorNameInputBackground)
	r.bg.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	r.baseline.StrokeColor = theme.Color(theme.ColorNameDisabled)
	ink := theme.Color(theme.ColorNameForeground)
	r.lines = r.lines[:0]
	for _, st := range sig.Strokes {
		for i := 1; i < len(st); i++ {
			l := canvas.NewLine(ink)
			l.StrokeWidth = 2
			l.Position1 = fyne.NewPos(float32(st[i-1][0]*sx), float32(st[i-1][1]*sy))
			l.Position2 = fyne.NewPos(float32(st[i][0]*sx), float32(st[i][1]*sy))
			r.lines = append(r.lines, l)
		}
	}
	r.bg.Refresh()
	r.baseline.Refresh()
	canvas.Refresh(r.pad)
}

func (r *signatureRenderer) Objects() []fyne.CanvasObject {
	return append([]fyne.CanvasObject{r.bg, r.baseline}, r.lines...)
}

func (r *signatureRenderer) Destroy() {}

var _ fyne.Draggable = (*signaturePad)(nil)

// newSignatureInput is the pad for a drawn signature and the entry for a
// typed one, kept apart: drawing empties the entry, typing clears the pad.
// changed gets the new value (nil when there is none).
func newSignatureInput(current *api.Signature, changed func(*api.Signature)) (*signaturePad, *kit.Entry) {
	drawn := current
	if current != nil && current.Typed != "" {
		drawn = nil
	}
	typed := kit.NewEntry()
	typed.SetPlaceHolder(lang.L("First and last name"))
	if current != nil {
		typed.SetText(current.Typed)
	}
	var pad *signaturePad
	onTyped := func(name string) {
		pad.sig = api.Signature{} // what was drawn gives way to the name
		pad.Refresh()
		if strings.TrimSpace(name) == "" {
			changed(nil)
			return
		}
		changed(&api.Signature{Typed: name})
	}
	pad = newSignaturePad(drawn, func(s *api.Signature) {
		if typed.Text != "" {
			typed.OnChanged = nil // a drawing (or "Sign again") replaces the name
			typed.SetText("")
			typed.OnChanged = onTyped
		}
		changed(s)
	})
	typed.OnChanged = onTyped
	return pad, typed
}
