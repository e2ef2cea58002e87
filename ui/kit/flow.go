package kit

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// NewFlow lines objects up from the trailing edge (a row of actions), and
// starts a new line when the width runs out, so that a row of buttons
// fits a phone. Its least width is that of its widest object; its height
// is that of the lines at the width it was last laid out in (all on one
// line before that), which fyne's canvas picks up at its next frame.
func NewFlow(objects ...fyne.CanvasObject) *fyne.Container {
	return container.New(&flow{}, objects...)
}

type flow struct{ width float32 }

// lines breaks the visible objects into lines of at most width.
func (f *flow) lines(objects []fyne.CanvasObject, width float32) [][]fyne.CanvasObject {
	pad := theme.Padding()
	var lines [][]fyne.CanvasObject
	var line []fyne.CanvasObject
	used := float32(0)
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		w := o.MinSize().Width
		if len(line) > 0 && used+pad+w > width {
			lines = append(lines, line)
			line, used = nil, 0
		}
		if len(line) > 0 {
			used += pad
		}
		line = append(line, o)
		used += w
	}
	if len(line) > 0 {
		lines = append(lines, line)
	}
	return lines
}

func lineSize(line []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, o := range line {
		m := o.MinSize()
		s.Width += m.Width
		if i > 0 {
			s.Width += theme.Padding()
		}
		s.Height = max(s.Height, m.Height)
	}
	return s
}

func (f *flow) MinSize(objects []fyne.CanvasObject) fyne.Size {
	width := f.width
	if width <= 0 {
		width = 1e9 // not laid out yet: one line
	}
	var min fyne.Size
	for i, line := range f.lines(objects, width) {
		s := lineSize(line)
		if i > 0 {
			min.Height += theme.Padding()
		}
		min.Height += s.Height
		for _, o := range line {
			min.Width = max(min.Width, o.MinSize().Width)
		}
	}
	return min
}

func (f *flow) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	f.width = size.Width
	y := float32(0)
	for _, line := range f.lines(objects, size.Width) {
		s := lineSize(line)
		x := size.Width - s.Width
		for _, o := range line {
			m := o.MinSize()
			o.Move(fyne.NewPos(max(0, x), y))
			o.Resize(fyne.NewSize(min(m.Width, size.Width), s.Height))
			x += m.Width + theme.Padding()
		}
		y += s.Height + theme.Padding()
	}
}

// NewPair puts two objects side by side in equal halves (as "Back" and
// "Next"), and the second above the first when a half cannot hold one
// of them (a phone at a large text size). Like NewFlow, its height
// follows the width it was last laid out in.
func NewPair(first, second fyne.CanvasObject) *fyne.Container {
	return container.New(&pairLayout{}, first, second)
}

type pairLayout struct{ width float32 }

// stacked reports whether the pair needs two lines at width.
func (p *pairLayout) stacked(objects []fyne.CanvasObject, width float32) bool {
	half := (width - theme.Padding()) / 2
	return objects[0].MinSize().Width > half || objects[1].MinSize().Width > half
}

func (p *pairLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	a, b := objects[0].MinSize(), objects[1].MinSize()
	if p.width > 0 && p.stacked(objects, p.width) {
		return fyne.NewSize(max(a.Width, b.Width), a.Height+theme.Padding()+b.Height)
	}
	return fyne.NewSize(max(a.Width, b.Width), max(a.Height, b.Height))
}

func (p *pairLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	p.width = size.Width
	pad := theme.Padding()
	first, second := objects[0], objects[1]
	if p.stacked(objects, size.Width) {
		h := second.MinSize().Height
		second.Move(fyne.NewPos(0, 0))
		second.Resize(fyne.NewSize(size.Width, h))
		first.Move(fyne.NewPos(0, h+pad))
		first.Resize(fyne.NewSize(size.Width, size.Height-h-pad))
		return
	}
	half := (size.Width - pad) / 2
	first.Move(fyne.NewPos(0, 0))
	first.Resize(fyne.NewSize(half, size.Height))
	second.Move(fyne.NewPos(half+pad, 0))
	second.Resize(fyne.NewSize(size.Width-half-pad, size.Height))
}
