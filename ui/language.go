package ui

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"fyne.io/fyne/v2/lang"

	"rathaus/ui/kit"
)

// SettingLanguage is the store's setting that remembers the language the
// citizen chose in the app ("de", "en", "tr", "uk").
const SettingLanguage = "language"

// startRememberedLanguage applies the language the citizen chose before,
// if any, before the first screen is built.
func (u *UI) startRememberedLanguage() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	code, err := u.store.Setting(ctx, SettingLanguage)
	if err != nil || code == "" || code == kit.Lang() || !slices.Contains(kit.Languages, code) {
		return
	}
	if err := kit.SetLanguage(code); err != nil {
		slog.Warn("the remembered language", "language", code, "err", err)
	}
}

// SwitchLanguage shows the whole app in another language at once and
// remembers the choice. What a form has waiting is saved first; the tab
// the citizen was on, and the form open on the services tab, come back in
// the new language, and so do the settings if the switch was made there
// (other screens on top of a tab go back to its first).
func (u *UI) SwitchLanguage(code string) {
	if err := u.forms.FlushAll(); err != nil {
		// A new build would drop what could not be saved: stay, and say so.
		u.showError(err)
		if u.picker != nil {
			u.picker.Pick(kit.Lang())
		}
		return
	}
	tab, draftID := u.tabs.SelectedIndex(), u.shownDraft()
	// The switch made in the settings leaves the citizen in them.
	inSettings := u.settings != nil && u.aboutNav != nil && u.aboutNav.top() == u.settings.Content()
	if err := kit.SetLanguage(code); err != nil {
		u.showError(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	saveErr := u.store.SetSetting(ctx, SettingLanguage, code)

	u.win.SetTitle(lang.L("Rathaus"))
	u.openDraft, u.openForm = "", nil
	u.build()
	u.show()
	u.indicator.show(u.syncer.Status())
	// The form first: opening it shows the services tab (the first,
	// where a new build starts).
	if draftID != "" {
		if d, err := u.store.Draft(ctx, draftID); err == nil {
			u.OpenDraft(d)
		} else {
			u.showError(err)
		}
	}
	if tab >= 0 && tab < len(u.tabs.Items) {
		u.tabs.SelectIndex(tab)
	}
	if inSettings {
		u.OpenSettings()
	}
	if saveErr != nil {
		slog.Warn("the language cannot be remembered", "err", saveErr)
		kit.ShowInfo(lang.L("Language"),
			lang.L("The language could not be remembered; it applies until the app is closed."), u.win)
	}
}

// shownDraft is the draft whose form is on the services tab, "" if none.
func (u *UI) shownDraft() string {
	if u.openForm == nil || !slices.Contains(u.nav.stack.Objects, u.openForm) {
		return ""
	}
	return u.openDraft
}
