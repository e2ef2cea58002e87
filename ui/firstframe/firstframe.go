// Package firstframe ends the process once a window has drawn its first
// frame, when RATHAUS_EXIT_AFTER_FIRST_FRAME=1: the start benchmark in
// BENCHMARKS.md times the app and a Fyne hello-world (cmd/fyne-hello) as
// whole processes, from exec to their first frame, the same way.
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

// Watch, where Env is "1", puts a one-pixel raster over w's content: the
// painter asks for its image while it draws the frame, and the exit is
// queued behind that frame. Call it once the content is set. exit is
// os.Exit where nil (tests pass their own).
func Watch(w fyne.Window, exit func(code int)) {
	if os.Getenv(Env) != "1" {
		return
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
	w.SetContent(container.NewStack(w.Content(), container.NewWithoutLayout(probe)))
}
