package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/secrets"
)

// aboutScreen tells the citizen how their data is kept on this device:
// where the key that encrypts drafts and submissions lives, and the data
// folder.
type aboutScreen struct {
	root       fyne.CanvasObject
	protection *widget.Label
	folder     *widget.Label
}

func newAboutScreen(d Deps) *aboutScreen {
	as := &aboutScreen{}
	title := widget.NewLabel(lang.L("Protection of your data"))
	title.TextStyle = fyne.TextStyle{Bold: true}
	intro := widget.NewLabel(lang.L("Your drafts and submissions are encrypted on this device. The key is kept in:"))
	intro.Wrapping = fyne.TextWrapWord
	as.protection = widget.NewLabel(protectionText(d.Protection))
	as.protection.Wrapping = fyne.TextWrapWord
	as.protection.Importance = widget.HighImportance
	box := container.NewVBox(title, intro, as.protection)
	if d.DataDir != "" {
		folderTitle := widget.NewLabel(lang.L("Data folder"))
		folderTitle.TextStyle = fyne.TextStyle{Bold: true}
		as.folder = widget.NewLabel(d.DataDir)
		as.folder.Wrapping = fyne.TextWrapBreak
		box.Add(folderTitle)
		box.Add(as.folder)
	}
	as.root = container.NewVScroll(container.NewPadded(box))
	return as
}

func (as *aboutScreen) content() fyne.CanvasObject { return as.root }

// protectionText names where the data key is kept, for people.
func protectionText(b secrets.Backend) string {
	switch b {
	case secrets.SystemKeyring:
		return lang.L("The system keyring")
	case secrets.KeyFile:
		return lang.L("A key file in the app's folder (protected by the device's own encryption and file permissions)")
	case secrets.Memory:
		return lang.L("The app's memory, until it is closed")
	}
	return lang.L("Unknown")
}
