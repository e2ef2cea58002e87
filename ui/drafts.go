package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/sync/engine"
)

// draftsScreen lists the citizen's drafts and submissions with where each
// stands, and lets them resume or delete one.
type draftsScreen struct {
	ui *UI

	root       fyne.CanvasObject
	list       *fyne.Container
	empty      *widget.Label
	casesTitle *widget.Label
	caseList   *fyne.Container
	rows       map[string]*draftRow // by draft id, for tests and refresh
	cases      map[string]*caseRow  // by case number
}

// draftRow is one draft on the screen.
type draftRow struct {
	title    *widget.Label
	status   *widget.Label
	progress *widget.ProgressBar // the attachments' upload, while it runs
	resume   *widget.Button
	delete   *widget.Button
}

// caseRow is one case at the town hall, with its status.
type caseRow struct {
	title    *widget.Label
	status   *widget.Label
	timeline *widget.Button
}

func newDraftsScreen(u *UI) *draftsScreen {
	ds := &draftsScreen{ui: u, rows: map[string]*draftRow{}, cases: map[string]*caseRow{}}
	ds.empty = widget.NewLabel(lang.L("You have no drafts. Start one from a service."))
	ds.empty.Wrapping = fyne.TextWrapWord
	ds.list = container.NewVBox()
	ds.casesTitle = widget.NewLabel(lang.L("Status of my cases"))
	ds.casesTitle.TextStyle = fyne.TextStyle{Bold: true}
	ds.caseList = container.NewVBox()
	ds.root = container.NewVScroll(container.NewPadded(container.NewVBox(ds.empty, ds.list, ds.casesTitle, ds.caseList)))
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
		texts := container.NewVBox(row.title, row.status, row.progress)
		ds.list.Add(container.NewBorder(nil, nil, nil, container.NewHBox(row.resume, row.delete), texts))
		ds.list.Add(widget.NewSeparator())
	}
	if len(drafts) == 0 {
		ds.empty.Show()
	} else {
		ds.empty.Hide()
	}
	ds.refreshCases()
}

// refreshCases lists the cases with their status, newest first, also those
// sent from the account's other devices.
func (ds *draftsScreen) refreshCases() {
	ctx, cancel := ds.ui.ctx()
	defer cancel()
	cases, err := ds.ui.store.Cases(ctx)
	ds.caseList.RemoveAll()
	ds.cases = map[string]*caseRow{}
	if err != nil || len(cases) == 0 {
		ds.casesTitle.Hide()
		return
	}
	ds.casesTitle.Show()
	for _, c := range cases {
		title := c.Service
		if s, ok := ds.ui.service(c.Service); ok {
			title = s.Title.In(currentLang())
		}
		row := &caseRow{
			title:  widget.NewLabel(lang.L("{{.Service}}, case {{.Number}}", map[string]any{"Service": title, "Number": c.Number})),
			status: widget.NewLabel(caseStatus(c)),
		}
		row.title.Wrapping = fyne.TextWrapWord
		row.status.Importance = widget.SuccessImportance
		if c.Status != api.StatusDecided {
			row.status.Importance = widget.MediumImportance
		}
		c := c
		row.timeline = widget.NewButtonWithIcon(lang.L("Timeline"), theme.HistoryIcon(), func() { ds.onTimeline(c, title) })
		ds.cases[c.Number] = row
		ds.caseList.Add(container.NewBorder(nil, nil, nil, row.timeline, container.NewVBox(row.title, row.status)))
		ds.caseList.Add(widget.NewSeparator())
	}
}

// statusName is a case status in the citizen's words.
func statusName(s string) string {
	switch s {
	case api.StatusReceived:
		return lang.L("Received")
	case api.StatusInReview:
		return lang.L("In review")
	case api.StatusInspection:
		return lang.L("Inspection")
	case api.StatusDecided:
		return lang.L("Decided")
	}
	return s
}

func caseStatus(c citizen.Case) string {
	since := c.Submitted
	if n := len(c.History); n > 0 {
		since = c.History[n-1].At
	}
	return lang.L("{{.Status}} since {{.Date}}", map[string]any{"Status": statusName(c.Status), "Date": since.Local().Format("02.01.2006 15:04")})
}

// onTimeline shows a case's steps at the town hall with their notes.
func (ds *draftsScreen) onTimeline(c citizen.Case, title string) {
	lng := currentLang()
	box := container.NewVBox()
	events := c.History
	if len(events) == 0 {
		events = []api.CaseEvent{{Status: c.Status, At: c.Submitted}}
	}
	for _, e := range events {
		head := widget.NewLabel(e.At.Local().Format("02.01.2006 15:04") + "  " + statusName(e.Status))
		head.TextStyle = fyne.TextStyle{Bold: true}
		box.Add(head)
		if note := e.Note.In(lng); note != "" {
			box.Add(wrapped(note))
		}
	}
	d := dialog.NewCustom(lang.L("{{.Service}}, case {{.Number}}", map[string]any{"Service": title, "Number": c.Number}), lang.L("Close"), box, ds.ui.win)
	d.Show()
}

func (ds *draftsScreen) newRow(d *citizen.Draft, it *citizen.OutboxItem, st engine.State) *draftRow {
	lng := currentLang()
	title := d.Service
	if s, ok := ds.ui.service(d.Service); ok {
		title = s.Title.In(lng)
	}
	r := &draftRow{title: widget.NewLabel(title), status: widget.NewLabel(draftStatus(d, it, st)), progress: widget.NewProgressBar()}
	r.progress.Hide()
	if d.State == citizen.DraftQueued && it != nil && it.Total > 0 && it.Progress < it.Total {
		r.progress.Max = float64(it.Total)
		r.progress.SetValue(float64(it.Progress))
		r.progress.Show()
	}
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
