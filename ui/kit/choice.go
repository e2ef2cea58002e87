package kit

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Fyne's Check, RadioGroup and CheckGroup never wrap their labels: one long
// option ("I authorise the town to collect the tax by direct debit ...")
// made a form wider than a phone's screen. These wrap.

// tapLabel is a wrapping label that does something when tapped.
type tapLabel struct {
	widget.Label
	tapped func()
}

func newTapLabel(text string, tapped func()) *tapLabel {
	l := &tapLabel{tapped: tapped}
	l.ExtendBaseWidget(l)
	l.Text = text
	l.Wrapping = fyne.TextWrapWord
	return l
}

func (l *tapLabel) Tapped(*fyne.PointEvent) { l.tapped() }

// Label is the label itself, for tests that read what it says.
func (l *tapLabel) Wrapped() *widget.Label { return &l.Label }

// NewCheck is a check box whose label wraps and ticks the box when tapped.
// It returns the box (to read and set) and what to place on screen.
func NewCheck(label string, checked bool, changed func(bool)) (*Check, fyne.CanvasObject) {
	c := &Check{}
	c.ExtendBaseWidget(c)
	c.SetChecked(checked)
	c.OnChanged = changed
	l := newTapLabel(label, func() { c.SetChecked(!c.Checked) })
	return c, container.NewBorder(nil, nil, container.NewVBox(c), nil, l)
}

// CheckList lets the citizen tick any of its options; their labels wrap.
type CheckList struct {
	widget.BaseWidget
	Options  []string
	Selected []string
	// OnChanged gets the ticked options in the options' order.
	OnChanged func([]string)

	checks []*Check
	box    *fyne.Container
}

// NewCheckList lists options with a box each.
func NewCheckList(options []string, changed func([]string)) *CheckList {
	l := &CheckList{Options: options, box: container.NewVBox()}
	for _, o := range options {
		c, view := NewCheck(o, false, func(bool) { l.changed() })
		l.checks = append(l.checks, c)
		l.box.Add(view)
	}
	l.OnChanged = changed
	l.ExtendBaseWidget(l)
	return l
}

// SetSelected ticks exactly the options given and reports the change.
func (l *CheckList) SetSelected(options []string) {
	quiet := l.OnChanged
	l.OnChanged = nil
	for i, c := range l.checks {
		c.SetChecked(slices.Contains(options, l.Options[i]))
	}
	l.OnChanged = quiet
	l.changed()
}

func (l *CheckList) changed() {
	l.Selected = l.Selected[:0]
	for i, c := range l.checks {
		if c.Checked {
			l.Selected = append(l.Selected, l.Options[i])
		}
	}
	if l.OnChanged != nil {
		l.OnChanged(slices.Clone(l.Selected))
	}
}

func (l *CheckList) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(l.box) }

// RadioList lets the citizen choose one of its options; their labels wrap.
// Tapping the chosen option again clears the choice, as fyne's RadioGroup
// does when no choice is required.
type RadioList struct {
	widget.BaseWidget
	Options   []string
	Selected  string
	OnChanged func(string)

	rows []*radioRow
	box  *fyne.Container
}

// NewRadioList lists options with a radio button each.
func NewRadioList(options []string, changed func(string)) *RadioList {
	r := &RadioList{Options: options, OnChanged: changed, box: container.NewVBox()}
	for _, o := range options {
		row := newRadioRow(o, func() { r.onTapped(o) })
		r.rows = append(r.rows, row)
		r.box.Add(row)
	}
	r.ExtendBaseWidget(r)
	return r
}

// SetSelected chooses option ("" for none) and reports the change.
func (r *RadioList) SetSelected(option string) {
	if r.Selected == option {
		return
	}
	r.Selected = option
	for i, row := range r.rows {
		row.setChosen(r.Options[i] == option)
	}
	if r.OnChanged != nil {
		r.OnChanged(option)
	}
}

func (r *RadioList) onTapped(option string) {
	if r.Selected == option {
		option = ""
	}
	r.SetSelected(option)
}

func (r *RadioList) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.box) }

// radioRow is one option of a RadioList: tap it, or focus it and press
// space.
type radioRow struct {
	widget.BaseWidget
	tapped func()
	icon   *widget.Icon
	label  *widget.Label
	bg     *Tint // the focus, in the theme's colour whatever the contrast
	view   fyne.CanvasObject
}

var (
	_ fyne.Tappable  = (*radioRow)(nil)
	_ fyne.Focusable = (*radioRow)(nil)
)

func newRadioRow(text string, tapped func()) *radioRow {
	row := &radioRow{tapped: tapped, icon: widget.NewIcon(theme.RadioButtonIcon()), label: Wrapped(text)}
	row.bg = NewTint(theme.ColorNameFocus, 1)
	row.bg.Hide()
	// The icon sits on the label's first line, however many it wraps to.
	icon := container.New(layout.NewCustomPaddedLayout(theme.InnerPadding(), 0, theme.Padding(), theme.Padding()), row.icon)
	row.view = container.NewStack(row.bg, container.NewBorder(nil, nil, container.NewVBox(icon), nil, row.label))
	row.ExtendBaseWidget(row)
	return row
}

func (row *radioRow) setChosen(on bool) {
	if on {
		row.icon.SetResource(theme.NewPrimaryThemedResource(theme.RadioButtonCheckedIcon()))
	} else {
		row.icon.SetResource(theme.RadioButtonIcon())
	}
}

func (row *radioRow) Tapped(*fyne.PointEvent) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(row); c != nil {
		c.Focus(row)
	}
	row.tapped()
}

// Text is the option's label.
func (row *radioRow) Text() string { return row.label.Text }

func (row *radioRow) FocusGained() { row.bg.Show(); row.bg.Refresh() }
func (row *radioRow) FocusLost()   { row.bg.Hide(); row.bg.Refresh() }
func (row *radioRow) TypedRune(r rune) {
	if r == ' ' {
		row.tapped()
	}
}
func (row *radioRow) TypedKey(ev *fyne.KeyEvent) {
	if IsBack(ev.Name) {
		passOn(row, ev)
	}
}

func (row *radioRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(row.view) }
