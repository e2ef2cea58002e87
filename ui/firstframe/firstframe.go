// Package firstframe ends the process once a window has drawn its first
// frame with content, when RATHAUS_EXIT_AFTER_FIRST_FRAME=1: the start
// benchmark in BENCHMARKS.md times the app and a Fyne hello-world
// (cmd/fyne-hello) as whole processes, from exec to their first frame,
// the same way.
package firstframe

import (
	"image"
	"os"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
)

// Env is the variable that turns it on.
const Env = "RATHAUS_EXIT_AFTER_FIRST_FRAME"

// Frame returns content as it is, or, where Env is "1", with a one-pixel
// raster over it: the painter asks for its image while it draws the
// first frame that shows content, and the exit is queued behind that
// frame. Wrap the content before it is set on the window (a second
// SetContent would lay the window out again, which the app does not do).
// exit is os.Exit where nil (tests pass their own).
func Frame(content fyne.CanvasObject, exit func(code int)) fyne.CanvasObject {
	if os.Getenv(Env) != "1" {
		return content
	}
	if exit == nil {
		exit = os.Exit
	}
	var once sync.Once
	probe := canvas.NewRaster(func(pw, ph int) image.Image {
		once.Do(func() { fyne.Do(func() { exit(0) }) })
		return image.NewNRGBA(image.Rect(0, 0, pw, ph))
	})
	probe.Resize(fyne.NewSize(1, 1))
	return container.NewStack(content, container.NewWithoutLayout(probe))
}
