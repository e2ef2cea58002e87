package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"rathaus/ui/about"
	"rathaus/ui/account"
	"rathaus/ui/kiosk"
	"rathaus/ui/kit"
	"rathaus/ui/settings"
)

// withSettingsEntry puts the way to the settings (text size, contrast)
// above the about screen, on a navigator of its own so that back returns.
// For now: the shell's navigation is being reworked. The settings screen
// itself is built when first opened (not before the first frame).
func (u *UI) withSettingsEntry(info *about.Screen) fyne.CanvasObject {
	u.settings, u.account = nil, nil // a language switch builds them anew
	b := kit.NewButton(lang.L("Settings"), theme.SettingsIcon(), u.OpenSettings)
	u.aboutNav = newNavigator(container.NewBorder(container.NewPadded(b), nil, nil, nil, info.Content()), info.Title())
	return u.aboutNav.content()
}

// settingsScreen is the settings screen, built on first use.
func (u *UI) settingsScreen() *settings.Screen {
	if u.settings != nil {
		return u.settings
	}
	u.settings = settings.NewScreen(u.app, u.store)
	// The language as well, beside text size and contrast (the about tab
	// keeps its picker too, where citizens found it first).
	u.settings.AddSection("", kit.NewLanguagePicker(u.SwitchLanguage)) // its heading: "Language"
	if u.deps.Account != nil {
		u.account = account.NewScreen(u.deps.Account)
		u.settings.AddSection(u.account.Title(), u.account.Content())
	}
	if u.deps.Claimer != nil { // a draft from a kiosk (not in a kiosk's session)
		u.settings.AddSection(lang.L("Take over a draft"), kiosk.NewTakeOver(u.deps.Claimer, u.store, u.OpenDraft).Content())
	}
	return u.settings
}

// OpenSettings shows the settings, on the about tab.
func (u *UI) OpenSettings() {
	for _, t := range u.tabs.Items {
		if t.Content == u.aboutNav.content() {
			u.tabs.Select(t)
		}
	}
	u.aboutNav.popToRoot()
	s := u.settingsScreen()
	u.aboutNav.push(s.Content(), s.Title(), nil)
}

// formsAccount is the login as the forms see it: whether someone is
// logged in, and the way to the account section to log in.
type formsAccount struct{ u *UI }

func (f formsAccount) SignedIn() bool {
	_, ok, _ := f.u.deps.Account.Account()
	return ok
}

func (f formsAccount) OpenAccount() { f.u.OpenSettings() }

// windowSize is the main window's first size: 480 wide and 820 high,
// less where the user's scale (FYNE_SCALE) would make it taller than a
// 1080p screen (1000 px leave room for a title and a task bar).
func windowSize(a fyne.App) fyne.Size {
	h := float32(820)
	if s := a.Settings().Scale(); s > 0 {
		h = min(h, 1000/s)
	}
	return fyne.NewSize(480, h)
}
