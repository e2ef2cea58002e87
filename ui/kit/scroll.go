package kit

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// WheelSpeed is how many times farther a mouse wheel notch moves a Scroll
// than fyne 2.7's desktop driver does by itself: 25 px a notch there (10 on
// macOS), a third of one field of a form; browsers move about 100 px.
const WheelSpeed = 3

// Scroll is a vertical scroll container for a screen of fields. Fyne's
// drivers give a wheel event to the innermost scrollable object under the
// pointer, and every text entry has a scroller of its own that swallows it:
// over an entry the screen did not move. A transparent layer above the
// content takes the wheel (only: taps, typing and drags reach what is
// below, which the drivers look up by other interfaces) and moves the
// screen. A multi-line entry therefore moves the screen too; its own lines
// scroll with the cursor keys.
type Scroll struct {
	widget.BaseWidget
	inner *container.Scroll
	wheel *wheel
}

// NewVScroll scrolls content vertically.
func NewVScroll(content fyne.CanvasObject) *Scroll {
	s := &Scroll{inner: container.NewVScroll(content)}
	s.wheel = &wheel{target: s.inner}
	s.wheel.ExtendBaseWidget(s.wheel)
	s.ExtendBaseWidget(s)
	return s
}

// CreateRenderer puts the wheel layer above the scroll container.
func (s *Scroll) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(s.inner, s.wheel))
}

// Offset is how far the content is scrolled down.
func (s *Scroll) Offset() float32 { return s.inner.Offset.Y }

// ScrollToTop shows the content from its top.
func (s *Scroll) ScrollToTop() {
	s.inner.Refresh() // lay the content out as it is now, then move
	s.inner.ScrollToTop()
}

// ScrollToOffset scrolls the content down by y (as far as it reaches).
func (s *Scroll) ScrollToOffset(y float32) {
	s.inner.Refresh()
	s.inner.ScrollToOffset(fyne.NewPos(0, y))
}

// ScrollTo scrolls so that o, an object inside the content, is at the top
// (as far as the content reaches).
func (s *Scroll) ScrollTo(o fyne.CanvasObject) {
	s.inner.Refresh()
	d := fyne.CurrentApp().Driver()
	y := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(s.inner.Content).Y
	s.inner.ScrollToOffset(fyne.NewPos(0, max(0, y-theme.Padding())))
}

// Shows reports whether o, inside the content, shows its top within the
// scrolled view.
func (s *Scroll) Shows(o fyne.CanvasObject) bool {
	d := fyne.CurrentApp().Driver()
	y := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(s.inner).Y
	return y >= 0 && y < s.inner.Size().Height
}

// wheel takes the mouse wheel over a Scroll and moves it.
type wheel struct {
	widget.BaseWidget
	target *container.Scroll
}

var _ fyne.Scrollable = (*wheel)(nil)

func (w *wheel) Scrolled(ev *fyne.ScrollEvent) {
	e := *ev
	e.Scrolled = fyne.Delta{DX: ev.Scrolled.DX * WheelSpeed, DY: ev.Scrolled.DY * WheelSpeed}
	w.target.Scrolled(&e)
}

func (w *wheel) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}
