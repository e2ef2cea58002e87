package appointments

import (
	"image"
	"image/color"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/ui/kit"
)

// qrSide is the QR code's side on screen: with medium error correction a
// ticket's payload makes about 45 modules, 6 points each, which a phone's
// or a desk scanner's camera reads from arm's length.
const qrSide = 280

// Ticket is one appointment: its state and, once booked, the ticket to
// show at the desk (a QR code, black on white whatever the theme, and the
// short code in big type), with what can be done with it.
type Ticket struct {
	a     *Area
	local string
	ap    citizen.Appointment
	root  *fyne.Container

	// Shown parts, for the tests.
	qr                     *canvas.Image
	code                   *canvas.Text
	state                  *widget.Label
	detail                 *widget.Label
	alts                   *fyne.Container
	export, rebook, cancel *kit.Button
}

func newTicket(a *Area, local string) *Ticket {
	t := &Ticket{a: a, local: local, root: container.NewVBox()}
	t.Refresh()
	return t
}

// Title is the screen's name.
func (t *Ticket) Title() string { return lang.L("Appointment") }

// Content is the screen's root.
func (t *Ticket) Content() fyne.CanvasObject { return kit.NewVScroll(container.NewPadded(t.root)) }

// QR is the ticket's QR code as drawn (nil while there is none).
func (t *Ticket) QR() image.Image {
	if t.qr == nil {
		return nil
	}
	return t.qr.Image
}

// Refresh shows the appointment as the store has it.
func (t *Ticket) Refresh() {
	ctx, cancel := ctxShort()
	defer cancel()
	ap, err := t.a.d.Store.Appointment(ctx, t.local)
	t.root.Objects = nil
	t.qr, t.code = nil, nil
	if err != nil {
		t.root.Add(kit.Banner(kit.ErrorText(err)))
		t.root.Refresh()
		return
	}
	t.ap = ap
	offices := t.a.offices()
	loc := t.a.location(offices)
	of := t.a.office(offices, ap.Office)

	t.state = kit.Heading(stateText(ap.State))
	t.detail = kit.Wrapped(t.a.serviceTitle(ap.Service) + "\n" + when(ap.Slot, loc) + "\n" + of.Name.In(kit.Lang()) + "\n" + of.Address)
	t.root.Add(t.state)
	if ap.State == citizen.AppointmentBooked && ap.Ticket != "" {
		t.root.Add(t.ticketView())
	}
	t.root.Add(t.detail)
	switch ap.State {
	case citizen.AppointmentPending:
		t.root.Add(kit.Wrapped(lang.L("Your booking is saved on this device and goes to the town hall as soon as there is a connection. The ticket appears here then.")))
	case citizen.AppointmentTaken:
		t.root.Add(kit.Wrapped(lang.L("Someone else booked this time first. Free times nearby:")))
		t.alts = container.NewVBox()
		for _, s := range ap.Alternatives {
			s := s
			t.alts.Add(kit.NewWrapButton(when(s, loc), nil, func() { t.onAlternative(s) }))
		}
		t.root.Add(t.alts)
		t.root.Add(kit.NewWrapButton(lang.L("Choose another time"), nil, func() { t.a.d.Nav.OpenBooking(ap.Service, "") }))
	case citizen.AppointmentFailed:
		t.root.Add(kit.Banner(lang.L(ap.Error)))
		t.root.Add(kit.NewWrapButton(lang.L("Choose another time"), nil, func() { t.a.d.Nav.OpenBooking(ap.Service, "") }))
	}
	t.export, t.rebook, t.cancel = nil, nil, nil
	if ap.State == citizen.AppointmentBooked {
		t.export = kit.NewWrapButton(lang.L("Add to calendar (.ics)"), theme.DocumentSaveIcon(), t.onExport)
		t.rebook = kit.NewWrapButton(lang.L("Change time"), theme.HistoryIcon(), func() { t.a.d.Nav.OpenBooking(ap.Service, ap.Local) })
		t.root.Add(t.export)
		t.root.Add(t.rebook)
	}
	if ap.Usable() {
		t.cancel = kit.NewWrapButton(lang.L("Cancel appointment"), theme.CancelIcon(), t.onCancel)
		t.cancel.Importance = widget.DangerImportance
		t.root.Add(t.cancel)
	}
	t.root.Refresh()
}

