// Package about holds the screen that tells the citizen how their data is
// kept on this device: where the key that encrypts drafts and submissions
// lives, and the data folder. Settings (language, text size) will join it.
package about

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/secrets"
	"rathaus/ui/kit"
)

// Screen is the about screen.
type Screen struct {
	root       fyne.CanvasObject
	protection *widget.Label
	folder     *widget.Label
}

// NewScreen shows which protection guards the data key, and the data
// folder when there is one to name; settings (the language picker), when
// given, come first.
func NewScreen(protection secrets.Backend, dataDir string, settings ...fyne.CanvasObject) *Screen {
	s := &Screen{}
	s.protection = kit.Wrapped(protectionText(protection))
	s.protection.Importance = widget.HighImportance
	box := container.NewVBox(settings...)
	if len(settings) > 0 {
		box.Add(widget.NewSeparator())
	}
	box.Add(container.NewVBox(
		kit.Heading(lang.L("Protection of your data")),
		kit.Wrapped(lang.L("Your drafts and submissions are encrypted on this device. The key is kept in:")),
		s.protection))
	if dataDir != "" {
		s.folder = widget.NewLabel(dataDir)
		s.folder.Wrapping = fyne.TextWrapBreak
		box.Add(kit.Heading(lang.L("Data folder")))
		box.Add(s.folder)
	}
	s.root = kit.NewVScroll(container.NewPadded(box))
	return s
}

// Title is the screen's name, as on its tab.
func (s *Screen) Title() string { return lang.L("About") }

// Content is the screen's root.
func (s *Screen) Content() fyne.CanvasObject { return s.root }

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
