package ui

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// LoadFonts loads the faces the screens are drawn in (regular and bold)
// and the system's fallback for the language, which fyne does when a text
// is first measured: about 30 ms of reading and parsing font files. Call
// it on a goroutine of its own as soon as the app exists, so that it
// happens while the data is opened and the window made, not in the first
// screen's way. Once: Start, New and the start-problem screen wait for it
// before they measure a text (a face may not shape two texts at once).
func LoadFonts() {
	loadFonts.Do(func() {
		for _, style := range []fyne.TextStyle{{Bold: true}, {}} {
			fyne.MeasureText("Ag", theme.TextSize(), style)
		}
	})
}

var loadFonts sync.Once

// Start is New for the app's start, in two halves: it makes the window
// and returns it, empty, for the caller to show, while the screens are
// built and laid out at the window's size on another goroutine; screens
// waits for them and puts them on the window. Making the window is mostly
// waiting on the display server and building the screens mostly
// measuring text, so on two cores they overlap. Call screens on the main
// goroutine right after showing the window and before running the app:
// fyne's caches may not be cleaned by a running loop while the screens
// are measured (a data race).
func Start(a fyne.App, d Deps) (w fyne.Window, screens func() *UI) {
	u := newUI(a, d)
	// The screens go into a root set now, so that the window does not lay
	// them out again at their smallest first, as SetContent does.
	root := container.NewStack()
	u.win.SetContent(root)
	size := windowSize(a) // NewWindow's
	if u.win.Padded() {
		p := 2 * theme.Padding()
		size = size.SubtractWidthHeight(p, p)
	}
	built := make(chan struct{})
	go func() {
		defer close(built)
		LoadFonts() // or waits for main's
		u.build()
		// Twice: a wrapping text knows its height only once it has a
		// width, so the first pass leaves the space below it wrong (the
		// services' list got none, and made its rows in the first frame,
		// on the main goroutine). The first pass is a pixel shorter, so
		// that the second lays out again what stands below such texts;
		// the widths stay, so nothing is wrapped anew.
		u.content.Resize(size.SubtractWidthHeight(0, 1))
		u.content.Resize(size)
	}()
	return u.win, func() *UI {
		<-built
		root.Add(u.content)
		canvas.Refresh(root)
		u.bindKeys()
		u.attach()
		return u
	}
}
