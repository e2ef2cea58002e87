// Package account is the account section of the settings: who is logged
// in, login through the system browser, login with a code on a kiosk
// (the device grant: the code in big type, a QR code and the address),
// and logout. The work is sync/login's; this screen shows it.
package account

import (
	"context"
	"errors"
	"image/color"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"

	"rathaus/app/citizen"
	"rathaus/sync/login"
	"rathaus/ui/kit"
)

// Login is what the screen needs of the login (sync/login.Manager).
type Login interface {
	Account() (login.Account, bool, error)
	Login(ctx context.Context) (login.Account, error)
	StartDevice(ctx context.Context) (*login.DeviceGrant, error)
	Logout(ctx context.Context) error
}

var _ Login = (*login.Manager)(nil)

// qrSide is the QR code's side on screen: scannable from a phone held at
// arm's length before a kiosk.
const qrSide = 220

// Screen is the account section.
type Screen struct {
	login Login

	status   *widget.Label
	pending  *widget.Label // the device link waits for the connection
	problem  *widget.Label
	waiting  *widget.Label
	loginB   *kit.Button
	deviceB  *kit.Button
	logoutB  *kit.Button
	cancelB  *kit.Button
	code     *canvas.Text
	address  *widget.Label
	qr       *canvas.Image
	codeBox  *fyne.Container
	root     *fyne.Container
	cancel   context.CancelFunc // the login under way
	signedIn bool
}

// NewScreen shows the account of l.
func NewScreen(l Login) *Screen {
	s := &Screen{login: l}
	s.status = kit.Wrapped("")
	s.pending = kit.Wrapped(lang.L("This device joins your account as soon as the town hall's server can be reached."))
	s.pending.Importance = widget.WarningImportance
	s.problem = kit.Wrapped("")
	s.problem.Importance = widget.DangerImportance
	s.problem.Hide()
	s.waiting = kit.Wrapped("")
	s.loginB = kit.NewButton(lang.L("Log in"), theme.LoginIcon(), s.onLogin)
	s.loginB.Importance = widget.HighImportance
	s.deviceB = kit.NewButton(lang.L("Log in with a code"), theme.ComputerIcon(), s.onDeviceLogin)
	s.logoutB = kit.NewButton(lang.L("Log out"), theme.LogoutIcon(), s.onLogout)
	s.cancelB = kit.NewButton(lang.L("Cancel"), theme.CancelIcon(), s.onCancel)

	s.code = canvas.NewText("", color.Black)
	s.code.TextSize = 40
	s.code.TextStyle = fyne.TextStyle{Bold: true}
	s.code.Alignment = fyne.TextAlignCenter
	s.qr = canvas.NewImageFromImage(nil)
	s.qr.FillMode = canvas.ImageFillContain
	s.qr.ScaleMode = canvas.ImageScalePixels
	s.qr.SetMinSize(fyne.NewSize(qrSide, qrSide))
	s.address = kit.Wrapped("")
	white := canvas.NewRectangle(color.White)
	white.CornerRadius = 8
	s.codeBox = container.NewVBox(
		kit.Wrapped(lang.L("On your phone or computer, open the address below or scan the QR code, log in and enter this code:")),
		container.NewStack(white, container.NewPadded(container.NewVBox(container.NewCenter(s.qr), s.code))),
		s.address,
	)
	s.root = container.NewVBox(s.status, s.pending, s.problem, s.waiting, s.codeBox, s.loginB, s.deviceB, s.logoutB, s.cancelB)
	s.Reload()
	return s
}

// Pending reports whether the screen says the device link waits for the
// connection: the shell reloads it after a pass that reached the backend.
func (s *Screen) Pending() bool { return s.signedIn && s.pending.Visible() }

// Content is the section's root.
func (s *Screen) Content() fyne.CanvasObject { return s.root }

// Title is the section's heading.
func (s *Screen) Title() string { return lang.L("Account") }

// Reload shows who is logged in now.
func (s *Screen) Reload() {
	a, ok, err := s.login.Account()
	if err != nil {
		s.showProblem(err)
	}
	s.show(a, ok)
}

