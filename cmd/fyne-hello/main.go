// Command fyne-hello is Fyne's hello-world: one window with a label and a
// button. It is the baseline of the start benchmark (BENCHMARKS.md), built
// and timed the same way as the app.
package main

import (
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"rathaus/ui/firstframe"
)

func main() {
	a := app.NewWithID("org.rathaus.hello")
	w := a.NewWindow("Hello")
	hello := widget.NewLabel("Hello Fyne!")
	w.SetContent(firstframe.Frame(container.NewVBox(hello, widget.NewButton("Hi!", func() { hello.SetText("Welcome :)") })), nil))
	w.ShowAndRun()
}
