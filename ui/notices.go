package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
)

// addNotices tells the citizen, above the form, what happened to the draft
// elsewhere: a newer version of the form, values replaced by another device
// or left behind by a version change.
func (fs *formScreen) addNotices() {
	fs.notices.RemoveAll()
	svc, ok := fs.ui.service(fs.draft.Service)
	if ok && svc.Form.ID == fs.draft.Form.ID && svc.Form.Version > fs.draft.Form.Version && fs.draft.State.Editable() {
		fs.notices.Add(notice(lang.L("The town hall has published a new version of this form. Your draft keeps working with the version you started."),
			lang.L("Use the new version"), func() { fs.onMigrate(svc.Form) }))
	}
	ctx, cancel := fs.ui.ctx()
	defer cancel()
	conflicts, err := fs.ui.store.Conflicts(ctx, fs.draft.ID)
	if err != nil {
		return
	}
	unseen := 0
	for _, c := range conflicts {
		if !c.Seen {
			unseen++
		}
	}
	if unseen > 0 {
		fs.notices.Add(notice(lang.L("Some of your entries were replaced or left behind. Nothing is lost: you can look at them."),
			lang.L("Show"), func() { fs.onShowConflicts(conflicts) }))
	}
}

func notice(text, action string, tapped func()) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.WarningImportance
	b := widget.NewButton(action, tapped)
	return container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), b, l)
}

// onMigrate offers to move the draft to the form's new version: the values
// that carry over move, the rest are listed first and kept afterwards.
func (fs *formScreen) onMigrate(to api.FormRef) {
	next, err := fs.ui.form(to)
	if err != nil {
		fs.ui.showError(err)
		return
	}
	carried, left := formschema.Migrate(fs.form, next, fs.draft.Values)
	text := lang.L("Your entries are carried over to the new version.")
	if len(left) > 0 {
		lines := make([]string, 0, len(left))
		for _, l := range left {
			lines = append(lines, fmt.Sprintf("• %s: %s (%s)", l.Label.In(fs.lang), valueText(fs.form, l.Pointer, l.Value, fs.lang), leftoverReason(l.Reason)))
		}
		text = lang.L("These entries do not fit the new version. They stay with the draft for you to look at:") + "\n\n" + strings.Join(lines, "\n")
	}
	dialog.ShowConfirm(lang.L("Use the new version?"), text, func(ok bool) {
		if !ok {
			return
		}
		keep := make([]citizen.Conflict, 0, len(left))
		for _, l := range left {
			keep = append(keep, citizen.Conflict{Field: l.Pointer, Value: l.Value, Reason: l.Reason})
		}
		ctx, cancel := fs.ui.ctx()
		defer cancel()
		if err := fs.ui.store.MoveDraft(ctx, fs.draft.ID, to, carried, keep); err != nil {
			fs.ui.showError(err)
			return
		}
		d, err := fs.ui.store.Draft(ctx, fs.draft.ID)
		if err != nil {
			fs.ui.showError(err)
			return
		}
		fs.ui.nav.pop()
		fs.ui.openDraft(d)
	}, fs.ui.win)
}

func leftoverReason(r string) string {
	switch r {
	case citizen.ConflictRemoved:
		return lang.L("the new version no longer asks for it")
	case citizen.ConflictInvalid:
		return lang.L("the new version does not accept it")
	}
	return lang.L("changed later on another device")
}

// valueText shows a kept value the way the form shows it, or as it is when
// the form no longer has its field.
func valueText(f *formschema.Form, pointer string, v any, lng string) string {
	if fd := f.FieldAt(pointer); fd != nil {
		if s := formschema.FormatValue(fd, v, lng); s != "" {
			return s
		}
	}
	return fmt.Sprint(v)
}

// onShowConflicts lists the kept values and marks them seen.
func (fs *formScreen) onShowConflicts(conflicts []citizen.Conflict) {
	lines := make([]string, 0, len(conflicts))
	for _, c := range conflicts {
		pointer := c.Field
		if !strings.HasPrefix(pointer, "/") {
			pointer = api.PointerToken(pointer)
		}
		label := c.Field
		if fd := fs.form.FieldAt(pointer); fd != nil {
			label = fd.Label.In(fs.lang)
		}
		lines = append(lines, fmt.Sprintf("• %s: %s (%s, %s)", label, valueText(fs.form, pointer, c.Value, fs.lang),
			leftoverReason(c.Reason), c.Created.Local().Format("02.01.2006 15:04")))
	}
	d := dialog.NewInformation(lang.L("Entries kept for you"), strings.Join(lines, "\n"), fs.ui.win)
	d.SetOnClosed(func() {
		ctx, cancel := fs.ui.ctx()
		defer cancel()
		_ = fs.ui.store.MarkConflictsSeen(ctx, fs.draft.ID)
		fs.addNotices()
	})
	d.Show()
}
