// Package shots takes the screenshots in docs/ from real windows (the GLFW
// driver under Xvfb) for the tests built with the screenshot tag.
package shots

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
)

// Main runs the tests beside a real app's event loop, which must own the
// main goroutine, in the language RATHAUS_LANG names (German when unset,
// loaded by load); it does not return. The tests reach the app through
// *realApp.
func Main(m *testing.M, load func(lang string) error, realApp *fyne.App) {
	lng := os.Getenv("RATHAUS_LANG")
	if lng == "" {
		lng = "de"
	}
	if err := load(lng); err != nil {
		panic(err)
	}
	*realApp = app.NewWithID("org.rathaus.app.screenshots")
	code := 0
	go func() {
		code = m.Run()
		if fyne.CurrentDevice().IsMobile() {
			os.Exit(code) // fyne's mobile driver (-tags mobile) does not quit
		}
		fyne.Do((*realApp).Quit)
	}()
	(*realApp).Run()
	os.Exit(code)
}

// Capture takes the window from the X server into folder/name, as a
// person sees it (the window sits at the screen's corner: Xvfb has no
// window manager).
func Capture(t testing.TB, w fyne.Window, folder, name string) {
	t.Helper()
	time.Sleep(time.Second) // let the driver paint
	var size fyne.Size
	fyne.DoAndWait(func() { size = w.Canvas().Size() })
	scale := w.Canvas().Scale()
	geom := fmt.Sprintf("%dx%d+0+0", int(size.Width*scale), int(size.Height*scale))
	out := filepath.Join(folder, name)
	if b, err := exec.Command("import", "-window", "root", "-crop", geom, "+repage", out).CombinedOutput(); err != nil {
		t.Fatalf("import: %v: %s", err, b)
	}
}
