package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/sync/engine"
)

// syncIndicator is always visible: it shows the sync engine's state and
// lets the citizen ask for a sync now.
type syncIndicator struct {
	ui    *UI
	icon  *widget.Icon
	label *widget.Label
	now   *widget.Button
}

func newSyncIndicator(u *UI) *syncIndicator {
	si := &syncIndicator{ui: u, icon: widget.NewIcon(theme.ViewRefreshIcon()), label: widget.NewLabel("")}
	si.label.Wrapping = fyne.TextWrapWord // the citizen must read all of it
	si.now = widget.NewButtonWithIcon(lang.L("Sync now"), theme.ViewRefreshIcon(), si.onSyncNow)
	si.refresh()
	return si
}

func (si *syncIndicator) content() fyne.CanvasObject {
	return container.NewBorder(nil, nil, si.icon, si.now, si.label)
}

func (si *syncIndicator) refresh() {
	st := si.ui.syncer.Status()
	si.label.SetText(stateText(st))
	switch st.State {
	case engine.Offline:
		si.icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
		si.label.Importance = widget.WarningImportance
	case engine.Error:
		si.icon.SetResource(theme.NewErrorThemedResource(theme.ErrorIcon()))
		si.label.Importance = widget.DangerImportance
	case engine.Syncing:
		si.icon.SetResource(theme.ViewRefreshIcon())
		si.label.Importance = widget.MediumImportance
	default:
		si.icon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		si.label.Importance = widget.MediumImportance
	}
	si.label.Refresh()
}

// stateText is the indicator's text for a status.
func stateText(st engine.Status) string {
	switch st.State {
	case engine.Offline:
		return lang.L("Offline – everything is saved and sent later")
	case engine.Error:
		return lang.L("Server problem – the app tries again")
	case engine.Syncing:
		return lang.L("Syncing…")
	}
	if st.LastSuccess.IsZero() {
		return lang.L("Not synced yet")
	}
	return lang.L("Up to date ({{.Time}})", map[string]any{"Time": st.LastSuccess.Local().Format("15:04")})
}

// onSyncNow runs a pass in the background; the engine reports the outcome
// through OnChange.
func (si *syncIndicator) onSyncNow() {
	si.now.Disable()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		_ = si.ui.syncer.Sync(ctx)
		fyne.Do(si.now.Enable)
	}()
}
