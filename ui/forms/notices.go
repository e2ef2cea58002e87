package forms

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2/lang"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
	"rathaus/ui/kit"
)

// addNotices tells the citizen, above the form, what happened to the draft
// elsewhere: a newer version of the form, values replaced by another device
// or left behind by a version change; and, for a service that needs a
// login while nobody is logged in, that it does, with the way to log in.
func (fs *FormScreen) addNotices() {
	fs.notices.RemoveAll()
	d := fs.state.Draft()
	svc, ok := fs.area.Catalog.Service(d.Service)
	if ok && svc.Form.ID == d.Form.ID && svc.Form.Version > d.Form.Version && d.State.Editable() {
		fs.notices.Add(kit.Notice(lang.L("The town hall has published a new version of this form. Your draft keeps working with the version you started."),
			lang.L("Use the new version"), func() { fs.onMigrate(svc.Form) }))
	}
	if ok && svc.RequiresLogin && fs.area.Account != nil && !fs.area.Account.SignedIn() {
		fs.notices.Add(kit.Notice(lang.L("This service needs you to log in. Log in first, so that the town hall knows who applies."),
			lang.L("Log in"), fs.area.Account.OpenAccount))
	}
	ctx, cancel := fs.area.ctx()
	defer cancel()
	conflicts, err := fs.area.Store.Conflicts(ctx, d.ID)
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
		fs.notices.Add(kit.Notice(lang.L("Some of your entries were replaced or left behind. Nothing is lost: you can look at them."),
			lang.L("Show"), func() { fs.onShowConflicts(conflicts) }))
	}
}

// onMigrate offers to move the draft to the form's new version: the values
// that carry over move, the rest are listed first and kept afterwards.
func (fs *FormScreen) onMigrate(to api.FormRef) {
	next, err := fs.area.form(to)
	if err != nil {
		fs.area.showError(err)
		return
	}
	d := fs.state.Draft()
	carried, left := formschema.Migrate(fs.form, next, d.Values)
	text := lang.L("Your entries are carried over to the new version.")
	if len(left) > 0 {
		lines := make([]string, 0, len(left))
		for _, l := range left {
			lines = append(lines, fmt.Sprintf("• %s: %s (%s)", l.Label.In(fs.lang), valueText(fs.form, l.Pointer, l.Value, fs.lang), leftoverReason(l.Reason)))
		}
		text = lang.L("These entries do not fit the new version. They stay with the draft for you to look at:") + "\n\n" + strings.Join(lines, "\n")
	}
	kit.ShowConfirm(lang.L("Use the new version?"), text, lang.L("Yes"), lang.L("No"), func(ok bool) {
		if !ok {
			return
		}
		// What waits is saved first, and nothing is left to save
		// over the moved draft afterwards.
		if err := fs.flush(); err != nil {
			fs.area.showError(err)
			return
		}
		keep := make([]citizen.Conflict, 0, len(left))
		for _, l := range left {
			keep = append(keep, citizen.Conflict{Field: l.Pointer, Value: l.Value, Reason: l.Reason})
		}
		ctx, cancel := fs.area.ctx()
		defer cancel()
		if err := fs.area.Store.MoveDraft(ctx, d.ID, to, carried, keep); err != nil {
			fs.area.showError(err)
			return
		}
		moved, err := fs.area.Store.Draft(ctx, d.ID)
		if err != nil {
			fs.area.showError(err)
			return
		}
		fs.area.Nav.Back()
		fs.area.Nav.OpenDraft(moved)
	}, fs.area.Window)
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
func (fs *FormScreen) onShowConflicts(conflicts []citizen.Conflict) {
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
			leftoverReason(c.Reason), kit.DateTime(c.Created.Local())))
	}
	dlg := kit.ShowInfo(lang.L("Entries kept for you"), strings.Join(lines, "\n"), fs.area.Window)
	dlg.SetOnClosed(func() {
		ctx, cancel := fs.area.ctx()
		defer cancel()
		_ = fs.area.Store.MarkConflictsSeen(ctx, fs.state.Draft().ID)
		fs.addNotices()
	})
}
