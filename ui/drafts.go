package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/citizen"
	"rathaus/sync/engine"
)

// draftsScreen lists the citizen's drafts and submissions with where each
// stands, and lets them resume or delete one.
type draftsScreen struct {
	ui *UI

	root  fyne.CanvasObject
	list  *fyne.Container
	empty *widget.Label
	rows  map[string]*draftRow // by draft id, for tests and refresh
}

// draftRow is one draft on the screen.
type draftRow struct {
	title  *widget.Label
	status *widget.Label
	resume *widget.Button
	delete *widget.Button
}

func newDraftsScreen(u *UI) *draftsScreen {
	ds := &draftsScreen{ui: u, rows: map[string]*draftRow{}}
	ds.empty = widget.NewLabel(lang.L("You have no drafts. Start one from a service."))
	ds.empty.Wrapping = fyne.TextWrapWord
	ds.list = container.NewVBox()
	ds.root = container.NewVScroll(container.NewPadded(container.NewVBox(ds.empty, ds.list)))
	return ds
}

func (ds *draftsScreen) content() fyne.CanvasObject {
	ds.refresh()
	return ds.root
}

// refresh rebuilds the list from the store.
func (ds *draftsScreen) refresh() {
	ctx, cancel := ds.ui.ctx()
	defer cancel()
	drafts, err := ds.ui.store.Drafts(ctx)
	if err != nil {
		ds.empty.SetText(errorText(err))
		ds.empty.Show()
		return
	}
	items, _ := ds.ui.store.Outbox(ctx)
	lastErr := map[string]*citizen.OutboxItem{}
	for _, it := range items {
		lastErr[it.DraftID] = it
	}
	st := ds.ui.syncer.Status().State

	ds.list.RemoveAll()
	ds.rows = map[string]*draftRow{}
	for _, d := range drafts {
		row := ds.newRow(d, lastErr[d.ID], st)
		ds.rows[d.ID] = row
		texts := container.NewVBox(row.title, row.status)
		ds.list.Add(container.NewBorder(nil, nil, nil, container.NewHBox(row.resume, row.delete), texts))
		ds.list.Add(widget.NewSeparator())
	}
	if len(drafts) == 0 {
		ds.empty.Show()
	} else {
		ds.empty.Hide()
	}
}

func (ds *draftsScreen) newRow(d *citizen.Draft, it *citizen.OutboxItem, st engine.State) *draftRow {
	lng := currentLang()
	title := d.Service
	if s, ok := ds.ui.service(d.Service); ok {
		title = s.Title.In(lng)
	}
	r := &draftRow{title: widget.NewLabel(title), status: widget.NewLabel(draftStatus(d, it, st))}
	r.title.TextStyle = fyne.TextStyle{Bold: true}
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.status.Wrapping = fyne.TextWrapWord
	switch d.State {
	case citizen.DraftRejected:
		r.status.Importance = widget.DangerImportance
	case citizen.DraftSent:
		r.status.Importance = widget.SuccessImportance
	case citizen.DraftQueued:
		r.status.Importance = widget.WarningImportance
	}
	r.resume = widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), func() { ds.onResume(d) })
	r.delete = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { ds.onDelete(d) })
	if !d.State.Editable() || d.Locked {
		r.resume.Disable()
	}
	if !d.State.Deletable() {
		r.delete.Disable()
	}
	return r
}

// draftStatus says where a draft stands, in the citizen's words.
func draftStatus(d *citizen.Draft, it *citizen.OutboxItem, st engine.State) string {
	updated := d.Updated.Local().Format("02.01.2006 15:04")
	switch {
	case d.Locked:
		return lang.L("Cannot be opened: it was saved with a key this device no longer has.")
	case d.State == citizen.DraftSent:
		return lang.L("Sent – case number {{.Number}}", map[string]any{"Number": d.CaseNumber})
	case d.State == citizen.DraftRejected:
		return lang.L("Not accepted – please correct and send again. {{.Reason}}", map[string]any{"Reason": lastError(it)})
	case d.State == citizen.DraftQueued && st == engine.Offline:
		return lang.L("Waiting for connection")
	case d.State == citizen.DraftQueued && it != nil && it.Attempts > 0:
		return lang.L("Waiting to be sent again. {{.Reason}}", map[string]any{"Reason": lastError(it)})
	case d.State == citizen.DraftQueued:
		return lang.L("Sending…")
	}
	return lang.L("Draft, last changed {{.Time}}", map[string]any{"Time": updated})
}

// lastError is an outbox item's last failure, translated.
func lastError(it *citizen.OutboxItem) string {
	if it == nil || it.LastError == "" {
		return ""
	}
	return lang.L(it.LastError)
}

func (ds *draftsScreen) onResume(d *citizen.Draft) {
	ds.ui.nav.popToRoot()
	ds.ui.openDraft(d)
}

func (ds *draftsScreen) onDelete(d *citizen.Draft) {
	dialog.ShowConfirm(lang.L("Delete draft?"), lang.L("The draft and everything entered in it will be deleted from this device."),
		func(ok bool) {
			if !ok {
				return
			}
			ctx, cancel := ds.ui.ctx()
			defer cancel()
			if err := ds.ui.store.DeleteDraft(ctx, d.ID); err != nil {
				ds.ui.showError(err)
			}
			ds.refresh()
		}, ds.ui.win)
}