// show puts the idle state on screen: signed in as a, or signed out.
func (s *Screen) show(a login.Account, ok bool) {
	s.signedIn = ok
	s.cancel = nil
	s.status.Show()
	s.waiting.Hide()
	s.codeBox.Hide()
	s.cancelB.Hide()
	if ok {
		s.status.SetText(signedInText(a))
		s.pending.Hidden = a.Linked
		s.loginB.Hide()
		s.deviceB.Hide()
		s.logoutB.Show()
	} else {
		s.status.SetText(lang.L("You are not logged in. Everything works without an account; log in to continue your drafts and applications on your other devices."))
		s.pending.Hide()
		s.loginB.Show()
		s.deviceB.Show()
		s.logoutB.Hide()
	}
	s.root.Refresh()
}

func signedInText(a login.Account) string {
	name := a.Name
	if name == "" {
		name = a.Subject
	}
	if a.Email == "" {
		return lang.L("Logged in as {{.Name}}", map[string]any{"Name": name})
	}
	return lang.L("Logged in as {{.Name}} ({{.Email}})", map[string]any{"Name": name, "Email": a.Email})
}

// busy shows a login under way with its Cancel.
func (s *Screen) busy(text string) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.problem.Hide()
	s.status.Hide()
	s.waiting.SetText(text)
	s.waiting.Show()
	s.loginB.Hide()
	s.deviceB.Hide()
	s.logoutB.Hide()
	s.cancelB.Show()
	s.root.Refresh()
	return ctx
}

// done ends a login (or logout) under way: the outcome on screen. A
// login whose device link waits for the connection is a login (the note
// says so; sync/login's Resume finishes it); a cancel is no problem.
func (s *Screen) done(a login.Account, err error) {
	fyne.Do(func() {
		if s.cancel != nil {
			s.cancel()
		}
		s.Reload()
		if err != nil && !errors.Is(err, context.Canceled) && (a.Subject == "" || !login.IsPending(err)) {
			s.showProblem(err)
		}
	})
}

func (s *Screen) showProblem(err error) {
	slog.Warn("account", "code", citizen.ErrorCode(err), "err", err)
	s.problem.SetText(problemText(err))
	s.problem.Show()
}

// problemText says what went wrong, in the citizen's language.
func problemText(err error) string {
	switch citizen.ErrorCode(err) {
	case citizen.EUNAVAILABLE:
		return lang.L("The town hall's login cannot be reached. Please check the connection and try again.")
	case citizen.EAUTH, citizen.EINSECURE:
		return kit.ErrorText(err)
	case citizen.ESECRETS:
		return lang.L("The login cannot be kept: the app's secret store does not answer.")
	}
	return lang.L("The login did not work. Please try again.")
}

func (s *Screen) onLogin() {
	ctx := s.busy(lang.L("Your browser opens the town hall's login. Log in there, then come back to the app."))
	go func() {
		a, err := s.login.Login(ctx)
		s.done(a, err)
	}()
}

func (s *Screen) onDeviceLogin() {
	ctx := s.busy(lang.L("Asking the town hall for a code…"))
	go func() {
		g, err := s.login.StartDevice(ctx)
		if err != nil {
			s.done(login.Account{}, err)
			return
		}
		fyne.Do(func() { s.showCode(g) })
		a, err := g.Wait(ctx)
		s.done(a, err)
	}()
}

// showCode shows the device grant's code, the QR code of the address that
// carries it, and the address to type.
func (s *Screen) showCode(g *login.DeviceGrant) {
	s.waiting.SetText(lang.L("Waiting for the code to be entered…"))
	s.code.Text = g.UserCode
	target := g.VerificationURIComplete
	if target == "" {
		target = g.VerificationURI
	}
	if q, err := qrcode.New(target, qrcode.Medium); err == nil {
		s.qr.Image = q.Image(512)
		s.qr.Show()
	} else {
		s.qr.Hide()
	}
	s.address.SetText(lang.L("Address: {{.URL}}", map[string]any{"URL": g.VerificationURI}))
	s.codeBox.Show()
	s.root.Refresh()
}

func (s *Screen) onCancel() {
	if s.cancel != nil {
		s.cancel()
	}
}

func (s *Screen) onLogout() {
	ctx := s.busy(lang.L("Logging out…"))
	s.cancelB.Hide()
	go func() {
		err := s.login.Logout(ctx)
		if login.IsPending(err) {
			// Out on this device; the town hall hears of it later.
			err = nil
		}
		s.done(login.Account{}, err)
	}()
}

// Code is the device grant's code on screen ("" when none), for tests.
func (s *Screen) Code() string {
	if !s.codeBox.Visible() {
		return ""
	}
	return s.code.Text
}
