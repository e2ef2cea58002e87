package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"rathaus/ui/kit"
)

// withOpenDataEntry puts the way to the town's figures below the home
// screen's services, beside the report's: one tap from home, no tab (the
// tab bar is as wide as a phone allows).
func (u *UI) withOpenDataEntry(home fyne.CanvasObject) fyne.CanvasObject {
	b := kit.NewWrapButton(u.openData.Title(), theme.GridIcon(), u.OpenOpenData)
	return container.NewBorder(nil, b, nil, nil, home)
}

// OpenOpenData shows the open-data screen on the services tab.
func (u *UI) OpenOpenData() {
	if u.tabs != nil && u.tabs.SelectedIndex() != 0 {
		u.tabs.SelectIndex(0)
	}
	u.nav.popToRoot()
	u.nav.push(u.openData.Content(), u.openData.Title(), nil)
	u.openData.Shown()
}
