package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The shell's navigation between its areas. On a phone (a narrow window,
// or a phone's screen) it is a bar at the bottom, within the thumb's
// reach, with the items that fit and "More" for the rest; on a tablet or a
// desktop (wide) it is a column at the side. It decides by the size it is
// laid out in, so that a resized window switches. Each item has an icon
// and a text, and the chosen one is marked by a bar and bold text, not by
// colour alone. The items take the focus (Tab), which fyne's AppTabs do
// not, and Enter or Space chooses one.

const (
	// wideFrom is the width from which the side navigation is
	// considered (Material's compact window ends there)...
	wideFrom float32 = 600
	// ...if it leaves the screens at least a phone's width.
	screenMin float32 = 360
)

// areaTabs holds the areas' screens, one shown at a time, and their
// navigation. Its methods are those of container.AppTabs the shell uses.
type areaTabs struct {
	widget.BaseWidget
	Items      []*container.TabItem
	OnSelected func(*container.TabItem)

	selected int
	// attached: whether an item's screen is in the stack yet. A screen
	// joins it when first shown, so that the areas not on screen are not
	// laid out before the first frame (their wrapping texts cost most of
	// the start: BENCHMARKS.md, "Start to the first frame").
	attached []bool
	// phone: fyne runs on a phone or tablet (its mobile driver); one
	// whose shorter side is below wideFrom is a phone, whatever way up.
	phone  bool
	stack  *fyne.Container
	items  []*navItem
	more   *navItem
	side   bool  // the last layout put the navigation at the side
	hidden []int // the items only "More" reaches, in the last layout
}

func newAreaTabs(items ...*container.TabItem) *areaTabs {
	t := &areaTabs{Items: items, stack: container.NewStack(), phone: fyne.CurrentDevice().IsMobile(),
		attached: make([]bool, len(items))}
	for i, it := range items {
		t.items = append(t.items, newNavItem(it.Text, it.Icon, func() { t.SelectIndex(i) }))
	}
	t.more = newNavItem(lang.L("More"), theme.MoreHorizontalIcon(), t.onMore)
	for _, it := range append(append([]*navItem(nil), t.items...), t.more) {
		it.step = t.step
	}
	t.ExtendBaseWidget(t)
	t.show()
	return t
}

// SelectIndex shows the i-th area.
func (t *areaTabs) SelectIndex(i int) {
	if i < 0 || i >= len(t.Items) || i == t.selected {
		return
	}
	t.selected = i
	t.show()
	t.Refresh()
	if t.OnSelected != nil {
		t.OnSelected(t.Items[i])
	}
}

// Select shows the area of item.
func (t *areaTabs) Select(item *container.TabItem) {
	for i, it := range t.Items {
		if it == item {
			t.SelectIndex(i)
		}
	}
}

// Selected is the item shown.
func (t *areaTabs) Selected() *container.TabItem {
	if len(t.Items) == 0 {
		return nil
	}
	return t.Items[t.selected]
}

// SelectedIndex is the index of the item shown.
func (t *areaTabs) SelectedIndex() int { return t.selected }

// show puts the chosen area on top and marks its item.
func (t *areaTabs) show() {
	if t.selected < len(t.Items) && !t.attached[t.selected] {
		t.attached[t.selected] = true
		t.stack.Add(t.Items[t.selected].Content)
	}
	for i, it := range t.Items {
		if i == t.selected {
			it.Content.Show()
		} else {
			it.Content.Hide()
		}
		t.items[i].setSelected(i == t.selected)
	}
	t.more.setSelected(t.inMore(t.selected))
}

func (t *areaTabs) inMore(i int) bool {
	for _, h := range t.hidden {
		if h == i {
			return true
		}
	}
	return false
}

