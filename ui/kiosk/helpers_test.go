//go:build !screenshot

package kiosk_test

import (
	"context"
	"image"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/sync/portal"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kiosk"
	"rathaus/ui/kit"
)

// radioOptions are the options of the language switch on the window.
func radioOptions(r *rig) []string {
	ps := uitest.All[*kit.LanguagePicker](r.win.Content())
	if len(ps) == 0 {
		return nil
	}
	return ps[0].Options()
}

// decodeQR reads the QR code on the window's dialog.
func decodeQR(t *testing.T, w fyne.Window) string {
	t.Helper()
	var img image.Image
	uitest.Walk(w.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if i, ok := o.(*canvas.Image); ok && i.Image != nil && img == nil {
			img = i.Image
		}
	})
	if img == nil {
		t.Fatal("no QR code on the dialog")
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The image as made: a pure code with its quiet zone.
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		t.Fatalf("decode the QR code: %v", err)
	}
	return res.GetText()
}

// phone is a citizen's phone: its own store, and the "Take over a draft"
// section of its settings.
type phone struct {
	store  *store.Store
	screen *kiosk.TakeOver
	opened *citizen.Draft
}

func newPhone(t *testing.T, backend string) *phone {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "phone.db"), secrets.OpenMemory("phone"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := &phone{store: st}
	p.screen = kiosk.NewTakeOver(portal.New(backend), st, func(d *citizen.Draft) { p.opened = d })
	return p
}

// take types the link into the section and taps "Take over": the draft
// stored on the phone, or the message shown.
func (p *phone) take(t *testing.T, link string) (*citizen.Draft, error) {
	t.Helper()
	w := test.NewWindow(p.screen.Content())
	defer w.Close()
	entries := uitest.All[*kit.Entry](p.screen.Content())
	entries[0].SetText(link)
	test.Tap(uitest.ButtonIn(t, p.screen.Content(), "Take over"))
	if p.opened == nil {
		return nil, citizen.Errorf(citizen.EINVALID, "%s", strings.TrimSpace(uitest.Text(p.screen.Content())))
	}
	return p.store.Draft(context.Background(), p.opened.ID)
}
