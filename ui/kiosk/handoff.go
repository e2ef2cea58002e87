package kiosk

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/handoff"
	"rathaus/ui/kit"
)

// handoffDraft is the draft that goes to the phone.
type handoffDraft struct{ *citizen.Draft }

// pollEvery is how often the handoff screen asks whether the phone took
// the draft.
var pollEvery = 2 * time.Second

// Handoff shows the QR code and the code that take a draft to a phone,
// and, once the phone took it, when.
type Handoff struct {
	handoffs Handoffs
	touch    func()
	id       string
	link     string

	qr     *canvas.Image
	code   *widget.Label
	status *widget.Label
	dialog dialog.Dialog

	stopOnce sync.Once
	stop     chan struct{}
}

// ShowHandoff seals the draft, stores it at the backend and shows the
// QR code over w; it asks every pollEvery whether the phone took it.
func ShowHandoff(w fyne.Window, hs Handoffs, d *handoffDraft, touch func()) *Handoff {
	h := &Handoff{handoffs: hs, touch: touch, stop: make(chan struct{})}
	ct, key, err := handoff.Seal(handoff.Draft{Service: d.Service, Form: d.Form, Values: d.Values, Step: d.Step})
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		var made api.Handoff
		made, err = hs.CreateHandoff(ctx, ct)
		cancel()
		h.id = made.ID
	}
	if err != nil {
		slog.Warn("kiosk: handoff not stored", "code", citizen.ErrorCode(err))
		kit.ShowMessage(lang.L("Continue on my phone"), kit.Wrapped(lang.L("The draft cannot be handed over now: the town hall's server cannot be reached. Try again in a moment, or finish here.")),
			lang.L("OK"), w)
		return nil
	}
	h.link = handoff.Link(h.id, key)
	img, qerr := qrcode.New(h.link, qrcode.Medium)
	var qr fyne.CanvasObject = kit.Wrapped(kit.ErrorText(qerr))
	if qerr == nil {
		h.qr = canvas.NewImageFromImage(img.Image(512))
		h.qr.FillMode = canvas.ImageFillContain
		h.qr.ScaleMode = canvas.ImageScalePixels
		h.qr.SetMinSize(fyne.NewSize(280, 280))
		qr = h.qr
	}
	h.code = kit.Wrapped(handoff.Code(h.id, key))
	h.code.TextStyle = fyne.TextStyle{Monospace: true}
	h.code.Selectable = true
	h.status = kit.Wrapped(lang.L("Waiting for your phone … The code is valid for 30 minutes and works once."))
	closeBtn := kit.NewButton(lang.L("Close"), theme.CancelIcon(), h.onClose)
	closeBtn.OnEscape = h.onClose
	content := container.NewVBox(
		kit.Wrapped(lang.L("Scan this code with the Rathaus app on your phone (\"Take over a draft\"), or type the code below. The draft is encrypted; only this code opens it.")),
		container.NewCenter(qr), h.code, h.status, container.NewCenter(closeBtn))
	h.dialog = dialog.NewCustomWithoutButtons(lang.L("Continue on my phone"), content, w)
	h.dialog.Resize(fyne.NewSize(560, content.MinSize().Height+80))
	h.dialog.Show()
	go h.poll()
	return h
}

func (h *Handoff) onClose() {
	h.stopOnce.Do(func() { close(h.stop) })
	h.dialog.Hide()
}

// poll asks the backend until the phone took the draft, or the dialog
// closed.
func (h *Handoff) poll() {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		st, err := h.handoffs.HandoffState(ctx, h.id)
		cancel()
		if err != nil || st.Claimed == nil {
			continue
		}
		at := *st.Claimed
		fyne.Do(func() { h.claimed(at) })
		return
	}
}

// claimed shows that the phone took the draft.
func (h *Handoff) claimed(at time.Time) {
	h.touch()
	h.status.SetText(lang.L("Your phone took the draft at") + " " + kit.DateTime(at.Local()) + ". " +
		lang.L("You can continue there now."))
	h.status.Importance = widget.SuccessImportance
	h.status.Refresh()
	if h.qr != nil {
		h.qr.Hide()
	}
	h.code.Hide()
}

// Link is the QR code's content, for tests.
func (h *Handoff) Link() string { return h.link }

// Status is the line under the code, for tests.
func (h *Handoff) Status() string { return h.status.Text }
