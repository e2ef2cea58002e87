package polls

import (
	"image/png"
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/ui/internal/uitest"
)

func TestShotTmp(t *testing.T) {
	test.NewTempApp(t)
	dev := uitest.NewDevice(t)
	s := New(Deps{Store: dev.Store, Sync: dev.Engine})
	w := test.NewWindow(s.Content())
	w.Resize(fyne.NewSize(420, 800))
	defer w.Close()
	shown(t, s)
	save := func(name string) {
		f, _ := os.Create(name)
		defer f.Close()
		_ = png.Encode(f, w.Canvas().Capture())
	}
	save("/tmp/polls-list.png")
	test.Tap(uitest.All[*widget.Button](s.Content())[1])
	save("/tmp/polls-answer.png")
}