// step moves the focus from item to the visible item delta places on,
// round the ends.
func (t *areaTabs) step(from *navItem, delta int) {
	var shown []*navItem
	at := 0
	for _, it := range append(append([]*navItem(nil), t.items...), t.more) {
		if it.Visible() {
			if it == from {
				at = len(shown)
			}
			shown = append(shown, it)
		}
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(t)
	if c == nil || len(shown) == 0 {
		return
	}
	c.Focus(shown[(at+delta+len(shown))%len(shown)])
}

// onMore offers the items the bar has no room for.
func (t *areaTabs) onMore() {
	c := fyne.CurrentApp().Driver().CanvasForObject(t.more)
	if c == nil {
		return
	}
	var entries []*fyne.MenuItem
	for _, i := range t.hidden {
		m := fyne.NewMenuItem(t.Items[i].Text, func() { t.SelectIndex(i) })
		m.Icon = t.Items[i].Icon
		m.Checked = i == t.selected
		entries = append(entries, m)
	}
	// The menu takes the focus: arrows, Enter and Escape work in it.
	widget.ShowPopUpMenuAtRelativePosition(fyne.NewMenu("", entries...), c, fyne.NewPos(0, 0), t.more)
}

// Side reports whether the last layout put the navigation at the side.
func (t *areaTabs) Side() bool { return t.side }

func (t *areaTabs) CreateRenderer() fyne.WidgetRenderer {
	r := &areaTabsRenderer{t: t, bar: canvas.NewRectangle(color.Transparent), line: canvas.NewRectangle(color.Transparent)}
	r.objects = []fyne.CanvasObject{t.stack, r.bar, r.line}
	for _, it := range t.items {
		r.objects = append(r.objects, it)
	}
	r.objects = append(r.objects, t.more)
	r.Refresh()
	return r
}

type areaTabsRenderer struct {
	t       *areaTabs
	bar     *canvas.Rectangle // the navigation's background
	line    *canvas.Rectangle // between the navigation and the screens
	objects []fyne.CanvasObject
}

func (r *areaTabsRenderer) Destroy()                     {}
func (r *areaTabsRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *areaTabsRenderer) Refresh() {
	th := r.t.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.bar.FillColor = th.Color(theme.ColorNameHeaderBackground, v)
	r.line.FillColor = th.Color(theme.ColorNameForeground, v) // a border, seen in every contrast
	r.bar.Refresh()
	r.line.Refresh()
	for _, it := range r.t.items {
		it.Refresh()
	}
	r.t.more.Refresh()
	r.t.stack.Refresh()
}

// MinSize: the screens' own, with the smallest bottom bar below them (the
// "More" item alone, if need be), so that the navigation never makes the
// window wider than the screens need.
func (r *areaTabsRenderer) MinSize() fyne.Size {
	c := r.t.stack.MinSize()
	barH := r.bottomHeight()
	return fyne.NewSize(max(c.Width, r.t.more.minSize(true).Width), c.Height+barH+1)
}

// bottomHeight is the bottom bar's height: that of its tallest item with
// its text on two lines.
func (r *areaTabsRenderer) bottomHeight() float32 {
	h := r.t.more.minSize(true).Height
	for _, it := range r.t.items {
		h = max(h, it.minSize(true).Height)
	}
	return h
}

func (r *areaTabsRenderer) Layout(size fyne.Size) {
	t := r.t
	railW, rowH := float32(0), float32(0)
	for _, it := range t.items {
		s := it.minSize(false)
		railW, rowH = max(railW, s.Width), max(rowH, s.Height)
	}
	shortSide := min(size.Width, size.Height)
	phone := t.phone && shortSide < wideFrom
	t.side = !phone && size.Width >= wideFrom && size.Width-railW-1 >= screenMin && size.Height >= rowH*float32(len(t.items))
	if t.side {
		r.layoutSide(size, railW, rowH)
	} else {
		r.layoutBottom(size)
	}
	t.show()
}

func (r *areaTabsRenderer) layoutSide(size fyne.Size, railW, rowH float32) {
	t := r.t
	t.hidden = nil
	t.more.Hide()
	r.bar.Move(fyne.NewPos(0, 0))
	r.bar.Resize(fyne.NewSize(railW, size.Height))
	r.line.Move(fyne.NewPos(railW, 0))
	r.line.Resize(fyne.NewSize(1, size.Height))
	for i, it := range t.items {
		it.setVertical(false)
		it.Show()
		it.Move(fyne.NewPos(0, float32(i)*rowH))
		it.Resize(fyne.NewSize(railW, rowH))
	}
	t.stack.Move(fyne.NewPos(railW+1, 0))
	t.stack.Resize(fyne.NewSize(size.Width-railW-1, size.Height))
}

// layoutBottom puts as many items as fit, in their order, in the bar, and
// "More" after them for the rest; the room left is shared equally.
func (r *areaTabsRenderer) layoutBottom(size fyne.Size) {
	t := r.t
	barH := r.bottomHeight()
	widths := make([]float32, len(t.items))
	total := float32(0)
	for i, it := range t.items {
		widths[i] = it.minSize(true).Width
		total += widths[i]
	}
	shown := len(t.items)
	if total > size.Width {
		room := size.Width - t.more.minSize(true).Width
		used := float32(0)
		shown = 0
		for shown < len(t.items) && used+widths[shown] <= room {
			used += widths[shown]
			shown++
		}
	}
	t.hidden = nil
	for i := shown; i < len(t.items); i++ {
		t.hidden = append(t.hidden, i)
	}
	cells := append([]float32(nil), widths[:shown]...)
	if len(t.hidden) > 0 {
		cells = append(cells, t.more.minSize(true).Width)
	}
	used := float32(0)
	for _, w := range cells {
		used += w
	}
	extra := max(0, size.Width-used) / float32(len(cells))

	y := size.Height - barH
	r.bar.Move(fyne.NewPos(0, y))
	r.bar.Resize(fyne.NewSize(size.Width, barH))
	r.line.Move(fyne.NewPos(0, y-1))
	r.line.Resize(fyne.NewSize(size.Width, 1))
	x := float32(0)
	place := func(it *navItem, w float32) {
		it.setVertical(true)
		it.Show()
		it.Move(fyne.NewPos(x, y))
		it.Resize(fyne.NewSize(w+extra, barH))
		x += w + extra
	}
	for i, it := range t.items {
		if i < shown {
			place(it, widths[i])
		} else {
			it.Hide()
		}
	}
	if len(t.hidden) > 0 {
		place(t.more, t.more.minSize(true).Width)
	} else {
		t.more.Hide()
	}
	t.stack.Move(fyne.NewPos(0, 0))
	t.stack.Resize(fyne.NewSize(size.Width, y-1))
}
