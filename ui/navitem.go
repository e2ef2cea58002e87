package ui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/ui/kit"
)

// navItem is one item of the shell's navigation: an icon and a text, the
// icon above the text in the bottom bar (the text on up to two lines, so
// that "My applications" takes the width of its longer word) and beside
// it at the side. It takes the focus, shows it by a ring as kit.Button
// does, and is chosen by a tap, Enter or Space; the arrows go to the
// next item and Escape goes on to the window (back).
type navItem struct {
	widget.BaseWidget
	text     string
	icon     fyne.Resource
	tapped   func()
	selected bool
	focused  bool
	hovered  bool
	vertical bool
	// step moves the focus to the item before (-1) or after (+1) this one.
	step func(n *navItem, delta int)
}

var (
	_ fyne.Focusable    = (*navItem)(nil)
	_ fyne.Tappable     = (*navItem)(nil)
	_ desktop.Hoverable = (*navItem)(nil)
)

func newNavItem(text string, icon fyne.Resource, tapped func()) *navItem {
	n := &navItem{text: text, icon: icon, tapped: tapped, vertical: true}
	n.ExtendBaseWidget(n)
	return n
}

// setVertical puts the icon above the text (true) or beside it.
func (n *navItem) setVertical(on bool) {
	if n.vertical != on {
		n.vertical = on
		n.Refresh()
	}
}

func (n *navItem) setSelected(on bool) {
	if n.selected != on {
		n.selected = on
		n.Refresh()
	}
}

func (n *navItem) Tapped(*fyne.PointEvent) {
	if n.tapped != nil {
		n.tapped()
	}
}

func (n *navItem) MouseIn(*desktop.MouseEvent)    { n.hovered = true; n.Refresh() }
func (n *navItem) MouseMoved(*desktop.MouseEvent) {}
func (n *navItem) MouseOut()                      { n.hovered = false; n.Refresh() }

func (n *navItem) FocusGained() { n.focused = true; n.Refresh() }
func (n *navItem) FocusLost()   { n.focused = false; n.Refresh() }
func (n *navItem) TypedRune(r rune) {
	if r == ' ' {
		n.Tapped(nil)
	}
}

func (n *navItem) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		n.Tapped(nil)
	case fyne.KeyLeft, fyne.KeyUp, fyne.KeyRight, fyne.KeyDown:
		// The arrows go along the navigation, as in a tab bar.
		if n.step != nil {
			n.step(n, map[bool]int{true: -1, false: 1}[ev.Name == fyne.KeyLeft || ev.Name == fyne.KeyUp])
		}
	default:
		if !kit.IsBack(ev.Name) {
			return
		}
		if c := fyne.CurrentApp().Driver().CanvasForObject(n); c != nil && c.OnTypedKey() != nil {
			c.OnTypedKey()(ev)
		}
	}
}

// textSize is the size of the item's text: the caption's in the bottom
// bar (as phones' navigation bars have it), the body's at the side; both
// follow the text size the citizen chose.
func (n *navItem) textSize(vertical bool) float32 {
	if vertical {
		return n.Theme().Size(theme.SizeNameCaptionText)
	}
	return n.Theme().Size(theme.SizeNameText)
}

var navTextStyle = fyne.TextStyle{Bold: true} // measured bold: choosing an item moves nothing

// lines is the item's text broken for width: one line if it fits,
// otherwise as many words as fit on the first and the rest on the second.
func (n *navItem) lines(width float32, vertical bool) []string {
	size := n.textSize(vertical)
	if !vertical || fyne.MeasureText(n.text, size, navTextStyle).Width <= width {
		return []string{n.text}
	}
	words := strings.Fields(n.text)
	first := 1
	for first < len(words) && fyne.MeasureText(strings.Join(words[:first+1], " "), size, navTextStyle).Width <= width {
		first++
	}
	if first >= len(words) {
		return []string{n.text}
	}
	return []string{strings.Join(words[:first], " "), strings.Join(words[first:], " ")}
}

// textWidth is the narrowest the text can be: on one line, or split in
// two between words where the longer line is shortest (bottom bar only).
func (n *navItem) textWidth(vertical bool) float32 {
	size := n.textSize(vertical)
	w := fyne.MeasureText(n.text, size, navTextStyle).Width
	if !vertical {
		return w
	}
	words := strings.Fields(n.text)
	for i := 1; i < len(words); i++ {
		a := fyne.MeasureText(strings.Join(words[:i], " "), size, navTextStyle).Width
		b := fyne.MeasureText(strings.Join(words[i:], " "), size, navTextStyle).Width
		w = min(w, max(a, b))
	}
	return w
}

