package kiosk

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"

	"rathaus/app/kiosk"
	"rathaus/ui/kit"
)

// Receipt is shown after "Done": per submission the case number (or, while
// it waits for a connection, a reference) as a QR code and in big type,
// to photograph; then back to the start.
type Receipt struct {
	receipts []kiosk.Receipt
	finished func()
	finish   *kit.Button
	root     fyne.CanvasObject
}

// NewReceipt shows receipts; finished follows "Finish".
func NewReceipt(receipts []kiosk.Receipt, finished func()) *Receipt {
	r := &Receipt{receipts: receipts, finished: finished}
	items := container.NewVBox(kit.Heading(lang.L("Thank you! Take a photo of your receipt.")),
		kit.Wrapped(lang.L("Everything you entered has been deleted from this kiosk.")))
	for _, rc := range receipts {
		items.Add(widget.NewSeparator())
		items.Add(receiptView(rc))
	}
	r.finish = kit.NewButton(lang.L("Finish"), theme.HomeIcon(), r.onFinish)
	r.finish.Importance = widget.HighImportance
	items.Add(container.NewCenter(container.NewGridWrap(fyne.NewSize(320, 80), r.finish)))
	r.root = kit.NewVScroll(container.NewCenter(items))
	return r
}

// Content is the screen.
func (r *Receipt) Content() fyne.CanvasObject { return r.root }

func (r *Receipt) onFinish() { r.finished() }

// receiptView is one submission: its QR code on white and the code in big
// type beside a sentence that says what it is.
func receiptView(rc kiosk.Receipt) fyne.CanvasObject {
	code := rc.Reference()
	var qr fyne.CanvasObject = widget.NewLabel("")
	if img, err := qrcode.New(code, qrcode.Medium); err == nil {
		i := canvas.NewImageFromImage(img.Image(256))
		i.FillMode = canvas.ImageFillContain
		i.ScaleMode = canvas.ImageScalePixels
		i.SetMinSize(fyne.NewSize(180, 180))
		qr = container.NewStack(canvas.NewRectangle(color.White), i)
	}
	big := canvas.NewText(code, theme.Color(theme.ColorNameForeground))
	big.TextSize = theme.TextHeadingSize() * 1.5
	big.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
	var what *widget.Label
	if rc.CaseNumber != "" {
		what = kit.Wrapped(lang.L("Your application was received. Case number:"))
	} else {
		what = kit.Wrapped(lang.L("Your application is saved at this kiosk and is sent by itself as soon as the connection is back. Keep this reference:"))
	}
	return container.NewBorder(nil, nil, qr, nil, container.NewVBox(what, big))
}

// Codes are the codes shown, for tests.
func (r *Receipt) Codes() []string {
	var out []string
	for _, rc := range r.receipts {
		out = append(out, rc.Reference())
	}
	return out
}