// ticketView is the QR code on white with the short code in big type
// under it: both stay readable at full brightness and in a dark theme.
func (t *Ticket) ticketView() fyne.CanvasObject {
	img, err := qrcode.New(t.ap.Ticket, qrcode.Medium)
	var qr fyne.CanvasObject
	if err == nil {
		img.DisableBorder = false // the quiet zone scanners need
		t.qr = canvas.NewImageFromImage(img.Image(512))
		t.qr.FillMode = canvas.ImageFillContain
		t.qr.ScaleMode = canvas.ImageScalePixels // sharp module edges
		t.qr.SetMinSize(fyne.NewSize(qrSide, qrSide))
		qr = t.qr
	} else {
		qr = kit.Wrapped(kit.ErrorText(err))
	}
	t.code = canvas.NewText(t.ap.Code, color.Black)
	t.code.TextSize = 40
	t.code.TextStyle = fyne.TextStyle{Bold: true}
	t.code.Alignment = fyne.TextAlignCenter
	// A label that wraps (a canvas text was wider than a phone at 200 %),
	// in the light theme's colours: it stands on the white.
	hint := kit.Wrapped(lang.L("Show this code at the desk"))
	hint.Alignment = fyne.TextAlignCenter
	white := canvas.NewRectangle(color.White)
	white.CornerRadius = 8
	return container.NewStack(white, container.NewPadded(container.NewVBox(container.NewCenter(qr), t.code, container.NewThemeOverride(hint, lightTheme{}))))
}

// lightTheme is the app's theme always in its light variant, for text on
// the ticket's white in a dark theme too.
type lightTheme struct{}

var _ fyne.Theme = lightTheme{}

func (lightTheme) th() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }
func (l lightTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return l.th().Color(n, theme.VariantLight)
}
func (l lightTheme) Font(s fyne.TextStyle) fyne.Resource     { return l.th().Font(s) }
func (l lightTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return l.th().Icon(n) }
func (l lightTheme) Size(n fyne.ThemeSizeName) float32       { return l.th().Size(n) }

func (t *Ticket) onAlternative(s api.Slot) {
	ctx, cancel := ctxShort()
	defer cancel()
	ap, err := t.a.d.Store.BookAppointment(ctx, t.ap.Service, t.ap.Office, s, "")
	if err != nil {
		kit.ShowInfo(lang.L("Not booked"), kit.ErrorText(err), t.a.d.Window)
		return
	}
	_ = t.a.d.Store.CancelAppointment(ctx, t.ap.Local) // the taken one holds nothing: off the list
	t.a.d.Sync.Kick()
	t.a.list.Refresh()
	t.a.d.Nav.OpenTicket(ap.Local)
}

func (t *Ticket) onCancel() {
	kit.ShowConfirmRisky(lang.L("Cancel this appointment?"), lang.L("The time becomes free for others. This cannot be undone."), lang.L("Yes"), lang.L("No"), func(ok bool) {
		if ok {
			t.ConfirmCancel()
		}
	}, t.a.d.Window)
}

// ConfirmCancel cancels the appointment (the confirmed choice) and queues
// the cancel.
func (t *Ticket) ConfirmCancel() {
	ctx, cancel := ctxShort()
	defer cancel()
	if err := t.a.d.Store.CancelAppointment(ctx, t.local); err != nil {
		kit.ShowInfo(lang.L("Not cancelled"), kit.ErrorText(err), t.a.d.Window)
		return
	}
	t.a.d.Sync.Kick()
	t.a.list.Refresh()
	t.Refresh()
}

// onExport saves the appointment as an .ics file where the citizen
// chooses (fyne's save dialog; on a phone, the system's).
func (t *Ticket) onExport() {
	d := kit.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		if err := t.WriteICS(w); err != nil {
			kit.ShowError(err, t.a.d.Window)
		}
	}, t.a.d.Window)
	d.SetFileName("termin-" + t.ap.Slot.Start.In(t.a.location(t.a.offices())).Format("2006-01-02-1504") + ".ics")
	d.Show()
}

// WriteICS writes the appointment as an iCalendar file.
func (t *Ticket) WriteICS(w io.Writer) error {
	offices := t.a.offices()
	of := t.a.office(offices, t.ap.Office)
	desc := lang.L("Ticket {{.Code}}. Please bring your ID card or passport.", map[string]any{"Code": t.ap.Code})
	_, err := w.Write(citizen.AppointmentICS(t.ap, t.a.serviceTitle(t.ap.Service), of.Name.In(kit.Lang())+", "+of.Address, desc, t.a.d.Now()))
	return err
}
