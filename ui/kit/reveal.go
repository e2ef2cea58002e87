package kit

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Reveal scrolls as little as needed for o, an object inside the content,
// to show whole (its top, when it is taller than the view).
func (s *Scroll) Reveal(o fyne.CanvasObject) {
	s.inner.Refresh() // lay the content out as it is now, then measure
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(s.inner.Content).Y
	view := s.inner.Size().Height
	off := s.inner.Offset.Y
	switch {
	case top < off:
		off = top - theme.Padding()
	case top+o.Size().Height > off+view:
		off = min(top, top+o.Size().Height-view+theme.Padding())
	default:
		return
	}
	s.inner.ScrollToOffset(fyne.NewPos(0, max(0, off)))
}

// RevealFocused scrolls the Scroll that holds the canvas's focused object
// (the innermost, in the top dialog or else the window) so that it shows:
// Tab moves the focus out of view otherwise, as fyne's scroll containers
// do not follow it.
func RevealFocused(c fyne.Canvas) {
	f, ok := c.Focused().(fyne.CanvasObject)
	if !ok || f == nil {
		return
	}
	root := c.Content()
	if top := c.Overlays().Top(); top != nil {
		root = top
	}
	d := fyne.CurrentApp().Driver()
	pos := d.AbsolutePositionForObject(f)
	var holder *Scroll
	for _, s := range scrollsBelow(root, nil) {
		at := d.AbsolutePositionForObject(s.inner.Content)
		size := s.inner.Content.Size()
		if pos.X >= at.X && pos.Y >= at.Y && pos.X < at.X+size.Width && pos.Y < at.Y+size.Height {
			holder = s // later ones lie deeper
		}
	}
	if holder != nil {
		holder.Reveal(f)
	}
}

// scrollsBelow finds the visible Scrolls below o, outer ones first,
// through containers, tabs and this package's widgets (others are not
// looked into: their parts are their own).
func scrollsBelow(o fyne.CanvasObject, found []*Scroll) []*Scroll {
	if o == nil || !o.Visible() {
		return found
	}
	switch x := o.(type) {
	case *Scroll:
		return scrollsBelow(x.inner.Content, append(found, x))
	case *fyne.Container:
		for _, c := range x.Objects {
			found = scrollsBelow(c, found)
		}
	case interface{ Selected() *container.TabItem }: // tabs, and the shell's navigation
		if t := x.Selected(); t != nil {
			found = scrollsBelow(t.Content, found)
		}
	case *container.Scroll:
		found = scrollsBelow(x.Content, found)
	case *widget.PopUp: // a dialog
		found = scrollsBelow(x.Content, found)
	case interface{ Content() fyne.CanvasObject }: // a screen or a pop-up's content
		found = scrollsBelow(x.Content(), found)
	}
	return found
}

// FollowFocus keeps the focused object of w in view until ctx ends. Fyne
// tells no one when Tab moves the focus, so it looks four times a second
// (on the UI's goroutine; one comparison when nothing moved).
func FollowFocus(ctx context.Context, w fyne.Window) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	var last fyne.Focusable
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fyne.Do(func() {
				if f := w.Canvas().Focused(); f != last {
					last = f
					RevealFocused(w.Canvas())
				}
			})
		}
	}
}
