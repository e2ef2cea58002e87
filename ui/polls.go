package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"rathaus/ui/kit"
)

// withPollsEntry puts the way to the polls ("Mitreden") below the home
// screen's services, beside the open data's.
func (u *UI) withPollsEntry(home fyne.CanvasObject) fyne.CanvasObject {
	b := kit.NewWrapButton(u.polls.Title(), theme.MailComposeIcon(), u.OpenPolls)
	return container.NewBorder(nil, b, nil, nil, home)
}

// OpenPolls shows the polls on the services tab.
func (u *UI) OpenPolls() {
	if u.tabs != nil && u.tabs.SelectedIndex() != 0 {
		u.tabs.SelectIndex(0)
	}
	u.nav.popToRoot()
	u.nav.push(u.polls.Content(), u.polls.Title(), nil)
	u.polls.Shown()
}
