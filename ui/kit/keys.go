package kit

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/mobile"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Fyne's button takes Space only and shows its focus as a tint that was
// invisible on a blue button. Button takes Enter too, draws a ring in the
// text colour around itself while focused (at least 4.5:1 against the
// screen, see look_test.go), and passes Escape on to the window (back, or
// close the dialog).
type Button struct {
	widget.Button
	// OnEscape, if set, is what Escape does on the focused button (cancel
	// a dialog); otherwise the window's handler gets it.
	OnEscape func()
	focused  bool
	wrap     bool // NewWrapButton's: the text wraps
}

var (
	_ fyne.Focusable = (*Button)(nil)
	_ fyne.Tappable  = (*Button)(nil)
)

// NewButton is a button with a text and an icon (nil for none).
func NewButton(text string, icon fyne.Resource, tapped func()) *Button {
	b := &Button{}
	b.Text, b.Icon, b.OnTapped = text, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// Widget is fyne's button inside, for tests that look for buttons.
func (b *Button) Widget() *widget.Button { return &b.Button }

func (b *Button) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if !b.Disabled() {
			b.Tapped(nil)
		}
	case fyne.KeyEscape, mobile.KeyBack:
		if b.OnEscape != nil {
			b.OnEscape()
			return
		}
		passOn(b, ev)
	default:
		b.Button.TypedKey(ev)
	}
}

func (b *Button) FocusGained() { b.focused = true; b.Button.FocusGained() }
func (b *Button) FocusLost()   { b.focused = false; b.Button.FocusLost() }

func (b *Button) CreateRenderer() fyne.WidgetRenderer {
	ring := canvas.NewRectangle(color.Transparent)
	ring.StrokeWidth = 2
	ring.Hide()
	r := &ringRenderer{WidgetRenderer: b.Button.CreateRenderer(), ring: ring, b: b}
	if b.wrap {
		return newWrapRenderer(r)
	}
	return r
}

// ringRenderer is the button's renderer with the focus ring on top.
type ringRenderer struct {
	fyne.WidgetRenderer
	ring *canvas.Rectangle
	b    *Button
}

func (r *ringRenderer) Layout(size fyne.Size) {
	r.WidgetRenderer.Layout(size)
	r.ring.Resize(size)
}

func (r *ringRenderer) Objects() []fyne.CanvasObject {
	return append(r.WidgetRenderer.Objects(), r.ring)
}

func (r *ringRenderer) Refresh() {
	r.WidgetRenderer.Refresh()
	r.ring.StrokeColor = r.b.Theme().Color(theme.ColorNameForeground, fyne.CurrentApp().Settings().ThemeVariant())
	r.ring.CornerRadius = r.b.Theme().Size(theme.SizeNameInputRadius)
	r.ring.Hidden = !r.b.focused
	r.ring.Refresh()
}

// IsBack reports whether a key asks to go back: Escape, or a phone's back
// key or gesture (which fyne gives to the focused object first).
func IsBack(k fyne.KeyName) bool { return k == fyne.KeyEscape || k == mobile.KeyBack }

// passOn gives a key a focused widget does not use to the window's own
// handler (the shell's: Escape goes back or closes a dialog).
func passOn(o fyne.CanvasObject, ev *fyne.KeyEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(o)
	if c == nil {
		return
	}
	if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

// CloseTop closes the canvas's top dialog or pop-up as Escape on it does:
// by the OnEscape of a button in it (the dialog's cancel, which also runs
// what waits for the dialog to close, where hiding it would not), else by
// hiding it. It reports whether there was one.
func CloseTop(c fyne.Canvas) bool {
	top := c.Overlays().Top()
	if top == nil {
		return false
	}
	if esc := escapeIn(top); esc != nil {
		esc()
		return true
	}
	top.Hide()
	return true
}

// escapeIn is the OnEscape of the first visible button below o that has
// one, through containers and pop-ups (where dialogs keep their buttons).
func escapeIn(o fyne.CanvasObject) func() {
	if o == nil || !o.Visible() {
		return nil
	}
	switch x := o.(type) {
	case *Button:
		return x.OnEscape
	case *widget.PopUp:
		return escapeIn(x.Content)
	case *fyne.Container:
		for _, c := range x.Objects {
			if f := escapeIn(c); f != nil {
				return f
			}
		}
	}
	return nil
}

// ShowMessage shows a dialog with content and one button, focused, so
// that Enter (or Escape) closes it. It opens as wide as a phone allows,
// room for wrapping text (a wrapping label alone is a word wide).
func ShowMessage(title string, content fyne.CanvasObject, ok string, w fyne.Window) dialog.Dialog {
	var d dialog.Dialog
	b := NewButton(ok, nil, func() { d.Hide() })
	b.Importance = widget.HighImportance
	b.OnEscape = b.OnTapped
	d = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil, container.NewCenter(b), nil, nil, content), w)
	d.Resize(fyne.NewSize(min(360, w.Canvas().Size().Width-4*theme.Padding()), 0))
	d.Show()
	w.Canvas().Focus(b)
	return d
}

// ShowInfo shows a text with OK, focused. Fyne's information and error
// dialogs leave their button unfocused, and once Tab reached it, it took
// neither Enter nor Escape.
func ShowInfo(title, text string, w fyne.Window) dialog.Dialog {
	return ShowMessage(title, Wrapped(text), lang.L("OK"), w)
}

// ShowError says what went wrong, as ShowInfo.
func ShowError(err error, w fyne.Window) dialog.Dialog {
	return ShowInfo(lang.L("Error"), err.Error(), w)
}

// ShowConfirm asks a question with two buttons, the confirming one
// focused: Enter confirms, Escape (or the other button) does not.
func ShowConfirm(title, text, yes, no string, answered func(bool), w fyne.Window) dialog.Dialog {
	return showConfirm(title, text, yes, no, answered, w, false)
}

// ShowConfirmRisky asks before what cannot be undone (deleting the data
// on the device): the confirming button in the danger colour, the other
// focused, so that Enter does not destroy anything.
func ShowConfirmRisky(title, text, yes, no string, answered func(bool), w fyne.Window) dialog.Dialog {
	return showConfirm(title, text, yes, no, answered, w, true)
}

func showConfirm(title, text, yes, no string, answered func(bool), w fyne.Window, risky bool) dialog.Dialog {
	var d dialog.Dialog
	answer := func(ok bool) func() {
		return func() {
			d.Hide()
			if answered != nil {
				answered(ok)
			}
		}
	}
	confirm := NewButton(yes, theme.ConfirmIcon(), answer(true))
	confirm.Importance = widget.HighImportance
	cancel := NewButton(no, theme.CancelIcon(), answer(false))
	confirm.OnEscape, cancel.OnEscape = cancel.OnTapped, cancel.OnTapped
	focused := confirm
	if risky {
		confirm.Importance, focused = widget.DangerImportance, cancel
	}
	buttons := container.NewGridWithColumns(2, cancel, confirm)
	d = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil, buttons, nil, nil, Wrapped(text)), w)
	d.Resize(fyne.NewSize(min(360, w.Canvas().Size().Width-4*theme.Padding()), 0))
	d.Show()
	w.Canvas().Focus(focused)
	return d
}
