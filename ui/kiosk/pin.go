package kiosk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"

	"rathaus/app/citizen"
	"rathaus/app/kiosk"
	"rathaus/ui/kit"
)

// PINSetup is the first start's screen: staff choose the PIN that leaves
// kiosk mode.
type PINSetup struct {
	pin    PIN
	done   func()
	first  *kit.Entry
	second *kit.Entry
	save   *kit.Button
	msg    *widget.Label
	root   fyne.CanvasObject
}

// NewPINSetup asks for a new PIN twice; done follows once it is stored.
func NewPINSetup(pin PIN, done func()) *PINSetup {
	s := &PINSetup{pin: pin, done: done}
	s.first = kit.NewPasswordEntry()
	s.first.SetPlaceHolder(lang.L("New staff PIN"))
	s.second = kit.NewPasswordEntry()
	s.first.OnSubmitted = s.onFirstSubmitted
	s.second.SetPlaceHolder(lang.L("The PIN once more"))
	s.second.OnSubmitted = func(string) { s.onSave() }
	s.save = kit.NewButton(lang.L("Save PIN"), theme.ConfirmIcon(), s.onSave)
	s.save.Importance = widget.HighImportance
	s.msg = kit.Wrapped("")
	s.msg.Importance = widget.DangerImportance
	hint := kit.Wrapped(fmt.Sprintf(lang.L("Kiosk mode: staff set a PIN of %d to %d digits first. It is needed to leave kiosk mode."),
		kiosk.MinPINDigits, kiosk.MaxPINDigits))
	box := container.NewVBox(kit.Heading(lang.L("Set the staff PIN")), hint, s.first, s.second, s.msg, s.save)
	s.root = container.NewCenter(container.NewGridWrap(fyne.NewSize(480, box.MinSize().Height+80), box))
	return s
}

// Content is the screen.
func (s *PINSetup) Content() fyne.CanvasObject { return s.root }

// Focus puts the cursor into the first field.
func (s *PINSetup) Focus(c fyne.Canvas) { c.Focus(s.first) }

// onFirstSubmitted: Enter in the first field goes on to the second.
func (s *PINSetup) onFirstSubmitted(string) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(s.first); c != nil {
		c.Focus(s.second)
	}
}

func (s *PINSetup) onSave() {
	if s.first.Text != s.second.Text {
		s.msg.SetText(lang.L("The two PINs differ."))
		return
	}
	if err := kiosk.ValidPIN(s.first.Text); err != nil {
		s.msg.SetText(fmt.Sprintf(lang.L("The PIN must have %d to %d digits."), kiosk.MinPINDigits, kiosk.MaxPINDigits))
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.pin.Set(ctx, s.first.Text); err != nil {
		s.msg.SetText(kit.ErrorText(err))
		return
	}
	s.first.SetText("")
	s.second.SetText("")
	s.done()
}

// Leave asks for the staff PIN in a dialog; the right one calls left.
// With a StaffLogin, staff may sign in with their account instead (the
// device grant: a code and its QR to confirm on their own device).
type Leave struct {
	pin    PIN
	staff  StaffLogin
	win    fyne.Window
	left   func()
	entry  *kit.Entry
	msg    *widget.Label
	dialog dialog.Dialog
}

// ShowLeave shows the PIN dialog over w.
func ShowLeave(w fyne.Window, pin PIN, staff StaffLogin, left func()) *Leave {
	l := &Leave{pin: pin, staff: staff, win: w, left: left}
	l.entry = kit.NewPasswordEntry()
	l.entry.SetPlaceHolder(lang.L("Staff PIN"))
	l.entry.OnSubmitted = func(string) { l.onCheck() }
	l.entry.OnEscape = func() bool { l.onCancel(); return true }
	l.msg = kit.Wrapped("")
	l.msg.Importance = widget.DangerImportance
	ok := kit.NewButton(lang.L("Leave kiosk mode"), theme.LogoutIcon(), l.onCheck)
	ok.Importance = widget.HighImportance
	cancel := kit.NewButton(lang.L("Cancel"), theme.CancelIcon(), l.onCancel)
	ok.OnEscape, cancel.OnEscape = l.onCancel, l.onCancel
	content := container.NewVBox(kit.Wrapped(lang.L("Only for staff: enter the PIN to leave kiosk mode.")), l.entry, l.msg,
		container.NewGridWithColumns(2, cancel, ok))
	if staff != nil {
		content.Add(kit.NewButton(lang.L("Sign in with a staff account"), theme.AccountIcon(), l.onAccount))
	}
	l.dialog = dialog.NewCustomWithoutButtons(lang.L("Staff"), content, w)
	l.dialog.Resize(fyne.NewSize(420, content.MinSize().Height+80))
	l.dialog.Show()
	w.Canvas().Focus(l.entry)
	return l
}

func (l *Leave) onCancel() { l.dialog.Hide() }

func (l *Leave) onCheck() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := l.pin.Check(ctx, l.entry.Text)
	l.entry.SetText("")
	if err == nil {
		l.dialog.Hide()
		l.left()
		return
	}
	l.msg.SetText(pinErrorText(err))
}

// pinErrorText says why a PIN was refused, with the numbers in the
// citizen's... in staff's language.
func pinErrorText(err error) string {
	var pe *kiosk.PINError
	if errors.As(err, &pe) {
		if pe.Wait > 0 {
			return fmt.Sprintf(lang.L("Too many wrong PINs. Try again in %d minutes."), int((pe.Wait+time.Minute-1)/time.Minute))
		}
		return fmt.Sprintf(lang.L("The PIN is wrong. %d tries left before the PIN is locked."), pe.Left)
	}
	if citizen.ErrorCode(err) == citizen.ENOTFOUND {
		return lang.L("No staff PIN is set on this kiosk.")
	}
	return kit.ErrorText(err)
}

// onAccount starts the device grant: the code and address (and a QR code
// of the address with the code, so that a phone needs no typing) to
// confirm on the staff's own device; once confirmed, kiosk mode is left.
func (l *Leave) onAccount() {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	code, wait, err := l.staff.StartDeviceLogin(ctx)
	cancel()
	if err != nil {
		l.msg.SetText(kit.ErrorText(err))
		return
	}
	l.dialog.Hide()
	status := kit.Wrapped(lang.L("Open the address on your own device and enter the code:"))
	codeText := kit.Heading(code.UserCode)
	content := container.NewVBox(status, kit.Wrapped(code.VerificationURI), codeText)
	target := code.VerificationURIComplete
	if target == "" {
		target = code.VerificationURI
	}
	if img, err := qrcode.New(target, qrcode.Medium); err == nil {
		i := canvas.NewImageFromImage(img.Image(256))
		i.FillMode = canvas.ImageFillContain
		i.ScaleMode = canvas.ImageScalePixels
		i.SetMinSize(fyne.NewSize(200, 200))
		content.Add(container.NewCenter(i))
	}
	waitCtx, stop := context.WithTimeout(context.Background(), 15*time.Minute)
	d := kit.ShowMessage(lang.L("Staff"), content, lang.L("Cancel"), l.win)
	d.SetOnClosed(stop)
	go func() {
		err := wait(waitCtx)
		fyne.Do(func() {
			if err != nil {
				if waitCtx.Err() == nil { // not cancelled by the staff
					status.SetText(kit.ErrorText(err))
				}
				return
			}
			d.Hide()
			l.left()
		})
	}()
}
