package kiosk

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/kiosk"
	"rathaus/app/store"
	"rathaus/ui/kit"
)

// Bar is the session's bar above the app's screens: the clerk's help
// mode, the handoff to the citizen's phone, and "Done".
type Bar struct {
	win      fyne.Window
	handoffs Handoffs
	session  *kiosk.Session
	onDoneFn func()
	touch    func()

	help    *kit.Check
	handoff *kit.Button
	done    *kit.Button
	bar     fyne.CanvasObject
}

// NewBar builds the bar of a session.
func NewBar(w fyne.Window, h Handoffs, s *kiosk.Session, onDone, touch func()) *Bar {
	b := &Bar{win: w, handoffs: h, session: s, onDoneFn: onDone, touch: touch}
	var helpBox fyne.CanvasObject
	b.help, helpBox = kit.NewCheck(lang.L("Help mode (large type for the clerk beside you)"), helpOn(), b.onHelp)
	b.handoff = kit.NewButton(lang.L("Continue on my phone"), theme.MailForwardIcon(), b.onHandoff)
	b.done = kit.NewButton(lang.L("Done"), theme.ConfirmIcon(), b.onDone)
	b.done.Importance = widget.HighImportance
	b.bar = container.NewBorder(nil, nil, nil, container.NewHBox(b.handoff, b.done), helpBox)
	return b
}

// Frame puts the bar above content, and a watcher of the pointer over
// all of it: any movement restarts the countdown.
func (b *Bar) Frame(content fyne.CanvasObject, touch func()) fyne.CanvasObject {
	return container.NewBorder(container.NewVBox(b.bar, widget.NewSeparator()), nil, nil, nil,
		container.NewStack(content, newActivity(touch)))
}

func (b *Bar) onDone() { b.onDoneFn() }

// helpOn tells whether the look is the help mode's (200 %).
func helpOn() bool {
	l, ok := fyne.CurrentApp().Settings().Theme().(*kit.Look)
	return ok && l.TextPercent() == helpTextSize
}

// Text sizes of the session, in percent: large by default, larger in the
// help mode, where the summary and every field's help are read by two.
const (
	sessionTextSize = 150
	helpTextSize    = 200
)

func (b *Bar) onHelp(on bool) {
	b.touch()
	size := sessionTextSize
	if on {
		size = helpTextSize
	}
	applyTextSize(size)
}

// applyTextSize sets the app's text size, keeping its contrast.
func applyTextSize(percent int) {
	a := fyne.CurrentApp()
	contrast := kit.ContrastNormal
	if l, ok := a.Settings().Theme().(*kit.Look); ok {
		if l.TextPercent() == percent {
			return
		}
		contrast = l.Contrast()
	}
	a.Settings().SetTheme(kit.NewLook(percent, contrast))
}

// onHandoff hands the draft the citizen worked on last to their phone.
func (b *Bar) onHandoff() {
	b.touch()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := latestDraft(ctx, b.session.Store)
	if err != nil {
		kit.ShowMessage(lang.L("Continue on my phone"), kit.Wrapped(kit.ErrorText(err)), lang.L("OK"), b.win)
		return
	}
	if d == nil {
		kit.ShowMessage(lang.L("Continue on my phone"), kit.Wrapped(lang.L("Start a form first: its draft is what goes to your phone.")), lang.L("OK"), b.win)
		return
	}
	ShowHandoff(b.win, b.handoffs, d, b.touch)
}

// latestDraft is the editable draft changed last, nil if none.
func latestDraft(ctx context.Context, st *store.Store) (*handoffDraft, error) {
	drafts, err := st.Drafts(ctx)
	if err != nil {
		return nil, err
	}
	var best *handoffDraft
	for _, d := range drafts {
		if !d.State.Editable() || d.Locked {
			continue
		}
		if best == nil || d.Updated.After(best.Updated) {
			best = &handoffDraft{Draft: d}
		}
	}
	return best, nil
}

// activity covers the screens and hears the pointer move over them,
// without taking taps, scrolls or keys from them (it is only Hoverable).
type activity struct {
	widget.BaseWidget
	touch func()
}

var _ desktop.Hoverable = (*activity)(nil)

func newActivity(touch func()) *activity {
	a := &activity{touch: touch}
	a.ExtendBaseWidget(a)
	return a
}

func (a *activity) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewWithoutLayout())
}

func (a *activity) MouseIn(*desktop.MouseEvent)    { a.touch() }
func (a *activity) MouseMoved(*desktop.MouseEvent) { a.touch() }
func (a *activity) MouseOut()                      {}

// Warning is the inactivity warning: the seconds left and "Continue".
type Warning struct {
	left   *widget.Label
	dialog dialog.Dialog
}

// ShowWarning shows the warning over w; cont restarts the countdown.
func ShowWarning(w fyne.Window, cont func()) *Warning {
	wa := &Warning{left: kit.Wrapped("")}
	wa.left.TextStyle = fyne.TextStyle{Bold: true}
	btn := kit.NewButton(lang.L("Continue"), theme.MediaPlayIcon(), func() { wa.Hide(); cont() })
	btn.Importance = widget.HighImportance
	btn.OnEscape = btn.OnTapped // a key pressed: someone is there
	content := container.NewVBox(kit.Wrapped(lang.L("Are you still there? Without a touch, this session ends and everything you entered is deleted.")),
		wa.left, btn)
	wa.dialog = dialog.NewCustomWithoutButtons(lang.L("Still there?"), content, w)
	wa.dialog.Resize(fyne.NewSize(480, content.MinSize().Height+80))
	wa.dialog.Show()
	w.Canvas().Focus(btn)
	return wa
}

// SetLeft shows the seconds left.
func (w *Warning) SetLeft(d time.Duration) {
	w.left.SetText(fmt.Sprintf(lang.L("The session ends in %d seconds."), int((d+time.Second-1)/time.Second)))
}

// Hide takes the warning off.
func (w *Warning) Hide() { w.dialog.Hide() }

// Text is the warning's countdown as shown, for tests.
func (w *Warning) Text() string { return w.left.Text }