// minSize is the item's least size in either arrangement; in the bottom
// bar it has room for two lines of text, so that all items are as tall.
func (n *navItem) minSize(vertical bool) fyne.Size {
	th := n.Theme()
	pad := th.Size(theme.SizeNamePadding)
	icon := th.Size(theme.SizeNameInlineIcon)
	lineH := fyne.MeasureText("Ag", n.textSize(vertical), navTextStyle).Height
	if vertical {
		return fyne.NewSize(max(icon, n.textWidth(true))+4*pad, 3*pad+icon+2*lineH+pad)
	}
	return fyne.NewSize(4*pad+icon+2*pad+n.textWidth(false)+3*pad, max(icon, lineH)+4*pad)
}

func (n *navItem) MinSize() fyne.Size {
	n.ExtendBaseWidget(n)
	return n.minSize(n.vertical)
}

func (n *navItem) CreateRenderer() fyne.WidgetRenderer {
	r := &navItemRenderer{n: n,
		focus: canvas.NewRectangle(color.Transparent), mark: canvas.NewRectangle(color.Transparent),
		ring: canvas.NewRectangle(color.Transparent), icon: canvas.NewImageFromResource(nil),
		text: []*canvas.Text{canvas.NewText("", color.Black), canvas.NewText("", color.Black)}}
	r.icon.FillMode = canvas.ImageFillContain
	r.ring.StrokeWidth = 2
	r.Refresh()
	return r
}

type navItemRenderer struct {
	n     *navItem
	focus *canvas.Rectangle // the focus, and the chosen item at the side
	mark  *canvas.Rectangle // the bar that marks the chosen item
	ring  *canvas.Rectangle // the focus ring
	icon  *canvas.Image
	text  []*canvas.Text
}

func (r *navItemRenderer) Destroy()           {}
func (r *navItemRenderer) MinSize() fyne.Size { return r.n.MinSize() }
func (r *navItemRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.focus, r.mark, r.icon, r.text[0], r.text[1], r.ring}
}

func (r *navItemRenderer) Layout(size fyne.Size) {
	n := r.n
	th := n.Theme()
	pad := th.Size(theme.SizeNamePadding)
	iconS := th.Size(theme.SizeNameInlineIcon)
	r.focus.Resize(size)
	r.ring.Resize(size)
	if n.vertical {
		r.mark.Move(fyne.NewPos(2*pad, 0))
		r.mark.Resize(fyne.NewSize(size.Width-4*pad, pad))
		r.icon.Move(fyne.NewPos((size.Width-iconS)/2, 2*pad))
		r.icon.Resize(fyne.NewSize(iconS, iconS))
		lines := n.lines(size.Width-4*pad, true)
		y := 3*pad + iconS
		for i, t := range r.text {
			t.Hidden = i >= len(lines)
			if t.Hidden {
				continue
			}
			t.Text = lines[i]
			t.TextSize = n.textSize(true)
			t.Alignment = fyne.TextAlignCenter
			h := t.MinSize().Height
			t.Move(fyne.NewPos(2*pad, y))
			t.Resize(fyne.NewSize(size.Width-4*pad, h))
			y += h
		}
		return
	}
	r.mark.Move(fyne.NewPos(0, pad))
	r.mark.Resize(fyne.NewSize(pad, size.Height-2*pad))
	r.icon.Move(fyne.NewPos(4*pad, (size.Height-iconS)/2))
	r.icon.Resize(fyne.NewSize(iconS, iconS))
	x := 6*pad + iconS
	r.text[0].Text = n.text
	r.text[0].TextSize = n.textSize(false)
	r.text[0].Alignment = fyne.TextAlignLeading
	r.text[0].Hidden = false
	h := r.text[0].MinSize().Height
	r.text[0].Move(fyne.NewPos(x, (size.Height-h)/2))
	r.text[0].Resize(fyne.NewSize(size.Width-x-pad, h))
	r.text[1].Hidden = true
}

func (r *navItemRenderer) Refresh() {
	n := r.n
	th := n.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	fg, primary := th.Color(theme.ColorNameForeground, v), th.Color(theme.ColorNamePrimary, v)
	colour := fg
	if n.selected {
		colour = primary
		r.icon.Resource = theme.NewPrimaryThemedResource(n.icon)
	} else {
		r.icon.Resource = theme.NewThemedResource(n.icon)
	}
	r.mark.FillColor = primary
	r.mark.Hidden = !n.selected
	r.focus.FillColor = color.Transparent
	if n.focused {
		r.focus.FillColor = th.Color(theme.ColorNameFocus, v)
	} else if n.hovered {
		r.focus.FillColor = th.Color(theme.ColorNameHover, v)
	} else if n.selected && !n.vertical {
		r.focus.FillColor = th.Color(theme.ColorNameSelection, v)
	}
	r.ring.StrokeColor = fg
	r.ring.CornerRadius = th.Size(theme.SizeNameInputRadius)
	r.ring.Hidden = !n.focused
	for _, t := range r.text {
		t.Color = colour
		t.TextStyle = fyne.TextStyle{Bold: n.selected}
	}
	r.Layout(n.Size())
	r.icon.Refresh()
	r.mark.Refresh()
	r.focus.Refresh()
	r.ring.Refresh()
	for _, t := range r.text {
		t.Refresh()
	}
}
